"""Read a ca-trade data file strictly: every rule checked, every problem placed by line and column.

Reading is split in two so that ``validate`` can list every problem while the other commands stop
at the first:

- ``parse_file`` splits a file into a header and batches of records (``records.Parsed``);
- ``rules.scan`` runs the data rules as Polars expressions over the batches, in one pass.

Two readers split a file, and give the same records, lines and errors:

- **Fast** (``parse_file``, UTF-8 files): Polars parses the file in blocks of about 2 MiB cut at
  line ends (outside quotes), every cell a string. Each block is proved to be split exactly as
  Python's ``csv`` module would split it, by accounting for every byte: the block's length must
  equal the cells' bytes + one delimiter between cells + the quotes + the line ends (+ a BOM),
  and every quote must open a cell (after a delimiter or line end) or close one (before them).
  A short row (Polars pads it), a blank line (Polars makes it a row), a lone CR, a NUL, a cell
  holding a quote, a CR or a line break, a cell over the ``csv`` field limit, invalid UTF-8 or
  any Polars error makes the proof fail, and so does a header the ``csv`` module splits
  otherwise. Each record is one physical line. The next block is read in a thread while the
  rules run on this one (``load.fast``).
- **Exact** (``parse_text``: Python's ``csv`` module, ``load.exact``): any file the fast reader
  cannot prove (``records.StructureMismatch``: the scan starts again with it), other encodings
  (UTF-16, ``--encoding latin-1``) and every error to place: ragged rows, unbalanced quotes, bad
  bytes.

``read_trade`` does both and returns the typed frame, or raises the first problem. Reading the
bytes and decoding them (encodings, BOMs, binary files, the delimiter) is ``load.decoding``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade.errors import DataError
from ca_trade.load import fast
from ca_trade.load.decoding import (
    bundled_data_path,
    bundled_rates_path,
    decode,
    delimiter_value,
    read_bytes,
    unreadable,
)
from ca_trade.load.exact import _split, parse_text
from ca_trade.records import Parsed, ParseError

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "bundled_data_path",
    "bundled_rates_path",
    "check_file",
    "decode",
    "delimiter_value",
    "display_path",
    "missing_rates",
    "parse_file",
    "parse_text",
    "read_bytes",
    "read_rates",
    "read_trade",
    "unreadable",
]


def parse_file(
    path: Path | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Parsed:
    """Read and split a data file (the bundled one when ``path`` is None).

    A UTF-8 file of ``fast.FAST_MIN_BYTES`` or more gets the fast reader (with the exact one as
    ``Parsed.exact``); anything else, and any file whose first block the fast reader cannot
    prove, gets the exact reader, which raises the file's errors (``InputError``,
    ``DataError``, ``ParseError``). The fast reader calls ``on_progress`` with the bytes read so
    far as its batches are taken.
    """
    path = path if path is not None else bundled_data_path()
    separator = delimiter_value(delimiter)

    def exact() -> Parsed:
        text = decode(read_bytes(path), str(path), encoding, separator)
        return parse_text(text, str(path), separator)

    try:
        small = path.stat().st_size < fast.FAST_MIN_BYTES
    except OSError:
        small = True  # the exact reader says what is wrong
    quick = None if small else fast.fast_parse(path, encoding, separator, exact, on_progress)
    return quick if quick is not None else exact()


# ---------------------------------------------------------------- checking


def check_file(
    path: Path | None,
    rates: dict[int, float] | None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[pl.DataFrame, int]:
    """Every problem of a data file, for ``validate``, and the number of data rows read.

    A file that cannot be split into records (``ParseError``) is one problem; one that cannot be
    read or decoded raises (``InputError``, ``DataError``). Problems have the columns rule, line,
    column, value, message, hint. ``on_progress``: see ``parse_file``.
    """
    import polars as pl

    from ca_trade import rules

    try:
        parsed = parse_file(path, encoding=encoding, delimiter=delimiter, on_progress=on_progress)
        found = rules.scan(parsed, rates)
    except ParseError as err:
        problem = {
            "rule": err.rule,
            "line": err.line,
            "column": err.column,
            "value": None,
            "message": err.message,
            "hint": err.hint,
        }
        return pl.DataFrame([problem], schema=rules.PROBLEM_SCHEMA), 0
    return found.problems, found.rows


def read_trade(
    path: Path | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    keep: pl.Expr | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """Load a data file, or raise ``DataError`` for its first problem.

    Returns the columns of ``schema.COLUMNS`` typed (year Int64, value_millions Float64, the rest
    String, note null when empty) plus ``line``, each row's line in the file (header = line 1).

    ``keep`` is a filter over those typed columns: the whole file is read and checked as always,
    but only the rows it keeps are held and returned (so a command that needs one year or a few
    codes of a million-row file holds only those). ``on_progress``: see ``parse_file``.
    """
    from ca_trade import rules

    parsed = parse_file(path, encoding=encoding, delimiter=delimiter, on_progress=on_progress)
    found = rules.scan(parsed, keep=keep, collect=True)
    problems = found.problems
    if problems.height:
        first = problems.row(0, named=True)
        extra = problems.height - 1
        message = first["message"]
        if extra:
            message += f" ({extra} more problem{'s' if extra > 1 else ''}: run ca-trade validate)"
        raise DataError(
            message,
            path=parsed.path,
            line=first["line"],
            column=first["column"],
            hint=first["hint"],
        )
    assert found.kept is not None
    return found.kept


def display_path(path: Path | None) -> str:
    """How a data file is named in output: relative when under the working directory."""
    path = path if path is not None else bundled_data_path()
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def read_rates(path: Path | None = None) -> dict[int, float]:
    """ECB annual-average USD per EUR by year, from the rates file (year,usd_per_eur,...)."""
    path = path if path is not None else bundled_rates_path()
    header, records, _ = _split(decode(read_bytes(path), str(path), None), str(path), ",")
    try:
        year_at, rate_at = header.index("year"), header.index("usd_per_eur")
        return {int(r[year_at]): float(r[rate_at]) for r in records}
    except (ValueError, IndexError) as err:
        raise DataError(f"is not a rates file ({err})", path=str(path)) from None


def missing_rates(trade: pl.DataFrame, rates: dict[int, float]) -> list[int]:
    """Years that have EUR rows but no rate."""
    import polars as pl

    years = trade.filter(pl.col("currency") == "EUR").get_column("year").unique().sort()
    return [y for y in years.to_list() if y not in rates]
