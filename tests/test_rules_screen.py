"""The screen (``rules._Screen``) is a superset of the row rules: every row a rule flags, the
screen flags too, so a row the screen lets through is never checked less."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ca_trade import codes, rules, schema
from ca_trade.records import WHITESPACE

RATES = {2023: 1.0813, 2024: 1.0824}
CELLS = {
    "year": ["2024", "2023", "1899", "20x4", "", " 2024", "2019", "2101"],
    "reporter": ["KAZ", "CHN", "XXX", "kaz", "", " KAZ", "CA5", "Kazakhstan"],
    "partner": ["CHN", "KAZ", "WLD", "XYZ", "", "CHN ", "EU27"],
    "flow": ["export", "import", "total", "Export", "", "exports", " total"],
    "value_millions": ["1.5", "0", "-1", "1,5", "NaN", "inf", "", "1e3", "abc", "1 000", "−2"],
    "currency": ["USD", "EUR", "usd", "", "RUB", " EUR"],
    "basis": ["official", "compiled", "unstated", "", "Official", "estimate"],
    "source": ["GACC", "", " ", "x"],
    "source_url": ["https://e.org/a", "ftp://x", "", "https://e.org/a b", " https://e.org/a"],
    "note": ["", "n", "two\nlines"],
    schema.BOUND: ["", "lower", "upper", "approx", "exceeded", " lower", "Lower"],
}


@st.composite
def batches(draw: st.DrawFn) -> pl.DataFrame:
    columns = draw(
        st.lists(st.sampled_from(list(CELLS)), min_size=1, unique=True).map(
            lambda names: [n for n in CELLS if n in names]
        )
    )
    height = draw(st.integers(1, 12))
    data = {c: [draw(st.sampled_from(CELLS[c])) for _ in range(height)] for c in columns}
    frame = pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String))
    return frame.with_columns(pl.int_range(2, height + 2, dtype=pl.Int64).alias("line"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches(), with_rates=st.booleans())
def test_the_screen_flags_every_row_a_rule_flags(batch: pl.DataFrame, with_rates: bool) -> None:
    present = set(batch.columns) - {"line"}
    rates = RATES if with_rates else None
    screened = batch.select(rules._Screen(present, rates)(batch).alias("s")).get_column("s")
    stripped = batch.with_columns(
        pl.col(c).str.strip_chars(WHITESPACE) for c in rules.SCREENED & present
    )
    found = [
        c
        for column in ("reporter", "partner")
        if column in present
        for c in stripped.get_column(column).to_list()
        if c
    ]
    unknown = codes.unknown(found)
    for rule in rules._row_rules(present, rates, unknown):
        flagged = stripped.select(rule.flagged.fill_null(False).alias("f")).get_column("f")
        missed = batch.filter(flagged & ~screened)
        assert missed.is_empty(), (rule.rule, missed.to_dicts())
