"""What every calculation shares: units, the year, figures side by side, the balance."""

from __future__ import annotations

import polars as pl

from ca_trade import bounds
from ca_trade.figures import BASIS_RANK, FIGURE_FIELDS, RANK_BASIS, mixes
from ca_trade.schema import Currency

FLOW_MEASURE = {"total": "turnover", "export": "exports", "import": "imports"}


def unit_suffix(currency: str) -> str:
    """Column suffix for values in millions of ``currency``: ``_usd_m`` or ``_eur_m``."""
    return f"_{Currency(currency).value.lower()}_m"


def select_year(trade: pl.DataFrame, year: int | None) -> tuple[pl.DataFrame, int]:
    """Rows of one year (the latest in the data when ``year`` is None), and that year."""
    years = sorted(trade.get_column("year").unique().to_list())
    chosen = years[-1] if year is None else year
    return trade.filter(pl.col("year") == chosen), chosen


def figure_columns(figures: pl.DataFrame, currency: str) -> pl.DataFrame:
    """One row per (year, partner, area) with each flow's value and provenance side by side.

    Takes ``figures.resolve`` output. Returns year, partner, area and, for each measure
    (turnover, exports, imports): ``<measure>_<cur>_m`` and ``<measure>_`` + each of
    ``figures.FIGURE_FIELDS`` (reporter, basis, derived, coverage, partial, mixed, bound,
    fx_rate, missing_reason), and ``<measure>_source_lines``.
    """
    keys = ["year", "partner", "area"]
    out = figures.select(keys).unique(maintain_order=True)
    for flow, measure in FLOW_MEASURE.items():
        part = figures.filter(pl.col("flow") == flow).select(
            *keys,
            pl.col("value").alias(measure + unit_suffix(currency)),
            *[pl.col(f).alias(f"{measure}_{f}") for f in FIGURE_FIELDS],
            pl.col("lines").alias(f"{measure}_source_lines"),
        )
        out = out.join(part, on=keys, how="left")
    return out


def _joined(a: str, b: str) -> pl.Expr:
    """'X' when both columns agree, else 'exports: X; imports: Y' (null-safe)."""
    return (
        pl.when(pl.col(a).eq_missing(pl.col(b)))
        .then(pl.col(a))
        .otherwise(
            pl.format(
                "exports: {}; imports: {}", pl.col(a).fill_null("—"), pl.col(b).fill_null("—")
            )
        )
    )


def weakest_basis(*columns: str) -> pl.Expr:
    """The weakest data basis among ``columns`` (official < compiled < unstated), null-safe."""
    return pl.max_horizontal(
        pl.col(c).replace_strict(BASIS_RANK, default=None, return_dtype=pl.Int64) for c in columns
    ).replace_strict(RANK_BASIS, default=None, return_dtype=pl.String)


def reporters_of(*columns: str) -> pl.Expr:
    """The distinct reporters of typed ``*_reporters`` list columns together, sorted."""
    return pl.concat_list(pl.col(c).fill_null([]) for c in columns).list.unique().list.sort()


def add_balance(wide: pl.DataFrame, currency: str) -> pl.DataFrame:
    """Add the partner's balance (exports - imports) and its provenance to ``figure_columns``.

    Adds ``balance_<cur>_m`` (null unless both flows exist and their bounds leave it
    decidable), ``balance_reporter``, ``balance_basis``, ``balance_derived``,
    ``balance_coverage``, ``balance_partial``, ``balance_mixed`` (its two flows come from more
    than one reporter), ``balance_bound``, ``balance_fx_rate``, ``balance_missing_reason`` and
    ``balance_source_lines``.
    """
    u = unit_suffix(currency)
    exports, imports = pl.col("exports" + u), pl.col("imports" + u)
    both = exports.is_not_null() & imports.is_not_null()
    bound = bounds.combine([pl.col("exports_bound")], [pl.col("imports_bound")])
    decidable = both & (bound.fill_null("") != bounds.UNDECIDABLE)
    return wide.with_columns(
        pl.when(decidable).then(exports - imports).alias("balance" + u),
        pl.when(both)
        .then(_joined("exports_reporter", "imports_reporter"))
        .alias("balance_reporter"),
        pl.when(both).then(weakest_basis("exports_basis", "imports_basis")).alias("balance_basis"),
        pl.when(both)
        .then(pl.col("exports_derived") | pl.col("imports_derived"))
        .alias("balance_derived"),
        pl.when(both)
        .then(_joined("exports_coverage", "imports_coverage"))
        .alias("balance_coverage"),
        pl.when(both)
        .then(pl.col("exports_covers").list.set_intersection("imports_covers").list.sort())
        .alias("balance_covers"),
        pl.when(both)
        .then(pl.col("exports_partial") | pl.col("imports_partial"))
        .alias("balance_partial"),
        pl.when(both)
        .then(reporters_of("exports_reporters", "imports_reporters"))
        .alias("balance_reporters"),
        pl.when(both)
        .then(mixes(reporters_of("exports_reporters", "imports_reporters")))
        .alias("balance_mixed"),
        pl.when(both).then(bound).alias("balance_bound"),
        pl.lit(None, dtype=pl.Float64).alias("balance_alternative_value"),
        pl.when(both)
        .then(pl.max_horizontal("exports_fx_rate", "imports_fx_rate"))
        .alias("balance_fx_rate"),
        pl.when(decidable)
        .then(None)
        .when(both)
        .then(
            pl.format(
                "{}: exports {} {}, imports {} {}",
                pl.lit(bounds.REASON),
                pl.col("exports_bound").fill_null("exact"),
                exports.round(2),
                pl.col("imports_bound").fill_null("exact"),
                imports.round(2),
            )
        )
        .otherwise(
            pl.concat_str(
                pl.lit("needs both exports and imports: "),
                pl.coalesce("exports_missing_reason", "imports_missing_reason"),
            )
        )
        .alias("balance_missing_reason"),
        pl.when(both)
        .then(
            pl.concat_list("exports_source_lines", "imports_source_lines").list.unique().list.sort()
        )
        .alias("balance_source_lines"),
    )
