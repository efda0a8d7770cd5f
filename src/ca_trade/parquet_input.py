"""Read a data file stored as Parquet, with the same rules, slugs and exit codes as a CSV file.

A Parquet file is accepted whoever wrote it (Polars, DuckDB, pandas), as long as it has the data
file's columns (``schema.COLUMNS``, and the optional ``bound``; extra columns are ignored). Its
cells are typed already, so the rules are run in two steps, both through ``rules.scan`` (the
CSV rules, unchanged):

1. **Every row, cheaply.** The rules that could lose a row or change a figure look at every
   row: codes, flow, currency, basis and bound (``is_in`` the allowed or known values), year
   and value (a year outside 1900-2100; a value missing, negative, NaN or infinite), a
   reporter that is its own partner, and the source and URL (usually one value for a whole
   file: the first row's is tested once, and every other row compared with it). Each test is
   written so that Parquet's statistics can skip whole row groups, and each counts its rows
   over the file (all at once, ``collect_all``). A row found by a test is a *suspect*; only
   the tests that found one are run again as a filter.
2. **The rows used, fully.** The suspects and the rows a command keeps (``keep``) are turned
   back into the strings a CSV file holds (a number as its shortest exact text, a missing cell
   as an empty one) and handed to ``rules.scan`` as a ``records.Parsed``: every rule, with its
   slug, message and hint, and the duplicate-key rule on those rows. ``check_file``
   (``validate``) also finds every repeated key in the whole file (a hash of all the keys) and
   hands those rows over too, so it reports everything.

Problems are placed by **row number**: ``line`` is the row's number in the file (the first
row is 1; Parquet has no header line), and an error says ``FILE, row N, column C: ...``.
A column of a type that has no text form (a list, a struct, binary) is a ``bad-column-type``
problem; a number stored as text, or a year stored as a float, is read as its text and meets
the CSV rules (``12,100`` is a ``bad-number``; ``2024.0`` a ``bad-year``).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade import codes, schema
from ca_trade.errors import DataError, InputError
from ca_trade.records import WHITESPACE, Parsed

if TYPE_CHECKING:
    import polars as pl

MAGIC = b"PAR1"
BATCH = 200_000
# The values a few text columns must hold (the CSV rules bad-flow, bad-currency, bad-basis).
_ALLOWED = {"flow": schema.FLOWS, "currency": schema.CURRENCIES, "basis": schema.BASES}
_URL = r"^https?://\S+$"


def is_parquet(path: Path) -> bool:
    """True for a ``.parquet`` name, or a file that starts with Parquet's magic bytes."""
    if path.suffix.lower() == ".parquet":
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == MAGIC
    except OSError:
        return False


def _open(path: Path, name: str) -> tuple[pl.LazyFrame, dict[str, pl.DataType]]:
    """The file as a lazy frame with ``line`` (row number from 1), and its data columns' types."""
    import polars as pl

    if not path.exists():
        raise InputError("file not found", path=name, hint="check the path")
    if path.is_dir():
        raise InputError("is a directory, not a file", path=name)
    try:
        frame = pl.scan_parquet(path, row_index_name="line", row_index_offset=1)
        types = frame.collect_schema()
    except PermissionError:
        raise InputError(
            "cannot be read (permission denied)", path=name, hint="check its permissions"
        ) from None
    except Exception as err:  # noqa: BLE001 - Polars raises several kinds for a broken file
        raise DataError(
            f"is not a readable Parquet file ({type(err).__name__})",
            path=name,
            hint="write it again, or give a CSV data file",
        ) from None
    return frame, {c: t for c, t in types.items() if c in schema.LOADED}


def _type_problems(types: dict[str, pl.DataType]) -> list[dict[str, object]]:
    """``bad-column-type`` for a column with no text form (list, struct, binary, ...)."""
    found: list[dict[str, object]] = []
    for column, dtype in types.items():
        if not (dtype.is_numeric() or dtype.is_temporal() or _is_text(dtype) or _is_bool(dtype)):
            found.append(
                {
                    "rule": "bad-column-type",
                    "line": None,
                    "column": column,
                    "value": str(dtype),
                    "message": f"column {column} holds {dtype} values, not text or numbers",
                    "hint": "write the column as text (codes, words) or numbers (year, value)",
                }
            )
    return found


def _is_text(dtype: pl.DataType) -> bool:
    import polars as pl

    return dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))


def _is_bool(dtype: pl.DataType) -> bool:
    import polars as pl

    return dtype == pl.Boolean or dtype == pl.Null


def _as_strings(types: dict[str, pl.DataType]) -> list[pl.Expr]:
    """Each data column as the strings a CSV file would hold (missing: empty), and ``line``."""
    import polars as pl

    return [
        *(pl.col(c).cast(pl.String).fill_null("").alias(c) for c in types),
        pl.col("line").cast(pl.Int64),
    ]


def _parsed(name: str, types: dict[str, pl.DataType], rows: pl.DataFrame) -> Parsed:
    """Rows already turned into strings (``_as_strings``), as ``rules.scan`` reads a file."""

    import polars as pl

    def batches(raw: frozenset[str]) -> Iterator[pl.DataFrame]:
        # As ``records.Parsed`` promises: cells stripped, but for the columns in ``raw``.
        stripped = [pl.col(c).str.strip_chars(WHITESPACE) for c in types if c not in raw]
        for batch in rows.iter_slices(BATCH):
            yield batch.with_columns(stripped)

    return Parsed(path=name, header=list(types), batches=batches)


@functools.cache
def _known_codes() -> list[str]:
    """Every code ``codes.is_known`` accepts, for one vectorised ``is_in`` over the rows."""
    three = {c for c in codes.iso_codes() | codes.former_codes() if len(c) == 3}
    return sorted(codes.OWN | codes.SPECIAL.keys() | three)


def _text(name: str) -> pl.Expr:
    import polars as pl

    return pl.col(name).cast(pl.String)


def _one_value_ok(column: str, value: str | None) -> bool:
    """Whether the one value of a column holding a single value passes its rules."""
    if value is None or not value or value != value.strip(WHITESPACE):
        return False
    if column == "source_url":
        import re

        return re.match(_URL, value) is not None
    return True


def _row_tests(
    frame: pl.LazyFrame, types: dict[str, pl.DataType], rates: dict[int, float] | None
) -> list[tuple[pl.Expr, pl.Expr]]:
    """Each row test, with a cheaper test that finds the same rows or more (the same, mostly).

    The cheap tests are written so that Parquet's statistics can skip whole row groups
    (``is_in``, ranges): a file sorted or grouped by its codes, years and sources is mostly not
    read at all. The source and URL, usually one value for the whole file, are compared to the
    first row's; that one value is tested once.
    """
    import polars as pl

    tests: list[tuple[pl.Expr, pl.Expr]] = []

    def same(test: pl.Expr) -> None:
        tests.append((test, test))

    for column in ("reporter", "partner"):
        if column in types:
            same(_text(column).is_null() | ~_text(column).is_in(_known_codes()))
    for column, allowed in _ALLOWED.items():
        if column in types:
            same(_text(column).is_null() | ~_text(column).is_in(allowed))
    if schema.BOUND in types:  # optional: missing or empty is an exact figure
        bound = _text(schema.BOUND)
        same(bound.is_not_null() & ~bound.is_in(["", *schema.BOUNDS]))
    for column in ("source", "source_url"):
        if column not in types:
            continue
        cell = _text(column)
        test = cell.is_null() | (cell.str.strip_chars(WHITESPACE) != cell) | (cell == "")
        if column == "source_url":
            test |= ~cell.str.contains(_URL)
        first = frame.select(cell.first()).collect().item()
        if _one_value_ok(column, first):
            tests.append((test, cell.is_null() | (cell != first)))
        else:
            same(test)
    year, value = pl.col("year"), pl.col("value_millions")
    if "year" in types:
        if types["year"].is_integer():
            same(year.is_null() | ~year.is_between(1900, 2100))
        else:  # text, a float, ...: as its text, the CSV screen's test
            years = [str(y) for y in range(1900, 2101)]
            same(~_text("year").is_in(years).fill_null(False))
    if "value_millions" in types:
        if types["value_millions"].is_numeric():
            # NaN sorts above every number in Polars, so is_between refuses it, as it does
            # infinity, a negative value and (filled) a missing one.
            number = value.cast(pl.Float64)
            same(~number.is_between(0, sys.float_info.max).fill_null(False))
        else:
            parsed = _text("value_millions").cast(pl.Float64, strict=False)
            same(~parsed.is_between(0, float("inf"), closed="left").fill_null(False))
    if {"reporter", "partner"} <= set(types):
        same((_text("reporter") == _text("partner")).fill_null(False))
    if rates is not None and {"currency", "year"} <= set(types):
        known = sorted(str(y) for y in rates)
        same((_text("currency") == "EUR") & ~_text("year").is_in(known))
    return tests


def _suspects(
    frame: pl.LazyFrame, types: dict[str, pl.DataType], rates: dict[int, float] | None
) -> pl.Expr:
    """The filter picking every row that may break a row rule (step 1 of the module docstring).

    Each rule's cheap test counts its rows over the whole file, all in one go
    (``collect_all``); only the tests that found a row are returned, so for a clean file the
    filter is ``lit(False)`` and the rows a command keeps are then read alone.
    """
    import polars as pl

    tests = _row_tests(frame, types, rates)
    counts = pl.collect_all([frame.filter(cheap).select(pl.len()) for _, cheap in tests])
    found = [test for (test, _), count in zip(tests, counts, strict=True) if count.item()]
    return pl.any_horizontal(found) if found else pl.lit(False)


def _native_keep(keep: pl.Expr | None, types: dict[str, pl.DataType]) -> pl.Expr | None:
    """``keep`` on the file's own columns, when it reads only columns typed as the loader
    types them (String text, an integer year); else None (every row is handed over)."""
    if keep is None:
        return None
    roots = set(keep.meta.root_names())
    fine = {c for c, t in types.items() if _is_text(t) and c != "year"}
    if "year" in types and types["year"].is_integer():
        fine.add("year")
    if roots <= fine:
        import polars as pl

        return keep.fill_null(False).cast(pl.Boolean)
    return None


def read_trade(path: Path, name: str, *, keep: pl.Expr | None = None) -> pl.DataFrame:
    """Load a Parquet data file, or raise ``DataError`` for its first problem, like
    ``load.read_trade``: the typed columns of ``schema.COLUMNS`` plus ``line`` (row number),
    only the rows ``keep`` keeps. ``name`` names the file in errors."""
    import polars as pl

    from ca_trade import rules

    frame, types = _open(path, name)
    problems = _type_problems(types)
    if problems:
        _raise_first(pl.DataFrame(problems, schema=rules.PROBLEM_SCHEMA), name)
    if not set(schema.REQUIRED) <= set(types):  # the CSV header rules say which is missing
        rows = frame.head(BATCH).select(_as_strings(types)).collect()
        found = rules.scan(_parsed(name, types, rows), keep=keep, collect=True)
        _raise_first(found.problems, name)
    suspect = _suspects(frame, types, None)
    native = _native_keep(keep, types)
    wanted = frame.filter(suspect | native) if native is not None else frame
    rows = wanted.select(_as_strings(types)).collect()
    if rows.is_empty():
        if frame.select(pl.len()).collect().item() == 0:
            found = rules.scan(_parsed(name, types, rows), collect=True)
            _raise_first(found.problems, name)
        return rules.typed(rows.select(*types, "line").clear())
    found = rules.scan(_parsed(name, types, rows), keep=keep, collect=True)
    if found.problems.height:
        _raise_first(found.problems, name)
    assert found.kept is not None
    return found.kept


def check_file(path: Path, name: str, rates: dict[int, float] | None) -> tuple[pl.DataFrame, int]:
    """Every problem of a Parquet data file, for ``validate``, and its number of rows.

    Like ``load.check_file``: problems have the columns rule, line (row number), column, value,
    message, hint. Every rule runs on every row: the suspects (step 1) and every row whose key
    repeats anywhere in the file go through ``rules.scan``.
    """
    import polars as pl

    from ca_trade import rules

    frame, types = _open(path, name)
    problems = _type_problems(types)
    if problems:
        return pl.DataFrame(problems, schema=rules.PROBLEM_SCHEMA), 0
    count = frame.select(pl.len()).collect().item()
    if not set(schema.REQUIRED) <= set(types) or count == 0:
        rows = frame.select(_as_strings(types)).collect()
        found = rules.scan(_parsed(name, types, rows), rates)
        return _placed(found.problems), found.rows
    suspect = _suspects(frame, types, rates)
    repeated = _repeated_keys(frame, types)
    rows = frame.filter(suspect | repeated).select(_as_strings(types)).collect()
    if rows.is_empty():
        return pl.DataFrame(schema=rules.PROBLEM_SCHEMA), count
    return _placed(rules.scan(_parsed(name, types, rows), rates).problems), count


def _repeated_keys(frame: pl.LazyFrame, types: dict[str, pl.DataType]) -> pl.Expr:
    """A filter for the rows whose key repeats anywhere in the file.

    A 64-bit hash of every row's key is held (80 MB for 10 M rows, not the keys themselves);
    the rows whose hash repeats are then compared by their keys in ``rules.scan``. Keys are
    compared as the CSV rules compare them: as stripped text, when a key cell has white space
    around it (such a cell is a suspect, and may repeat a key once stripped).
    """
    import polars as pl

    def text(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.String)

    texts = [c for c in schema.KEY if not types[c].is_integer()]
    distinct = pl.collect_all([frame.select(text(c)).unique() for c in texts], engine="streaming")
    strip = any(
        value is not None and value != value.strip(WHITESPACE)
        for c, values in zip(texts, distinct, strict=True)
        for value in values.get_column(c).to_list()
    )
    key = [
        pl.col(c)
        if types[c].is_integer()
        else (text(c).str.strip_chars(WHITESPACE) if strip else text(c))
        for c in schema.KEY
    ]
    hashed = pl.struct(key).hash()
    hashes = frame.select(hashed.alias("hash")).collect(engine="streaming").get_column("hash")
    # Sorted, a repeated hash sits next to itself (a sort of 10 M integers is faster, and
    # holds less, than a hash table of them).
    ordered = hashes.sort()
    repeated = ordered.filter(ordered == ordered.shift(1)).unique()
    if repeated.is_empty():
        return pl.lit(False)
    return hashed.is_in(repeated.implode())


def _placed(problems: pl.DataFrame) -> pl.DataFrame:
    """Problems with a header rule's line (1 in a CSV file) made null: Parquet has no header."""
    import polars as pl

    header = pl.col("rule").is_in(_HEADER_RULES)
    return problems.with_columns(
        pl.when(header).then(None).otherwise(pl.col("line")).alias("line")
    ).sort("line", "column", nulls_last=False, maintain_order=True)


def _raise_first(problems: pl.DataFrame, name: str) -> None:
    """Raise the first problem as ``load.read_trade`` does, placed by row number."""
    if not problems.height:
        return
    problems = _placed(problems)
    first = problems.row(0, named=True)
    extra = problems.height - 1
    message = first["message"]
    if extra:
        message += f" ({extra} more problem{'s' if extra > 1 else ''}: run ca-trade validate)"
    # Parquet has no header line: a row is placed by its number, a header problem by column.
    row = first["line"]
    raise DataError(
        message,
        path=name if row is None else f"{name}, row {row}",
        column=first["column"],
        hint=first["hint"],
    )


_HEADER_RULES = ("missing-column", "duplicate-column", "blank-column-name", "no-rows")
