"""The rules themselves: each a named Polars expression with a stable slug, and the typed frame."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ca_trade import codes, schema
from ca_trade.records import WHITESPACE, Parsed

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
