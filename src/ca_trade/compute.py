"""The calculator: pure functions from the loaded data to the frames the commands print.

Every function takes the loader's frame (``load.read_trade``) or ``figures.resolve``'s output and
returns a Polars frame whose column names are the public CSV/JSON interface: stable snake_case,
the unit in the name (``turnover_usd_m`` = millions of USD). No I/O, no printing.
"""

from __future__ import annotations

import polars as pl

from ca_trade import schema
from ca_trade.figures import Basis, resolve

FLOW_MEASURE = {"total": "turnover", "export": "exports", "import": "imports"}
FIGURE_FIELDS = ("reporter", "basis", "derived", "coverage", "fx_rate", "missing_reason")


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


def explain(result: pl.DataFrame, trade: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The data rows behind each figure of a result, for citing.

    Takes a result frame with ``<measure>_source_lines`` list columns (e.g. ``compare``'s) and the loaded
    data. Returns one row per (figure, data row): the ``keys`` columns, measure, derived, line,
    reporter, counterpart, flow, value_millions, currency, basis, source, source_url, note.
    """
    measures = [
        c.removesuffix("_source_lines") for c in result.columns if c.endswith("_source_lines")
    ]
    parts = [
        result.select(
            *keys,
            pl.lit(measure).alias("measure"),
            (
                pl.col(f"{measure}_derived")
                if f"{measure}_derived" in result.columns
                else pl.lit(None, dtype=pl.Boolean)
            ).alias("derived"),
            pl.col(f"{measure}_source_lines").alias("line"),
        ).explode("line")
        for measure in measures
    ]
    rows = trade.select(
        "line",
        "reporter",
        pl.col("partner").alias("counterpart"),
        "flow",
        "value_millions",
        "currency",
        "basis",
        "source",
        "source_url",
        "note",
    )
    return (
        pl.concat(parts)
        .filter(pl.col("line").is_not_null())
        .join(rows, on="line", how="left")
        .unique(maintain_order=True)
    )
