"""compare: China, the EU and Russia side by side with one area."""

from __future__ import annotations

import polars as pl

from ca_trade import schema
from ca_trade.compute.common import add_balance, figure_columns, select_year, unit_suffix
from ca_trade.figures import FIGURE_FIELDS, Basis, resolve


def compare(
    trade: pl.DataFrame,
    *,
    basis: Basis,
    currency: str,
    rates: dict[int, float],
    year: int | None = None,
    area: str = schema.REGION,
) -> pl.DataFrame:
    """China, the EU and Russia side by side in their trade with ``area`` (CA5 or a republic).

    Takes the loader's frame. Returns one row per partner, ranked by turnover: year, area,
    partner, rank, turnover/exports/imports/balance ``_<cur>_m``, ``turnover_ratio_to_<p>``
    for each other partner, and each measure's provenance columns (``figure_columns``).
    """
    trade, chosen_year = select_year(trade, year)
    figures = resolve(trade, basis, currency, rates).filter(pl.col("area") == area)
    wide = add_balance(figure_columns(figures, currency), currency)
    u = unit_suffix(currency)
    turnover = pl.col("turnover" + u)
    ratios = [
        pl.when(pl.col("partner") != other)
        .then(turnover / turnover.filter(pl.col("partner") == other).first())
        .alias(f"turnover_ratio_to_{other.lower()}")
        for other in schema.PARTNERS
    ]
    measures = ["turnover", "exports", "imports", "balance"]
    provenance = [f"{m}_{f}" for m in measures for f in FIGURE_FIELDS]
    return (
        wide.with_columns(
            turnover.rank(method="min", descending=True).cast(pl.Int64).alias("rank"), *ratios
        )
        .with_columns(pl.lit(basis).alias("basis_rule"))
        .sort(pl.col("rank"), "partner", nulls_last=True)
        .select(
            pl.lit(chosen_year, dtype=pl.Int64).alias("year"),
            "area",
            "partner",
            "rank",
            *[m + u for m in measures],
            *[f"turnover_ratio_to_{p.lower()}" for p in schema.PARTNERS],
            "basis_rule",
            *provenance,
            *[f"{m}_source_lines" for m in measures],
        )
    )
