"""The data rules, as named Polars expressions, and the typed frame built once they pass.

Each rule has a stable slug (used by ``ca-trade validate`` and in tests). Problems are data:
``scan(...).problems`` holds them all as a frame (rule, line, column, value, message, hint),
sorted by line, and ``load.read_trade`` raises the first.

``scan`` checks a file in one pass over its batches (``records.Parsed``): a cheap screen
(``_Screen``: exact strings, one cast, the URL rule on distinct URLs, codes looked up once per
distinct code) picks the rows that may break a rule, the rules proper (``_row_rules``) run on
those rows only, and a 64-bit hash of each row's key finds repeated keys (``spill.KeyHashes``:
held on disk past half a million rows, so memory stays flat as files grow). Reporter and partner
codes must be known to ``codes`` (ISO 3166 alpha-3, ca-trade's own, Comtrade's special areas).

Extra columns beyond the schema are allowed and ignored (a user may keep notes of their own);
a missing required column, a duplicate or blank column name is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ca_trade import codes, schema, spill
from ca_trade.records import WHITESPACE, Parsed, StructureMismatch
from ca_trade.rules.row import (
    PROBLEM_SCHEMA,
    Rule,
    _duplicate_rows,
    _header_problems,
    _number,
    _problem,
    _ragged_problems,
    _row_rules,
    _rule_rows,
    typed,
)

__all__ = ["PROBLEM_SCHEMA", "SCREENED", "Rule", "Scan", "scan", "typed"]


@dataclass(frozen=True)
class Scan:
    """What one pass over a parsed file found.

    ``problems``: rule, line, column, value, message, hint (sorted by line); ``rows``: data
    records read (ragged ones included); ``kept``: the typed rows (see ``typed``) that pass
    ``keep``, when asked for, else None.
    """

    problems: pl.DataFrame
    rows: int
    kept: pl.DataFrame | None


def scan(
    parsed: Parsed,
    rates: dict[int, float] | None = None,
    *,
    keep: pl.Expr | None = None,
    collect: bool = False,
) -> Scan:
    """Every rule a parsed file breaks and, with ``collect``, its typed rows passing ``keep``.

    One pass over ``parsed.batches()``, holding only the rows that break a row rule, a 64-bit
    hash of each row's key and the kept rows. Rows whose key hash repeats are read again in a
    second pass, only when there are any. A fast reading that turns out not to be provably exact
    (``StructureMismatch``) is done again with ``parsed.exact``.
    """
    try:
        return _scan(parsed, rates, keep, collect)
    except StructureMismatch:
        if parsed.exact is None:  # pragma: no cover - only the fast reader raises it
            raise
        return _scan(parsed.exact(), rates, keep, collect)


# Columns whose every cell with white space around it is caught by ``_Screen`` (it fails the
# screen's test), so the fast reader may leave them unstripped.
SCREENED = frozenset(
    (
        "year",
        "reporter",
        "partner",
        "flow",
        "value_millions",
        "currency",
        "basis",
        "source_url",
        schema.BOUND,
    )
)
# The columns that ``typed`` returns as they are in a batch.
_AS_TYPED = frozenset(("reporter", "partner", "flow", "currency", "basis", "source", "source_url"))
_YEARS = [str(year) for year in range(1900, 2101)]
_URL = r"^https?://\S+$"


class _Screen:
    """Rows that may break a row rule or hold white space in a ``SCREENED`` cell: a superset.

    Cheap tests on cells as they are in the file: exact strings (``is_in``) where the rules
    allow a few values, a cast for the value, the code and URL rules on the batch's distinct
    codes and URLs only (each distinct value looked at once a file, up to ``_SEEN`` of them).
    The exact rules then run on these rows alone, stripped. The tests that do not depend on the
    batch are built once.
    """

    def __init__(self, present: set[str], rates: dict[int, float] | None) -> None:
        self.codes = [c for c in ("reporter", "partner") if c in present]
        self.urls = "source_url" in present
        # An empty cell of a ``SCREENED`` column fails that column's own test below (it is not
        # a year, a number, a known code, an allowed value or a URL): only the others need this.
        tests = [
            pl.col(c).str.len_bytes() == 0
            for c in schema.REQUIRED
            if c in present and c not in SCREENED
        ]
        if "year" in present:
            tests.append(~pl.col("year").is_in(_YEARS))
        if "value_millions" in present:
            number = _number("value_millions")  # null (not a number), NaN, inf or negative
            tests.append(~number.is_between(0, float("inf"), closed="left").fill_null(False))
        if {"reporter", "partner"} <= present:
            tests.append(pl.col("reporter") == pl.col("partner"))
        for column, values in (
            ("flow", schema.FLOWS),
            ("currency", schema.CURRENCIES),
            ("basis", schema.BASES),
        ):
            if column in present:
                tests.append(~pl.col(column).is_in(values))
        if schema.BOUND in present:
            tests.append(~pl.col(schema.BOUND).is_in(["", *schema.BOUNDS]))
        if rates is not None and {"currency", "year"} <= present:
            years = [str(year) for year in rates]
            tests.append((pl.col("currency") == "EUR") & ~pl.col("year").is_in(years))
        self.tests = tests
        self.distinct = [
            pl.concat([pl.col(c) for c in self.codes]).unique().implode().alias("codes")
            if self.codes
            else pl.lit([], dtype=pl.List(pl.String)).alias("codes"),
            pl.col("source_url").unique().implode().alias("urls")
            if self.urls
            else pl.lit([], dtype=pl.List(pl.String)).alias("urls"),
        ]
        self.known: set[str] = set(codes.OWN)  # codes as they are in the file
        self.unknown: set[str] = set()
        self.good: set[str] = set()  # URLs
        self.bad: set[str] = set()

    def __call__(self, batch: pl.DataFrame) -> pl.Expr:
        """The screen of one batch (a Boolean expression over it)."""
        tests = list(self.tests)
        distinct_codes, distinct_urls = batch.select(self.distinct).row(0)
        if self.codes:
            new = [c for c in distinct_codes if c not in self.known and c not in self.unknown]
            if new:
                refused = codes.unknown(new)
                if len(self.known) + len(self.unknown) < _SEEN:
                    self.unknown.update(refused)
                    self.known.update(set(new) - set(refused))
            else:
                refused = []
            outside = sorted(self.unknown.intersection(distinct_codes).union(refused))
            tests.extend(pl.col(c).is_in(outside) for c in self.codes if outside)
        if self.urls:
            new = [u for u in distinct_urls if u not in self.good and u not in self.bad]
            fine: set[str] = set()
            if new:
                urls = pl.Series(new, dtype=pl.String)
                fine = set(urls.filter(urls.str.contains(_URL)).to_list())
                if len(self.good) + len(self.bad) < _SEEN:
                    self.good.update(fine)
                    self.bad.update(set(new) - fine)
            allowed = sorted(self.good.intersection(distinct_urls).union(fine))
            tests.append(~pl.col("source_url").is_in(allowed))
        return pl.any_horizontal(tests) if tests else pl.lit(False)


# The key hash: the same expression in both passes, so that a row hashes alike in each.
_KEY_HASH = pl.struct(list(schema.KEY)).hash()

# How many distinct codes and URLs a scan remembers (a file with a URL a row does not hold
# them all).
_SEEN = 1 << 16


def _scan(
    parsed: Parsed, rates: dict[int, float] | None, keep: pl.Expr | None, collect: bool
) -> Scan:
    found = _header_problems(parsed.header) + _ragged_problems(parsed)
    present = {name for name in parsed.header if name}
    keyed = set(schema.KEY) <= present
    typable = collect and set(schema.REQUIRED) <= present
    flagged: list[pl.DataFrame] = []
    kept: list[pl.DataFrame] = []
    rows = 0
    screen = _Screen(present, rates)
    # note is in no rule: it is stripped in ``typed``, on the kept rows only.
    raw = (SCREENED | {"note"}) & present
    # ``keep`` runs on the batch of strings before typing when it reads only columns that
    # ``typed`` leaves as they are (then only the kept rows are typed).
    early = keep is not None and set(keep.meta.root_names()) <= _AS_TYPED
    key_hash = _KEY_HASH.alias("hash")
    keeping = [keep.alias("keep")] if typable and early and keep is not None else []
    with spill.KeyHashes() as hashes:
        for batch in parsed.batches(raw):
            rows += batch.height
            if not batch.height:
                continue
            marks = batch.select(
                screen(batch).alias("suspect"), *([key_hash] if keyed else []), *keeping
            )
            suspect = marks.get_column("suspect")
            if suspect.any():
                suspects = batch.filter(suspect).with_columns(
                    pl.col(c).str.strip_chars(WHITESPACE) for c in SCREENED & present
                )
                found_codes = suspects.select(
                    pl.concat([pl.col(c) for c in ("reporter", "partner") if c in present])
                    if {"reporter", "partner"} & present
                    else pl.lit(None, dtype=pl.String)
                ).to_series()
                unknown = codes.unknown(found_codes.filter(found_codes != ""))
                flagged.extend(
                    _rule_rows(suspects, rule) for rule in _row_rules(present, rates, unknown)
                )
                if keyed or typable:  # the suspects' cells stripped, for the key and the rows
                    batch = pl.concat([batch.filter(~suspect), suspects]).sort("line")
                    marks = batch.select(*([key_hash] if keyed else []), *keeping)
            if keyed:
                hashes.add(marks.get_column("hash"))
            if typable:
                if keeping:  # ``keep`` ran with the screen, on the same cells
                    part = typed(batch.filter(marks.get_column("keep")))
                else:
                    part = typed(batch)
                    part = part if keep is None else part.filter(keep)
                kept.append(_compact(part) if part.height * 8 < batch.height else part)
        repeated = hashes.repeated() if keyed else None
    rows += len(parsed.ragged)
    if not rows:
        found.append(
            _problem(
                "no-rows",
                1,
                None,
                None,
                "has a header but no data rows",
                "add rows, one per published figure",
            )
        )
    frames = [pl.DataFrame(found, schema=PROBLEM_SCHEMA), *flagged]
    if repeated is not None and repeated.len():
        frames.append(_duplicates(parsed, repeated))
    problems = pl.concat([f.cast(PROBLEM_SCHEMA) for f in frames]).sort(  # type: ignore[arg-type]
        "line", "column", nulls_last=False, maintain_order=True
    )
    result = None
    if collect and not problems.height:
        result = pl.concat(kept) if kept else typed(_empty_strings())
    return Scan(problems=problems, rows=rows, kept=result)


def _compact(part: pl.DataFrame) -> pl.DataFrame:
    """A few rows kept from a batch (an eighth or less), copied out of its string buffers.

    A filtered frame's strings still point into the whole batch's buffers (Polars string
    views), so a few rows kept from each batch would hold the whole file in memory. Each text
    column is rebuilt by ``concat_str`` with an empty string: new strings, nulls kept, no Python
    object per cell. Measured on 40 batches of 20,000 rows with 8 text columns: with 8 rows kept
    from each, 338 MB held as filtered and 90 MB after, at 0.66 ms a batch (through Python
    lists: 0.64 ms; through Arrow IPC: 1.98 ms); with 2,500 rows kept, 352 MB and 137 MB, at
    3.1 ms (lists 3.5, IPC 4.1).
    """
    return part.with_columns(
        pl.concat_str(pl.col(name), pl.lit("")).alias(name)
        for name, dtype in part.schema.items()
        if dtype == pl.String
    )


def _empty_strings() -> pl.DataFrame:
    return pl.DataFrame(schema={**dict.fromkeys(schema.LOADED, pl.String), "line": pl.Int64})


def _duplicates(parsed: Parsed, repeated: pl.Series) -> pl.DataFrame:
    """duplicate-key problems: the rows whose key hash is in ``repeated`` are read again (with
    their key cells stripped, as in the first pass) and compared by their keys."""
    parts = []
    for batch in parsed.batches(frozenset(parsed.header) - set(schema.KEY)):
        parts.append(batch.select(*schema.KEY, "line").filter(_KEY_HASH.is_in(repeated.implode())))
    # One contiguous frame: Polars 2.1 can panic ("i < self.len()") formatting the message
    # over string views concatenated from several batches (tests/test_fast_loader.py).
    return _duplicate_rows(pl.concat(parts).rechunk())
