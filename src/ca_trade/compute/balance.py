"""balance: each partner's balance with each republic and the five."""

from __future__ import annotations

import polars as pl

from ca_trade import schema
from ca_trade.compute.common import add_balance, figure_columns, select_year, unit_suffix
from ca_trade.figures import FIGURE_FIELDS, resolve
from ca_trade.schema import BasisRule, Bound, Perspective


def balance(
    trade: pl.DataFrame,
    *,
    basis: BasisRule,
    currency: str,
    rates: dict[int, float],
    year: int | None = None,
    perspective: Perspective | str = Perspective.partner,
) -> pl.DataFrame:
    """Each partner's balance with each republic and with the five.

    ``perspective="partner"`` (default): exports, imports and balance are the partner's (a
    positive balance is the partner's surplus). ``"republic"`` turns every pair round: the
    republic's exports (= the partner's imports) minus its imports.

    Takes the loader's frame. Returns year, partner, area, exports/imports/turnover/balance
    ``<unit>``, ``balance_pct_of_turnover`` and ``exports_pct_of_turnover`` (of the same
    two flows' sum, so of the same reporters' figures; null when a flow is a bound or partial),
    ``surplus_holder`` (a code, or null when balanced or unknown), ``valuation``,
    ``mixed_reporters`` (exports and imports are different reporters' figures), and each
    measure's provenance columns as in ``compare``.
    """
    perspective = Perspective(perspective)  # an unknown one raises, never a silent partner view
    trade, chosen_year = select_year(trade, year)
    u = unit_suffix(currency)
    figures = resolve(trade, basis, currency, rates)
    wide = figure_columns(figures, currency)
    if perspective is Perspective.republic:  # the republic's exports are the partner's imports
        swap = {"exports": "imports", "imports": "exports"}
        renamed = {}
        for column in wide.columns:
            for a, b in swap.items():
                if column.startswith(a + "_") or column == a + u:
                    renamed[column] = b + column[len(a) :]
        wide = wide.rename(renamed)
    result = add_balance(wide, currency)
    partner_side = perspective.value
    valuation = pl.format(
        "exports {} ({}), imports {} ({})",
        pl.when(pl.col("exports_reporter").is_in(schema.PARTNERS) == (partner_side == "partner"))
        .then(pl.lit("FOB"))
        .otherwise(pl.lit("CIF")),
        "exports_reporter",
        pl.when(pl.col("imports_reporter").is_in(schema.PARTNERS) == (partner_side == "partner"))
        .then(pl.lit("CIF"))
        .otherwise(pl.lit("FOB")),
        "imports_reporter",
    )
    known = pl.col("balance" + u).is_not_null()
    balance_value = pl.col("balance" + u)
    # Percentages of the same two flows' sum: the same reporters as the balance, never another
    # reporter's turnover; only when neither flow is a bound.
    exact = pl.all_horizontal(
        ~pl.col(f"{m}_bound").is_in([Bound.LOWER.value, Bound.UPPER.value]).fill_null(False)
        for m in ("exports", "imports")
    )
    per_turnover = pl.when(known & exact & ~pl.col("balance_partial")).then(
        pl.col("exports" + u) + pl.col("imports" + u)
    )
    result = result.with_columns(
        pl.when(known).then(valuation).alias("valuation"),
        pl.when(known).then(pl.col("balance_mixed")).alias("mixed_reporters"),
    )
    subject = "partner" if perspective is Perspective.partner else "area"
    other = "area" if perspective is Perspective.partner else "partner"
    order = {code: i for i, code in enumerate((*schema.REPUBLICS, schema.REGION))}
    return result.select(
        pl.lit(chosen_year, dtype=pl.Int64).alias("year"),
        "partner",
        "area",
        pl.lit(perspective.value).alias("perspective"),
        "exports" + u,
        "imports" + u,
        "turnover" + u,
        "balance" + u,
        (balance_value / per_turnover * 100).alias("balance_pct_of_turnover"),
        (pl.col("exports" + u) / per_turnover * 100).alias("exports_pct_of_turnover"),
        pl.when(balance_value > 0)
        .then(pl.col(subject))
        .when(balance_value < 0)
        .then(pl.col(other))
        .alias("surplus_holder"),
        "valuation",
        "mixed_reporters",
        *[f"{m}_{f}" for m in ("exports", "imports", "turnover", "balance") for f in FIGURE_FIELDS],
        *[f"{m}_source_lines" for m in ("exports", "imports", "turnover", "balance")],
    ).sort("partner", pl.col("area").replace_strict(order, return_dtype=pl.Int64))


def surplus_summary(balances: pl.DataFrame) -> pl.DataFrame:
    """Per partner, the republics that run a surplus with it (from ``balance``, partner view).

    Returns partner, republics_with_surplus (list), republics_with_balance (how many had one).
    """
    republics = balances.filter(pl.col("area").is_in(schema.REPUBLICS))
    balance_column = next(
        c for c in balances.columns if c.startswith("balance_") and c.endswith("_m")
    )
    return republics.group_by("partner", maintain_order=True).agg(
        pl.col("area")
        .filter(pl.col("surplus_holder") == pl.col("area"))
        .alias("republics_with_surplus"),
        pl.col(balance_column).is_not_null().sum().alias("republics_with_balance"),
    )


def balance_report(
    trade: pl.DataFrame,
    *,
    basis: BasisRule,
    currency: str,
    rates: dict[int, float],
    year: int | None = None,
    perspective: Perspective | str = Perspective.partner,
    partner: str | None = None,
    republic: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``balance``'s rows for one partner and/or republic (all when None), and the surplus
    summary per partner (``surplus_summary``, always from the partner's side)."""

    def seen_from(side: Perspective | str) -> pl.DataFrame:
        return balance(
            trade, basis=basis, currency=currency, rates=rates, year=year, perspective=side
        )

    result = seen_from(perspective)
    partner_side = (
        result if Perspective(perspective) is Perspective.partner else seen_from("partner")
    )
    summary = surplus_summary(partner_side)
    if partner:
        result = result.filter(pl.col("partner") == partner)
        summary = summary.filter(pl.col("partner") == partner)
    if republic:
        result = result.filter(pl.col("area") == republic)
    return result, summary
