"""From published rows to the figures the tool prints: basis, derivation, region and coverage.

This is the data model every command builds on. A *figure* is one flow between one external
partner (CHN, EU27, RUS) and one area (a republic, or CA5 for the five), always seen from the
partner's side: ``export`` is the partner's exports to the area, ``import`` its imports from it,
``total`` the turnover. Each figure carries whose statistics it came from (``reporter``, ``side``,
``basis``), whether it was ``derived``, its ``coverage``, the data-file ``lines`` behind it, the
``fx_rate`` if a currency conversion touched it, and a ``missing_reason`` when it has no value.

The rules (docs/basis.md):

- BasisRule ``partner`` prefers the external partner's statistics, then the republic's report of the
  same flow (mirrored: a republic's import is the partner's export), and uses ``unstated`` rows
  only as a last resort. BasisRule ``republic`` is the other way round.
- A missing flow is derived from the same reporter's other two (export = total - import,
  total = export + import); reporters are never mixed inside one derivation.
- For the five together: the sum of the five when all five come from the chosen side; else a
  published region figure (chosen side first); else the sum of five with mixed reporters; else an
  unstated region figure; else the partial sum, with its coverage ("2/5: partial").
- What cannot be had is null, never zero, with the reason.
"""

from __future__ import annotations

import polars as pl

from ca_trade import bounds, schema
from ca_trade.schema import BasisRule

BASIS_RANK = {"official": 0, "compiled": 1, "unstated": 2}
RANK_BASIS = {rank: name for name, rank in BASIS_RANK.items()}

# How a figure was had: one pair's own figure, a published region total, or a sum of republics.
BILATERAL, REGION_TOTAL, SUM = "bilateral", "region_total", "sum"

FIGURE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "year": pl.Int64,
    "partner": pl.String,
    "area": pl.String,
    "flow": pl.String,
    "value": pl.Float64,
    "reporters": pl.List(pl.String),  # every reporter whose rows went in, sorted
    "reporter": pl.String,  # the same, joined with commas (for machine formats)
    "side": pl.String,  # partner, republic, or mixed
    "basis": pl.String,  # the weakest data basis used: official < compiled < unstated
    "derived": pl.Boolean,
    "route": pl.String,  # BILATERAL, REGION_TOTAL or SUM
    "covers": pl.List(pl.String),  # the republics the figure covers
    "partial": pl.Boolean,  # a region figure covering fewer than the five
    "mixed": pl.Boolean,  # more than one reporter's statistics (see ``mixes``)
    "bound": pl.String,  # lower, upper, approx; null when exact
    "coverage": pl.String,  # the coverage in words, made from route/covers/derived/mixed
    "alternative_value": pl.Float64,  # the same reporter's other route, when it differs
    "fx_rate": pl.Float64,
    "lines": pl.List(pl.Int64),
    "missing_reason": pl.String,
}

# Each figure's provenance columns, as the wide frames carry them per measure.
FIGURE_FIELDS = (
    "reporter",
    "reporters",
    "basis",
    "derived",
    "coverage",
    "covers",
    "partial",
    "mixed",
    "bound",
    "alternative_value",
    "fx_rate",
    "missing_reason",
)

_AREAS = (*schema.REPUBLICS, schema.REGION)


def convert_currency(trade: pl.DataFrame, currency: str, rates: dict[int, float]) -> pl.DataFrame:
    """Add ``value`` (millions of ``currency``) and ``fx_rate`` (USD per EUR, null if untouched).

    Takes the loader's frame (year, value_millions, currency, ...). Rates are ECB annual means,
    USD per EUR, by year.
    """
    rate = pl.col("year").replace_strict(rates, default=None, return_dtype=pl.Float64)
    currency = schema.Currency(currency)  # an unknown currency raises: never a wrong division
    if schema.BOUND not in trade.columns:  # a frame made without the optional column
        trade = trade.with_columns(pl.lit(None, dtype=pl.String).alias(schema.BOUND))
    touched = pl.col("currency") != currency.value
    if currency is schema.Currency.USD:
        converted = pl.col("value_millions") * rate
    else:
        converted = pl.col("value_millions") / rate
    return trade.with_columns(
        pl.when(touched).then(converted).otherwise(pl.col("value_millions")).alias("value"),
        pl.when(touched).then(rate).otherwise(None).alias("fx_rate"),
    )


def orient(trade: pl.DataFrame) -> pl.DataFrame:
    """Rows between an external partner and a republic or CA5, seen from the partner's side.

    Takes ``convert_currency``'s output. Returns year, partner, area, flow, side ("partner" when
    the partner reported the row), reporter, basis, value, bound, fx_rate, lines, derived (False).
    """
    partner_reported = pl.col("reporter").is_in(schema.PARTNERS) & pl.col("partner").is_in(_AREAS)
    area_reported = pl.col("reporter").is_in(_AREAS) & pl.col("partner").is_in(schema.PARTNERS)
    mirrored = pl.col("flow").replace({"export": "import", "import": "export"})
    return _as_figure_rows(
        trade.filter(partner_reported | area_reported),
        partner=pl.when(partner_reported).then("reporter").otherwise("partner"),
        area=pl.when(partner_reported).then("partner").otherwise("reporter"),
        flow=pl.when(partner_reported).then("flow").otherwise(mirrored),
        side=pl.when(partner_reported).then(pl.lit("partner")).otherwise(pl.lit("republic")),
    )


def _as_figure_rows(
    rows: pl.DataFrame, *, partner: pl.Expr, area: pl.Expr, flow: pl.Expr, side: pl.Expr
) -> pl.DataFrame:
    """Converted data rows in the shape ``derive`` takes, published (not derived)."""
    return rows.select(
        "year",
        partner.alias("partner"),
        area.alias("area"),
        flow.alias("flow"),
        side.alias("side"),
        "reporter",
        "basis",
        "value",
        pl.col(schema.BOUND).alias("bound"),
        "fx_rate",
        pl.concat_list("line").alias("lines"),
        pl.lit(False).alias("derived"),
    )


def weakest(basis: pl.Expr) -> pl.Expr:
    """The weakest data basis among a group's figures (for ``group_by().agg``): official <
    compiled < unstated; null when the group has none."""
    return (
        basis.replace_strict(BASIS_RANK, default=None, return_dtype=pl.Int64)
        .max()
        .replace_strict(RANK_BASIS, default=None, return_dtype=pl.String)
    )


def derive(oriented: pl.DataFrame) -> pl.DataFrame:
    """Add the flows each reporter's other two flows imply, marked ``derived``.

    export = total - import, import = total - export, total = export + import, within one
    reporter's rows for one pair. The derived basis is the weakest of its inputs, its bound
    follows ``bounds.combine``. A derivation that comes out negative (published figures that
    contradict each other), or whose bounds leave nothing decidable, is not added.
    """
    keys = ["year", "partner", "area", "side", "reporter"]

    def flow_columns(flow: str) -> pl.DataFrame:
        return oriented.filter(pl.col("flow") == flow).select(
            *keys,
            pl.col("value").alias(f"v_{flow}"),
            pl.col("basis").replace_strict(BASIS_RANK, return_dtype=pl.Int64).alias(f"b_{flow}"),
            pl.col("fx_rate").alias(f"fx_{flow}"),
            pl.col("lines").alias(f"l_{flow}"),
            pl.col("bound").alias(f"bd_{flow}"),
        )

    wide = (
        flow_columns("total")
        .join(flow_columns("export"), on=keys, how="full", coalesce=True)
        .join(flow_columns("import"), on=keys, how="full", coalesce=True)
    )
    recipes = {
        "export": ("total", "import", pl.col("v_total") - pl.col("v_import")),
        "import": ("total", "export", pl.col("v_total") - pl.col("v_export")),
        "total": ("export", "import", pl.col("v_export") + pl.col("v_import")),
    }
    derived = []
    for flow, (a, b, value) in recipes.items():
        if flow == "total":
            bound = bounds.combine([pl.col(f"bd_{a}"), pl.col(f"bd_{b}")])
        else:
            bound = bounds.combine([pl.col(f"bd_{a}")], [pl.col(f"bd_{b}")])
        derived.append(
            wide.filter(
                pl.col(f"v_{flow}").is_null()
                & pl.col(f"v_{a}").is_not_null()
                & pl.col(f"v_{b}").is_not_null()
                & (value >= 0)
                & (bound.fill_null("") != bounds.UNDECIDABLE)
            ).select(
                "year",
                "partner",
                "area",
                pl.lit(flow).alias("flow"),
                "side",
                "reporter",
                pl.max_horizontal(f"b_{a}", f"b_{b}")
                .replace_strict(RANK_BASIS, return_dtype=pl.String)
                .alias("basis"),
                value.alias("value"),
                bound.alias("bound"),
                pl.max_horizontal(f"fx_{a}", f"fx_{b}").alias("fx_rate"),
                pl.concat_list(f"l_{a}", f"l_{b}").alias("lines"),
                pl.lit(True).alias("derived"),
            )
        )
    return pl.concat([oriented, *derived], how="vertical_relaxed")


def _candidates(trade: pl.DataFrame, currency: str, rates: dict[int, float]) -> pl.DataFrame:
    return derive(orient(convert_currency(trade, currency, rates)))


def _grid(years: list[int], areas: tuple[str, ...]) -> pl.DataFrame:
    return (
        pl.DataFrame({"year": years}, schema={"year": pl.Int64})
        .join(pl.DataFrame({"partner": list(schema.PARTNERS)}), how="cross")
        .join(pl.DataFrame({"area": list(areas)}), how="cross")
        .join(pl.DataFrame({"flow": list(schema.FLOWS)}), how="cross")
    )


def _pick_best(candidates: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return (
        candidates.sort("priority", "area", maintain_order=True)
        .group_by(keys, maintain_order=True)
        .first()
    )


def _republic_figures(candidates: pl.DataFrame, chosen: str, years: list[int]) -> pl.DataFrame:
    keys = ["year", "partner", "area", "flow"]
    ranked = candidates.filter(pl.col("area").is_in(schema.REPUBLICS)).with_columns(
        (
            (pl.col("basis") == "unstated").cast(pl.Int64) * 4
            + (pl.col("side") != chosen).cast(pl.Int64) * 2
            + pl.col("derived").cast(pl.Int64)
        ).alias("priority"),
        pl.concat_list("reporter").alias("reporters"),
        pl.lit(BILATERAL).alias("route"),
        pl.concat_list("area").alias("covers"),
    )
    best = _pick_best(ranked, keys)
    grid = _grid(years, schema.REPUBLICS)
    return grid.join(best, on=keys, how="left").with_columns(
        pl.when(pl.col("value").is_null())
        .then(
            pl.format(
                "{} {} {}: published by neither side and not derivable from one side's figures",
                "partner",
                pl.col("flow").replace(
                    {"total": "turnover with", "export": "exports to", "import": "imports from"}
                ),
                "area",
            )
        )
        .alias("missing_reason"),
        pl.lit(None, dtype=pl.Float64).alias("alternative_value"),
    )


def _sum_figure(frame: pl.DataFrame, priority: float) -> pl.DataFrame:
    """Sum republic figures per (year, partner, flow) into one region candidate."""
    return (
        frame.group_by("year", "partner", "flow")
        .agg(
            pl.col("value").sum(),
            pl.col("reporter").unique().sort().alias("reporters"),
            pl.when(pl.col("side").n_unique() == 1)
            .then(pl.col("side").first())
            .otherwise(pl.lit("mixed"))
            .alias("side"),
            weakest(pl.col("basis")).alias("basis"),
            pl.col("derived").any(),
            bounds.aggregate(pl.col("bound")).alias("bound"),
            pl.col("fx_rate").max(),
            pl.col("lines")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .sort()
            .alias("lines"),
            pl.col("area").sort().alias("covers"),
        )
        .with_columns(
            pl.lit(schema.REGION).alias("area"),
            pl.lit(priority).alias("priority"),
            pl.lit(SUM).alias("route"),
        )
    )


def _region_figures(
    candidates: pl.DataFrame, republic: pl.DataFrame, chosen: str, years: list[int]
) -> pl.DataFrame:
    """The five together. A published region total of the chosen side is canonical; the same
    reporter's sum of the five, when it differs, is kept as ``alternative_value``."""
    keys = ["year", "partner", "flow"]
    have = republic.filter(pl.col("value").is_not_null())
    five = len(schema.REPUBLICS)
    stated = have.filter(pl.col("basis") != "unstated")
    chosen_side = _sum_figure(stated.filter(pl.col("side") == chosen), 0.5).filter(
        pl.col("covers").list.len() == five
    )
    # A published total ranks after the chosen side's sum of the five, unless it is the same
    # reporter's: then it is canonical (one reporter, one answer).
    same_reporter = chosen_side.filter(pl.col("reporters").list.len() == 1).select(
        *keys, pl.col("reporters").list.first().alias("reporter")
    )
    published = (
        candidates.filter(pl.col("area") == schema.REGION)
        .join(
            same_reporter.with_columns(pl.lit(True).alias("_same")),
            on=[*keys, "reporter"],
            how="left",
        )
        .with_columns(
            (
                pl.when(pl.col("_same").fill_null(False) & ~pl.col("derived"))
                .then(pl.lit(0.0))
                .otherwise(pl.lit(1.0))
                + (pl.col("side") != chosen).cast(pl.Float64)
                + pl.col("derived").cast(pl.Float64) * 0.5
                + (pl.col("basis") == "unstated").cast(pl.Float64) * 3
            ).alias("priority"),
            pl.concat_list("reporter").alias("reporters"),
            pl.lit(REGION_TOTAL).alias("route"),
            pl.lit(list(schema.REPUBLICS), dtype=pl.List(pl.String)).alias("covers"),
        )
    )
    mixed = _sum_figure(stated, 3.0).filter(pl.col("covers").list.len() == five)
    partial = _sum_figure(have, 6.0)
    columns = [
        *keys,
        "area",
        "value",
        "reporters",
        "side",
        "basis",
        "derived",
        "route",
        "covers",
        "bound",
        "fx_rate",
        "lines",
        "priority",
    ]
    pool = pl.concat(
        [frame.select(columns) for frame in (chosen_side, published, mixed, partial)],
        how="vertical_relaxed",
    ).filter(pl.col("bound").fill_null("") != bounds.UNDECIDABLE)
    best = _pick_best(pool, keys)
    # The other route to the same figure from the same reporters (a published total and the
    # sum of the five), shown as a note where the two differ.
    other = pool.join(
        best.select(*keys, "reporters", "route"), on=[*keys, "reporters"], how="inner"
    ).filter(
        (pl.col("route") != pl.col("route_right"))
        & (pl.col("covers").list.len() == five)
        & ~pl.col("derived")
    )
    alternative = (
        _pick_best(other, keys)
        .select(*keys, pl.col("value").alias("alternative_value"))
        .unique(keys)
    )
    grid = _grid(years, (schema.REGION,))
    return (
        grid.join(best.drop("area"), on=keys, how="left")
        .join(alternative, on=keys, how="left")
        .with_columns(
            pl.when(pl.col("alternative_value") != pl.col("value")).then(
                pl.col("alternative_value")
            ),
            pl.when(pl.col("value").is_null())
            .then(pl.lit("no republic has this figure and no region total is published"))
            .alias("missing_reason"),
        )
    )


def mixes_codes(codes: set[str]) -> bool:
    """``mixes`` for a set of reporter codes in Python (``claims``' values)."""
    return len(codes) > 1 and not codes <= set(schema.REPUBLICS)


def mixes(reporters: pl.Expr) -> pl.Expr:
    """Whether a list of reporters mixes statistics: more than one reporter, unless they are
    all republics (the five each reporting its own trade: one basis, the republics')."""
    return (reporters.list.len() > 1) & ~reporters.list.eval(
        pl.element().is_in(schema.REPUBLICS)
    ).list.all()


def _coverage_words() -> pl.Expr:
    """The coverage in words, for people and the machine formats' ``*_coverage`` columns."""
    five = len(schema.REPUBLICS)
    n = pl.col("covers").list.len()
    return (
        pl.when(pl.col("value").is_null())
        .then(None)
        .when(pl.col("route") == BILATERAL)
        .then(
            pl.when(pl.col("derived"))
            .then(pl.lit("bilateral, derived"))
            .otherwise(pl.lit("bilateral, published"))
        )
        .when(pl.col("route") == REGION_TOTAL)
        .then(
            pl.when(pl.col("derived"))
            .then(pl.lit("published region total, derived"))
            .otherwise(pl.lit("published region total"))
        )
        .when(n < five)
        .then(
            pl.format("{}/{}: partial (has {})", n, pl.lit(five), pl.col("covers").list.join(", "))
        )
        .when(pl.col("mixed"))
        .then(pl.lit(f"{five}/{five} republics, mixed reporters"))
        .otherwise(pl.lit(f"{five}/{five} republics"))
    )


def resolve(
    trade: pl.DataFrame, basis: BasisRule, currency: str, rates: dict[int, float]
) -> pl.DataFrame:
    """Every figure between each partner and each republic and CA5, for every year in ``trade``.

    Takes the loader's frame. Returns ``FIGURE_SCHEMA``'s columns, one row per
    (year, partner, area, flow), null ``value`` with a ``missing_reason`` where nothing can be had.
    """
    chosen = "partner" if basis == "partner" else "republic"
    years = sorted(trade.get_column("year").unique().to_list())
    candidates = _candidates(trade, currency, rates)
    republic = _republic_figures(candidates, chosen, years)
    region = _region_figures(candidates, republic, chosen, years)
    typed = [c for c in FIGURE_SCHEMA if c not in ("reporter", "partial", "mixed", "coverage")]
    return (
        pl.concat(
            [republic.select(typed), region.select(typed)],
            how="vertical_relaxed",
        )
        .with_columns(
            pl.col("reporters").list.join(",").alias("reporter"),
            (
                (pl.col("route") == SUM) & (pl.col("covers").list.len() < len(schema.REPUBLICS))
            ).alias("partial"),
            mixes(pl.col("reporters")).alias("mixed"),
        )
        .with_columns(_coverage_words().alias("coverage"))
        .select(list(FIGURE_SCHEMA))
        .cast(FIGURE_SCHEMA)  # type: ignore[arg-type]
        .sort("year", "partner", "area", "flow")
    )


def world_totals(trade: pl.DataFrame, currency: str, rates: dict[int, float]) -> pl.DataFrame:
    """Each republic's trade with the world (its own statistics), derived where one flow is missing.

    Takes the loader's frame. Returns year, area, flow (from the republic's side: ``export`` is
    the republic's exports), value, reporter, reporters, basis, derived, bound, fx_rate, lines.
    Republics
    without a
    world figure have no row.
    """
    converted = convert_currency(trade, currency, rates).filter(
        pl.col("reporter").is_in(schema.REPUBLICS) & (pl.col("partner") == schema.WORLD)
    )
    oriented = _as_figure_rows(
        converted,
        partner=pl.lit(schema.WORLD),
        area=pl.col("reporter"),
        flow=pl.col("flow"),
        side=pl.lit("republic"),
    )
    return derive(oriented).select(
        "year",
        "area",
        "flow",
        "value",
        "reporter",
        pl.concat_list("reporter").alias("reporters"),
        "basis",
        "derived",
        "bound",
        "fx_rate",
        "lines",
    )


def candidates(trade: pl.DataFrame, currency: str, rates: dict[int, float]) -> pl.DataFrame:
    """Every published and derivable figure, before any basis rule picks one.

    Takes the loader's frame. Returns ``orient``'s columns plus the derived rows.
    """
    return _candidates(trade, currency, rates)
