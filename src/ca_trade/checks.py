"""The data rules, as named Polars expressions, and the typed frame built once they pass.

Each rule has a stable slug (used by ``ca-trade validate`` and in tests). Problems are data:
``find_problems`` returns them all as a frame (rule, line, column, value, message, hint), sorted by
line, and ``load.read_trade`` raises the first.

Extra columns beyond the schema are allowed and ignored (a user may keep notes of their own);
a missing required column, a duplicate or blank column name is a problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import polars as pl

from ca_trade import schema

if TYPE_CHECKING:
    from ca_trade.load import Parsed

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
    for line, record in zip(parsed.lines, parsed.records, strict=True):
        if len(record) != width:
            many = "too many" if len(record) > width else "too few"
            # The first field past the header, or the first header column with no field.
            at = min(len(record), width)
            column = parsed.header[at] if at < width and parsed.header[at] else f"#{at + 1}"
            found.append(
                _problem(
                    "ragged-row",
                    line,
                    column,
                    record[width] if len(record) > width else None,
                    f"{many} fields: {len(record)} where the header has {width}",
                    "quote fields that contain the delimiter, or check the --delimiter",
                )
            )
    return found


def string_frame(parsed: Parsed) -> pl.DataFrame:
    """Records as a frame of strings, one column per header name, plus ``line``.

    Ragged records are padded or cut to the header's width (they are reported separately);
    duplicate header names keep their first column.
    """
    columns: dict[str, list[str]] = {}
    for index, name in enumerate(parsed.header):
        if name and name not in columns:
            columns[name] = [r[index] if index < len(r) else "" for r in parsed.records]
    # The line column comes last but sets the height, also when no header cell has a name.
    return pl.DataFrame(
        [pl.Series(name, values, dtype=pl.String) for name, values in columns.items()]
        + [pl.Series("line", parsed.lines, dtype=pl.Int64)]
    )


def _number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64, strict=False)


def _rule_rows(
    frame: pl.DataFrame, rule: str, column: str, flagged: pl.Expr, message: pl.Expr, hint: str
) -> pl.DataFrame:
    return frame.filter(flagged).select(
        pl.lit(rule).alias("rule"),
        pl.col("line"),
        pl.lit(column).alias("column"),
        pl.col(column).alias("value"),
        message.alias("message"),
        pl.lit(hint).alias("hint"),
    )


def _value_rules(frame: pl.DataFrame) -> Iterable[pl.DataFrame]:
    """Rules on cell values, only for the required columns that are present."""
    present = set(frame.columns)
    blank = {c: pl.col(c) == "" for c in schema.REQUIRED if c in present}
    for column, is_blank in blank.items():
        yield _rule_rows(
            frame,
            "empty-value",
            column,
            is_blank,
            pl.lit(f"{column} is empty"),
            "every column but note needs a value; leave an unpublished figure out",
        )
    if "year" in present:
        year = pl.col("year").cast(pl.Int64, strict=False)
        yield _rule_rows(
            frame,
            "bad-year",
            "year",
            ~blank["year"] & (year.is_null() | ~year.is_between(1900, 2100)),
            pl.format("year {} is not a four-digit year", pl.col("year")),
            "write the year as e.g. 2024",
        )
    if "value_millions" in present:
        value = pl.col("value_millions")
        number = _number("value_millions")
        not_number = ~blank["value_millions"] & number.is_null()
        separator = value.str.contains(r"\d[,\s\u00a0\u202f']\d")
        minus = value.str.contains("[\u2212\u2012\u2013\u2014\ufe63\uff0d]")
        yield _rule_rows(
            frame,
            "bad-number",
            "value_millions",
            not_number & separator,
            pl.format("{} is not a plain number (thousands separator or decimal comma)", value),
            "write plain numbers with a dot for decimals and no separators, e.g. 1234.5",
        )
        yield _rule_rows(
            frame,
            "bad-number",
            "value_millions",
            not_number & ~separator & minus,
            pl.format("{} has a typographic minus or dash, not the ASCII '-'", value),
            "type the number with an ASCII hyphen-minus (and note that values cannot be negative)",
        )
        yield _rule_rows(
            frame,
            "bad-number",
            "value_millions",
            not_number & ~separator & ~minus,
            pl.format("{} is not a number", value),
            "write plain numbers with a dot for decimals, e.g. 1234.5 (ASCII minus, no units)",
        )
        yield _rule_rows(
            frame,
            "non-finite-number",
            "value_millions",
            number.is_not_null() & ~number.is_finite(),
            pl.format("{} is not a finite number", value),
            "leave an unpublished figure out rather than writing NaN or inf",
        )
        yield _rule_rows(
            frame,
            "negative-value",
            "value_millions",
            number.is_finite() & (number < 0),
            pl.format("{} is negative, but exports, imports and turnover cannot be", value),
            "write the flow's size; balances are computed, not stored",
        )
    code_rules = (("reporter", schema.REPORTERS), ("partner", schema.COUNTERPARTS))
    for column, known in code_rules:
        if column in present:
            code = pl.col(column)
            unknown = (
                ~blank[column] & ~code.is_in(known) & ~code.str.contains(schema.OTHER_CODE.pattern)
            )
            yield _rule_rows(
                frame,
                "unknown-code",
                column,
                unknown,
                pl.format("{} is not a known country or area code", code),
                "use ISO 3166 alpha-3 codes in capitals (KAZ, CHN, RUS), or EU27, CA5, WLD",
            )
    if {"reporter", "partner"} <= present:
        yield _rule_rows(
            frame,
            "same-reporter-partner",
            "partner",
            ~blank["partner"] & (pl.col("reporter") == pl.col("partner")),
            pl.format("reporter and partner are both {}", pl.col("partner")),
            "a row is one side's trade with another",
        )
    allowed = (
        ("flow", schema.FLOWS),
        ("currency", schema.CURRENCIES),
        ("basis", schema.BASES),
    )
    for column, values in allowed:
        if column in present:
            yield _rule_rows(
                frame,
                f"bad-{column}",
                column,
                ~blank[column] & ~pl.col(column).is_in(values),
                pl.format("{} is not one of " + ", ".join(values), pl.col(column)),
                f"use {'/'.join(values)} (lower case for flow and basis)",
            )
    if "source_url" in present:
        yield _rule_rows(
            frame,
            "bad-url",
            "source_url",
            ~blank["source_url"] & ~pl.col("source_url").str.contains(r"^https?://\S+$"),
            pl.format("{} is not an http(s) URL", pl.col("source_url")),
            "give the address of the publication",
        )
    if set(schema.KEY) <= present:
        # The first line of each key is computed before filtering (a rule's message is
        # evaluated on the flagged rows only).
        keyed = frame.with_columns(pl.col("line").min().over(list(schema.KEY)).alias("_first_line"))
        yield _rule_rows(
            keyed,
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
        )


def find_problems(parsed: Parsed, rates: dict[int, float] | None = None) -> pl.DataFrame:
    """Every rule a parsed file breaks, sorted by line: rule, line, column, value, message, hint."""
    found = _header_problems(parsed.header) + _ragged_problems(parsed)
    if not parsed.records:
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
    frames = [pl.DataFrame(found, schema=PROBLEM_SCHEMA)]
    if parsed.records:
        frame = string_frame(parsed)
        # A ragged row's cells are not where the header says, so it gets no value rules.
        ragged = {int(str(problem["line"])) for problem in found if problem["rule"] == "ragged-row"}
        frames.extend(_value_rules(frame.filter(~pl.col("line").is_in(list(ragged)))))
        if rates is not None and {"currency", "year"} <= set(frame.columns):
            year = pl.col("year").cast(pl.Int64, strict=False)
            frames.append(
                _rule_rows(
                    frame,
                    "no-exchange-rate",
                    "currency",
                    (pl.col("currency") == "EUR") & year.is_not_null() & ~year.is_in(list(rates)),
                    pl.format("no EUR/USD rate for year {}", pl.col("year")),
                    "add the ECB annual average for that year to the rates file",
                )
            )
    return pl.concat([f.cast(PROBLEM_SCHEMA) for f in frames]).sort(  # type: ignore[arg-type]
        "line", "column", nulls_last=False, maintain_order=True
    )


def typed_frame(parsed: Parsed) -> pl.DataFrame:
    """The records of a file that passed ``find_problems``, typed.

    Returns ``schema.COLUMNS`` (year Int64, value_millions Float64, others String, note null when
    empty) and ``line``. Columns outside the schema are dropped.
    """
    frame = string_frame(parsed)
    if "note" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("note"))
    return frame.select(
        pl.col("year").cast(pl.Int64),
        *[pl.col(c) for c in ("reporter", "partner", "flow")],
        pl.col("value_millions").cast(pl.Float64),
        *[pl.col(c) for c in ("currency", "basis", "source", "source_url")],
        pl.when(pl.col("note") == "").then(None).otherwise(pl.col("note")).alias("note"),
        pl.col("line"),
    )
