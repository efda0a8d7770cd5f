"""compare: China, the EU and Russia side by side with one area."""

from __future__ import annotations

import polars as pl

from ca_trade import bounds, schema
from ca_trade.compute.common import add_balance, figure_columns, select_year, unit_suffix
from ca_trade.figures import FIGURE_FIELDS, mixes, resolve
from ca_trade.schema import BasisRule


def compare(
    trade: pl.DataFrame,
    *,
    basis: BasisRule,
    currency: str,
    rates: dict[int, float],
    year: int | None = None,
    area: str = schema.REGION,
) -> pl.DataFrame:
    """China, the EU and Russia side by side in their trade with ``area`` (CA5 or a republic).

    Takes the loader's frame. Returns one row per partner, ranked by turnover: year, area,
    partner, rank, rank_mixed (the ranked turnovers are more than one reporter's statistics),
    turnover/exports/imports/balance ``_<cur>_m``, for each other partner
    ``turnover_ratio_to_<p>`` with its ``_bound`` and ``_mixed`` (the two turnovers are
    different reporters' statistics), and each measure's provenance columns
    (``figure_columns``). A ratio whose bounds leave nothing decidable is null, and so are
    the rank and ratios of a partial turnover (covering only some of the republics).
    """
    trade, chosen_year = select_year(trade, year)
    figures = resolve(trade, basis, currency, rates).filter(pl.col("area") == area)
    wide = add_balance(figure_columns(figures, currency), currency)
    u = unit_suffix(currency)
    turnover = pl.col("turnover" + u)
    # Only whole figures are ranked and compared: a turnover covering some of the five
    # republics is not set against another covering all of them.
    whole = turnover.is_not_null() & ~pl.col("turnover_partial").fill_null(False)
    ratios = []
    for other in schema.PARTNERS:
        name = f"turnover_ratio_to_{other.lower()}"

        def of_other(column: str, other: str = other) -> pl.Expr:
            return pl.col(column).filter(pl.col("partner") == other).first()

        bound = bounds.combine([pl.col("turnover_bound")], [of_other("turnover_bound")])
        comparable = (
            (pl.col("partner") != other) & whole & ~of_other("turnover_partial").fill_null(True)
        )
        decidable = comparable & (bound.fill_null("") != bounds.UNDECIDABLE)
        ratios += [
            pl.when(decidable).then(turnover / of_other("turnover" + u)).alias(name),
            pl.when(comparable).then(bound).alias(f"{name}_bound"),
            pl.when(comparable)
            .then(
                mixes(
                    pl.concat_list(
                        pl.col("turnover_reporters"), of_other("turnover_reporters")
                    ).list.unique()
                )
            )
            .alias(f"{name}_mixed"),
        ]
    # The ranking sets every partner's turnover against the others': mixed when they are not
    # all one reporter's statistics.
    ranked = whole
    ranking_mixed = mixes(
        pl.col("turnover_reporters").filter(ranked).explode().unique().implode()
    ).first()
    measures = ["turnover", "exports", "imports", "balance"]
    provenance = [f"{m}_{f}" for m in measures for f in FIGURE_FIELDS]
    ratio_columns = [
        f"turnover_ratio_to_{p.lower()}{suffix}"
        for p in schema.PARTNERS
        for suffix in ("", "_bound", "_mixed")
    ]
    return (
        wide.with_columns(
            pl.when(whole)
            .then(turnover)
            .rank(method="min", descending=True)
            .cast(pl.Int64)
            .alias("rank"),
            ranking_mixed.alias("rank_mixed"),
            *ratios,
        )
        .with_columns(pl.lit(basis).alias("basis_rule"))
        .sort(pl.col("rank"), "partner", nulls_last=True)
        .select(
            pl.lit(chosen_year, dtype=pl.Int64).alias("year"),
            "area",
            "partner",
            "rank",
            "rank_mixed",
            *[m + u for m in measures],
            *ratio_columns,
            "basis_rule",
            *provenance,
            *[f"{m}_source_lines" for m in measures],
        )
    )
