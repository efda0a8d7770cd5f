"""One partner-area-flow figure over the years, with a change only where it is like with like.

``series`` picks each year's figure by the same rules as every other command
(``figures.resolve``: the basis rule, derivation, the region's coverage), then sets each year
beside the year before it. A change is computed only when both years have a figure from the
same reporter with the same coverage; where the reporter or the coverage changes the row is a
*break* (``break_before``) and says why, so that a line across a change of source is never read
as growth. A year with no figure is a gap (null value, with the reason), never zero. A figure
published as a bound ("just over $49.5bn") keeps its ``bound``; a change from or to one is a
bound too, or, when the bounds pull both ways, not decidable (``bounds``), as in ``growth``.
"""

from __future__ import annotations

import polars as pl

from ca_trade import bounds, schema
from ca_trade.figures import resolve
from ca_trade.schema import BasisRule

FLOW_MEASURE = {"total": "turnover", "export": "exports", "import": "imports"}

# Whose figures a reporter's are, for the break reasons and the chart's legend.
WHOSE = {
    "CHN": "China's customs",
    "EU27": "the EU's figures",
    "RUS": "Russia's figures",
    "KAZ": "Kazakhstan's statistics",
    "KGZ": "Kyrgyzstan's statistics",
    "TJK": "Tajikistan's statistics",
    "TKM": "Turkmenistan's figures",
    "UZB": "Uzbekistan's statistics",
    schema.REGION: "a compilation of the five's statistics",
}


def whose(reporter: str | None) -> str:
    """'China's customs' for CHN; 'KAZ+KGZ statistics' for a sum of several reporters."""
    if reporter is None:
        return "—"
    codes = reporter.split(",")
    if len(codes) == 1:
        return WHOSE.get(codes[0], codes[0])
    return "+".join(codes) + " (summed)"


def _whose_expr(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .map_elements(whose, return_dtype=pl.String, skip_nulls=True)
        .fill_null("no figure")
    )


def series(
    trade: pl.DataFrame,
    *,
    partner: str,
    area: str,
    flow: str,
    basis: BasisRule,
    currency: str,
    rates: dict[int, float],
) -> pl.DataFrame:
    """Each year's figure for ``partner`` and ``area`` (a republic or CA5) and ``flow``.

    Takes the loader's frame (every year wanted). Returns one row per year in the data, oldest
    first: year, partner, area, measure, ``value<unit>``, reporter, whose (the reporter in
    words), reporters, basis, derived, coverage, covers, partial, mixed, fx_rate,
    missing_reason, bound (``figures.resolve``'s), value_source_lines (the data rows' lines),
    then the change
    from the year before: ``change<unit>``, change_pct (null unless comparable), change_bound
    (a change from a bound is a bound, or ``undecidable``: ``bounds``), comparable,
    break_before (both years have a figure but the reporter or the coverage differs),
    no_change_reason, and basis_rule.
    """
    u = f"_{currency.lower()}_m"
    years = sorted(trade.get_column("year").unique().to_list())
    figures = resolve(trade, basis, currency, rates).filter(
        (pl.col("partner") == partner) & (pl.col("area") == area) & (pl.col("flow") == flow)
    )
    grid = pl.DataFrame({"year": years}, schema={"year": pl.Int64})
    rows = grid.join(figures, on="year", how="left").sort("year")
    before = pl.col("year").shift(1)
    prev_value, value = pl.col("value").shift(1), pl.col("value")
    adjacent = (pl.col("year") - before) == 1
    both = adjacent & value.is_not_null() & prev_value.is_not_null()
    same_reporter = pl.col("reporter") == pl.col("reporter").shift(1)
    covers = pl.col("covers").list.sort()
    same_coverage = covers == covers.shift(1)
    like = both & same_reporter & same_coverage
    # A change from or to a bound is a bound, or not decidable (``bounds``), as in growth.
    bound = bounds.combine([pl.col("bound")], [pl.col("bound").shift(1)])
    decidable = bound.fill_null("") != bounds.UNDECIDABLE
    comparable = (like & decidable).fill_null(False)
    year_text = pl.col("year").cast(pl.String)
    prev_text = (pl.col("year") - 1).cast(pl.String)
    reason = (
        pl.when(before.is_null())
        .then(pl.lit("the first year in the data"))
        .when(~adjacent)
        .then(pl.format("the data hold no {} figures", prev_text))
        .when(value.is_null())
        .then(pl.format("no {} figure: {}", year_text, pl.col("missing_reason")))
        .when(prev_value.is_null())
        .then(pl.format("no {} figure: {}", prev_text, pl.col("missing_reason").shift(1)))
        .when(~same_reporter)
        .then(
            pl.format(
                "reporter changes: {} from {}, {} from {}",
                prev_text,
                _whose_expr("reporter").shift(1),
                year_text,
                _whose_expr("reporter"),
            )
        )
        .when(~same_coverage)
        .then(
            pl.format(
                "coverage changes: {} {}, {} {}",
                prev_text,
                pl.col("coverage").shift(1),
                year_text,
                pl.col("coverage"),
            )
        )
        .when(~decidable)
        .then(
            pl.format(
                "{} ({}: {}; {}: {})",
                pl.lit(bounds.REASON),
                prev_text,
                pl.col("bound").shift(1).fill_null("exact"),
                year_text,
                pl.col("bound").fill_null("exact"),
            )
        )
    )
    return rows.select(
        "year",
        pl.lit(partner).alias("partner"),
        pl.lit(area).alias("area"),
        pl.lit(FLOW_MEASURE[flow]).alias("measure"),
        value.alias(f"value{u}"),
        "reporter",
        "reporters",
        pl.when(value.is_not_null()).then(_whose_expr("reporter")).alias("whose"),
        "basis",
        "derived",
        "coverage",
        "covers",
        "partial",
        "mixed",
        "fx_rate",
        "missing_reason",
        "bound",
        pl.col("lines").alias("value_source_lines"),
        pl.when(comparable).then(value - prev_value).alias(f"change{u}"),
        pl.when(comparable & (prev_value != 0))
        .then((value - prev_value) / prev_value * 100)
        .alias("change_pct"),
        pl.when(like).then(bound).alias("change_bound"),
        comparable.alias("comparable"),
        (both & ~(same_reporter & same_coverage)).fill_null(False).alias("break_before"),
        pl.when(~comparable).then(reason).alias("no_change_reason"),
        pl.lit(basis).alias("basis_rule"),
    )
