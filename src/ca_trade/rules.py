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

PROBLEM_SCHEMA = {
    "rule": pl.String,
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "message": pl.String,
    "hint": pl.String,
}


def _problem(
    rule: str, line: int | None, column: str | None, value: str | None, message: str, hint: str
) -> dict[str, object]:
    return {
        "rule": rule,
        "line": line,
        "column": column,
        "value": value,
        "message": message,
        "hint": hint,
    }


def _header_problems(header: list[str]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        if not name:
            found.append(
                _problem(
                    "blank-column-name",
                    1,
                    f"#{index}",
                    "",
                    f"column {index} has no name",
                    "name every column in the header",
                )
            )
        elif name in seen:
            found.append(
                _problem(
                    "duplicate-column",
                    1,
                    name,
                    name,
                    f"column {name!r} appears twice",
                    "remove or rename one of them",
                )
            )
        seen.add(name)
    for name in schema.REQUIRED:
        if name not in seen:
            near = [h for h in header if h.lower().replace(" ", "_") == name]
            hint = (
                f"rename {near[0]!r} to {name!r}"
                if near
                else "the header must be: " + ",".join(schema.COLUMNS)
            )
            found.append(
                _problem(
                    "missing-column", 1, name, None, f"required column {name!r} is missing", hint
                )
            )
    return found


def _ragged_problems(parsed: Parsed) -> list[dict[str, object]]:
    width = len(parsed.header)
    found = []
    for record in parsed.ragged:
        many = "too many" if record.fields > width else "too few"
        # The first field past the header, or the first header column with no field.
        at = min(record.fields, width)
        column = parsed.header[at] if at < width and parsed.header[at] else f"#{at + 1}"
        found.append(
            _problem(
                "ragged-row",
                record.line,
                column,
                record.extra,
                f"{many} fields: {record.fields} where the header has {width}",
                "quote fields that contain the delimiter, or check the --delimiter",
            )
        )
    return found


def _number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64, strict=False)


@dataclass(frozen=True)
class Rule:
    """One data rule on one column: which rows break it, what to say and what to try."""

    rule: str
    column: str
    flagged: pl.Expr
    message: pl.Expr
    hint: str


def _rule_rows(frame: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    return frame.filter(rule.flagged).select(
        pl.lit(rule.rule).alias("rule"),
        pl.col("line"),
        pl.lit(rule.column).alias("column"),
        pl.col(rule.column).alias("value"),
        rule.message.alias("message"),
        pl.lit(rule.hint).alias("hint"),
    )


def _row_rules(
    present: set[str], rates: dict[int, float] | None, unknown_codes: list[str]
) -> list[Rule]:
    """The rules that look at one row at a time, for the required columns that are present.

    ``unknown_codes`` are the reporter/partner values that ``codes.is_known`` refuses.
    """
    rules: list[Rule] = []
    blank = {c: pl.col(c) == "" for c in schema.REQUIRED if c in present}
    for column, is_blank in blank.items():
        rules.append(
            Rule(
                "empty-value",
                column,
                is_blank,
                pl.lit(f"{column} is empty"),
                "every column but note needs a value; leave an unpublished figure out",
            )
        )
    if "year" in present:
        year = pl.col("year").cast(pl.Int64, strict=False)
        rules.append(
            Rule(
                "bad-year",
                "year",
                ~blank["year"] & (year.is_null() | ~year.is_between(1900, 2100)),
                pl.format("year {} is not a four-digit year", pl.col("year")),
                "write the year as e.g. 2024",
            )
        )
    if "value_millions" in present:
        value = pl.col("value_millions")
        number = _number("value_millions")
        not_number = ~blank["value_millions"] & number.is_null()
        separator = value.str.contains(r"\d[,\s\u00a0\u202f']\d")
        minus = value.str.contains("[\u2212\u2012\u2013\u2014\ufe63\uff0d]")
        rules += [
            Rule(
                "bad-number",
                "value_millions",
                not_number & separator,
                pl.format("{} is not a plain number (thousands separator or decimal comma)", value),
                "write plain numbers with a dot for decimals and no separators, e.g. 1234.5",
            ),
            Rule(
                "bad-number",
                "value_millions",
                not_number & ~separator & minus,
                pl.format("{} has a typographic minus or dash, not the ASCII '-'", value),
                "type the number with an ASCII hyphen-minus (and note that values cannot be "
                "negative)",
            ),
            Rule(
                "bad-number",
                "value_millions",
                not_number & ~separator & ~minus,
                pl.format("{} is not a number", value),
                "write plain numbers with a dot for decimals, e.g. 1234.5 (ASCII minus, no units)",
            ),
            Rule(
                "non-finite-number",
                "value_millions",
                number.is_not_null() & ~number.is_finite(),
                pl.format("{} is not a finite number", value),
                "leave an unpublished figure out rather than writing NaN or inf",
            ),
            Rule(
                "negative-value",
                "value_millions",
                number.is_finite() & (number < 0),
                pl.format("{} is negative, but exports, imports and turnover cannot be", value),
                "write the flow's size; balances are computed, not stored",
            ),
        ]
    messages = {c: codes.message(c) for c in unknown_codes}  # closest() is cached per code
    for column in ("reporter", "partner"):
        if column in present:
            code = pl.col(column)
            rules.append(
                Rule(
                    "unknown-code",
                    column,
                    ~blank[column] & code.is_in(unknown_codes),
                    code.replace_strict(messages, default=None, return_dtype=pl.String),
                    codes.HINT,
                )
            )
    if {"reporter", "partner"} <= present:
        rules.append(
            Rule(
                "same-reporter-partner",
                "partner",
                ~blank["partner"] & (pl.col("reporter") == pl.col("partner")),
                pl.format("reporter and partner are both {}", pl.col("partner")),
                "a row is one side's trade with another",
            )
        )
    allowed = (
        ("flow", schema.FLOWS),
        ("currency", schema.CURRENCIES),
        ("basis", schema.BASES),
    )
    if schema.BOUND in present:
        bound = pl.col(schema.BOUND)
        rules.append(
            Rule(
                "bad-bound",
                schema.BOUND,
                (bound != "") & ~bound.is_in(schema.BOUNDS),
                pl.format("{} is not one of " + ", ".join(schema.BOUNDS), bound),
                "leave bound empty for an exact figure; lower for 'exceeded'/'over', upper for "
                "'under'/'less than', approx for 'about'/'nearly'",
            )
        )
    for column, values in allowed:
        if column in present:
            rules.append(
                Rule(
                    f"bad-{column}",
                    column,
                    ~blank[column] & ~pl.col(column).is_in(values),
                    pl.format("{} is not one of " + ", ".join(values), pl.col(column)),
                    f"use {'/'.join(values)} (lower case for flow and basis)",
                )
            )
    if "source_url" in present:
        rules.append(
            Rule(
                "bad-url",
                "source_url",
                ~blank["source_url"] & ~pl.col("source_url").str.contains(r"^https?://\S+$"),
                pl.format("{} is not an http(s) URL", pl.col("source_url")),
                "give the address of the publication",
            )
        )
    if rates is not None and {"currency", "year"} <= present:
        year = pl.col("year").cast(pl.Int64, strict=False)
        rules.append(
            Rule(
                "no-exchange-rate",
                "currency",
                (pl.col("currency") == "EUR") & year.is_not_null() & ~year.is_in(list(rates)),
                pl.format("no EUR/USD rate for year {}", pl.col("year")),
                "add the ECB annual average for that year to the rates file",
            )
        )
    return rules


def _duplicate_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows repeating an earlier row's key, from a frame holding every row of each such key."""
    # The first line of each key is computed before filtering (a rule's message is evaluated
    # on the flagged rows only).
    keyed = frame.with_columns(pl.col("line").min().over(list(schema.KEY)).alias("_first_line"))
    return _rule_rows(
        keyed,
        Rule(
            "duplicate-key",
            "flow",
            pl.col("line") != pl.col("_first_line"),
            pl.format(
                "{} {} {} {} repeats the key of line {}",
                "year",
                "reporter",
                "partner",
                "flow",
                "_first_line",
            ),
            "keep one figure per (year, reporter, partner, flow); put the others in note",
        ),
    )


def typed(frame: pl.DataFrame) -> pl.DataFrame:
    """A batch of strings, typed: ``schema.LOADED`` and ``line``.

    year Int64, value_millions Float64 (cast leniently: a row that does not cast is a problem
    reported anyway), others String, note and bound stripped and null when empty or absent (a
    batch may hold note unstripped); other columns dropped.
    """
    for optional in ("note", schema.BOUND):
        if optional not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(optional))
    note = pl.col("note").str.strip_chars(WHITESPACE)
    bound = pl.col(schema.BOUND).str.strip_chars(WHITESPACE)
    return frame.select(
        pl.col("year").cast(pl.Int64, strict=False),
        *[pl.col(c) for c in ("reporter", "partner", "flow")],
        pl.col("value_millions").cast(pl.Float64, strict=False),
        *[pl.col(c) for c in ("currency", "basis", "source", "source_url")],
        pl.when(note == "").then(None).otherwise(note).alias("note"),
        pl.when(bound == "").then(None).otherwise(bound).alias(schema.BOUND),
        pl.col("line"),
    )


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
