"""mirror: both sides' reports of the same flow, side by side."""

from __future__ import annotations

import polars as pl

from ca_trade.compute.common import select_year, unit_suffix
from ca_trade.figures import candidates


def mirror(
    trade: pl.DataFrame,
    *,
    currency: str,
    rates: dict[int, float],
    year: int | None = None,
    include_derived: bool = True,
) -> pl.DataFrame:
    """Every pair and flow that both sides report, the two values side by side, largest gap first.

    Flows are the partner's (``export`` = partner's exports = the republic's imports). Derived
    figures take part only when ``include_derived`` and are marked.

    Takes the loader's frame. Returns year, partner, area, flow, ``partner_reported<unit>``,
    ``republic_reported<unit>``, ``gap<unit>`` (absolute), ``ratio`` (partner / republic),
    ``gap_index`` (|a-b|/(a+b), 0 = agree, 1 = one side is zero), partner_reporter,
    republic_reporter, partner_basis, republic_basis, partner_derived, republic_derived,
    partner_source_lines, republic_source_lines.
    """
    trade, chosen_year = select_year(trade, year)
    u = unit_suffix(currency)
    pool = candidates(trade, currency, rates)
    if not include_derived:
        pool = pool.filter(~pl.col("derived"))
    keys = ["year", "partner", "area", "flow"]

    def side(name: str) -> pl.DataFrame:
        return pool.filter(pl.col("side") == name).select(
            *keys,
            pl.col("value").alias(f"{name}_reported{u}"),
            pl.col("reporter").alias(f"{name}_reporter"),
            pl.col("basis").alias(f"{name}_basis"),
            pl.col("derived").alias(f"{name}_derived"),
            pl.col("lines").alias(f"{name}_source_lines"),
        )

    a, b = pl.col(f"partner_reported{u}"), pl.col(f"republic_reported{u}")
    flow_order = {"total": 0, "export": 1, "import": 2}
    return (
        side("partner")
        .join(side("republic"), on=keys, how="inner")
        .with_columns(
            (a - b).abs().alias(f"gap{u}"),
            (a / b).alias("ratio"),
            ((a - b).abs() / (a + b)).alias("gap_index"),
        )
        .filter(pl.col("year") == chosen_year)
        .sort(
            pl.col(f"gap{u}"),
            pl.col("flow").replace_strict(flow_order, return_dtype=pl.Int64),
            descending=[True, False],
        )
        .select(
            *keys,
            f"partner_reported{u}",
            f"republic_reported{u}",
            f"gap{u}",
            "ratio",
            "gap_index",
            "partner_reporter",
            "republic_reporter",
            "partner_basis",
            "republic_basis",
            "partner_derived",
            "republic_derived",
            "partner_source_lines",
            "republic_source_lines",
        )
    )
