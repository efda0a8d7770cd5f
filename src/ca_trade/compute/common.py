"""What every calculation shares: units, the year, figures side by side, the balance."""

from __future__ import annotations

import polars as pl

from ca_trade.figures import FIGURE_FIELDS

FLOW_MEASURE = {"total": "turnover", "export": "exports", "import": "imports"}


def unit_suffix(currency: str) -> str:
    """Column suffix for values in millions of ``currency``: ``_usd_m`` or ``_eur_m``."""
    return f"_{currency.lower()}_m"


def select_year(trade: pl.DataFrame, year: int | None) -> tuple[pl.DataFrame, int]:
    """Rows of one year (the latest in the data when ``year`` is None), and that year."""
    years = sorted(trade.get_column("year").unique().to_list())
    chosen = years[-1] if year is None else year
    return trade.filter(pl.col("year") == chosen), chosen


def figure_columns(figures: pl.DataFrame, currency: str) -> pl.DataFrame:
    """One row per (year, partner, area) with each flow's value and provenance side by side.

    Takes ``figures.resolve`` output. Returns year, partner, area and, for each measure
    (turnover, exports, imports): ``<measure>_<cur>_m``, ``<measure>_reporter``, ``_basis``,
    ``_derived``, ``_coverage``, ``_fx_rate``, ``_missing_reason``, ``_source_lines``.
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


def add_balance(wide: pl.DataFrame, currency: str) -> pl.DataFrame:
    """Add the partner's balance (exports - imports) and its provenance to ``figure_columns``.

    Adds ``balance_<cur>_m`` (null unless both flows exist), ``balance_reporter``,
    ``balance_basis``, ``balance_derived``, ``balance_coverage``, ``balance_fx_rate``,
    ``balance_missing_reason`` and ``balance_source_lines``.
    """
    u = unit_suffix(currency)
    exports, imports = pl.col("exports" + u), pl.col("imports" + u)
    weakest = pl.max_horizontal(
        pl.col("exports_basis").replace_strict(
            {"official": 0, "compiled": 1, "unstated": 2}, default=None, return_dtype=pl.Int64
        ),
        pl.col("imports_basis").replace_strict(
            {"official": 0, "compiled": 1, "unstated": 2}, default=None, return_dtype=pl.Int64
        ),
    ).replace_strict(
        {0: "official", 1: "compiled", 2: "unstated"}, default=None, return_dtype=pl.String
    )
    both = exports.is_not_null() & imports.is_not_null()
    return wide.with_columns(
        (exports - imports).alias("balance" + u),
        pl.when(both)
        .then(_joined("exports_reporter", "imports_reporter"))
        .alias("balance_reporter"),
        pl.when(both).then(weakest).alias("balance_basis"),
        pl.when(both)
        .then(pl.col("exports_derived") | pl.col("imports_derived"))
        .alias("balance_derived"),
        pl.when(both)
        .then(_joined("exports_coverage", "imports_coverage"))
        .alias("balance_coverage"),
        pl.when(both)
        .then(pl.max_horizontal("exports_fx_rate", "imports_fx_rate"))
        .alias("balance_fx_rate"),
        pl.when(both)
        .then(None)
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
