"""shares: each partner's share of each republic's trade."""

from __future__ import annotations

import polars as pl

from ca_trade import bounds, schema
from ca_trade.compute.common import select_year, unit_suffix, weakest_basis
from ca_trade.figures import resolve, weakest, world_totals
from ca_trade.schema import BasisRule

# A republic's measure -> the figure flow (partner's side) that is its numerator.
SHARE_MEASURES = {"trade": "total", "imports": "export", "exports": "import"}
WORLD_FLOW = {"trade": "total", "imports": "import", "exports": "export"}
REST_OF_WORLD = "ROW"


def shares(
    trade: pl.DataFrame,
    *,
    basis: BasisRule,
    currency: str,
    rates: dict[int, float],
    year: int | None = None,
) -> pl.DataFrame:
    """Each partner's share of each republic's (and the five's) trade, imports and exports.

    The denominator is the republic's own world total (partner WLD). Numerators follow
    ``basis``; a share whose numerator came from another reporter than the denominator is
    ``*_mixed``. A share that would fall outside 0–100% (only possible when reporters are
    mixed) is null, with the reason. The region row sums, for each partner, only the republics
    that have a meaningful share. A rest-of-world row (partner ``ROW``) is the world total
    minus the partners' values, where every partner's share has the same denominator.

    Takes the loader's frame. Returns year, area, partner and, for each measure (trade, imports,
    exports): ``<m>_share_pct``, ``<m><unit>`` (numerator), ``world_<m><unit>`` (denominator),
    ``<m>_reporter`` and ``<m>_reporters`` (the numerator's), ``<m>_basis`` (the weakest of
    numerator and denominator), ``<m>_derived``, ``<m>_mixed``, ``<m>_bound``, ``<m>_partial``,
    ``<m>_coverage``, ``<m>_missing_reason``, ``<m>_source_lines``.
    """
    trade, chosen_year = select_year(trade, year)
    u = unit_suffix(currency)
    figures = resolve(trade, basis, currency, rates).filter(pl.col("area").is_in(schema.REPUBLICS))
    world = world_totals(trade, currency, rates)
    out = None
    keys = ["year", "area", "partner"]
    for measure, flow in SHARE_MEASURES.items():
        numer = figures.filter(pl.col("flow") == flow).select(
            "year",
            "area",
            "partner",
            pl.col("value").alias("num"),
            pl.col("reporter").alias("num_reporter"),
            pl.col("reporters").alias("num_reporters"),
            pl.col("basis").alias("num_basis"),
            pl.col("derived").alias("num_derived"),
            pl.col("bound").alias("num_bound"),
            pl.col("lines").alias("num_lines"),
            pl.col("missing_reason").alias("num_missing"),
        )
        denom = world.filter(pl.col("flow") == WORLD_FLOW[measure]).select(
            "year",
            "area",
            pl.col("value").alias("den"),
            pl.col("basis").alias("den_basis"),
            pl.col("derived").alias("den_derived"),
            pl.col("bound").alias("den_bound"),
            pl.col("lines").alias("den_lines"),
        )
        per = numer.join(denom, on=["year", "area"], how="left")
        republic_rows = _republic_shares(per, WORLD_FLOW[measure])
        region = _region_shares(republic_rows, chosen_year)
        rows = pl.concat([republic_rows, region], how="vertical_relaxed")
        rows = _add_rest_of_world(rows)
        part = rows.select(
            *keys,
            pl.col("pct").alias(f"{measure}_share_pct"),
            pl.col("num").alias(measure + u),
            pl.col("den").alias(f"world_{measure}{u}"),
            pl.col("num_reporter").alias(f"{measure}_reporter"),
            pl.col("num_reporters").alias(f"{measure}_reporters"),
            pl.col("basis").alias(f"{measure}_basis"),
            pl.col("derived").alias(f"{measure}_derived"),
            pl.col("mixed").alias(f"{measure}_mixed"),
            pl.col("bound").alias(f"{measure}_bound"),
            pl.col("partial").alias(f"{measure}_partial"),
            pl.col("coverage").alias(f"{measure}_coverage"),
            pl.col("missing").alias(f"{measure}_missing_reason"),
            pl.col("lines").alias(f"{measure}_source_lines"),
        )
        out = part if out is None else out.join(part, on=keys, how="full", coalesce=True)
    assert out is not None
    order = {code: i for i, code in enumerate((*schema.REPUBLICS, schema.REGION))}
    partner_order = {code: i for i, code in enumerate((*schema.PARTNERS, REST_OF_WORLD))}
    return out.sort(
        pl.col("area").replace_strict(order, return_dtype=pl.Int64),
        pl.col("partner").replace_strict(partner_order, return_dtype=pl.Int64),
    )


def _republic_shares(per: pl.DataFrame, world_flow: str) -> pl.DataFrame:
    """One share per (republic, partner): null with the reason where it cannot be had."""
    both = pl.col("num").is_not_null() & pl.col("den").is_not_null()
    bound = bounds.combine([pl.col("num_bound")], [pl.col("den_bound")])
    ratio = pl.col("num") / pl.col("den") * 100
    zero = both & (pl.col("den") == 0)
    impossible = both & ~zero & (ratio > 100)
    undecidable = bound.fill_null("") == bounds.UNDECIDABLE
    meaningful = both & ~zero & ~impossible & ~undecidable
    reason = (
        pl.when(pl.col("den").is_null())
        .then(pl.format("no world total ({}) for {}", pl.lit(world_flow), "area"))
        .when(pl.col("num").is_null())
        .then(pl.col("num_missing"))
        .when(zero)
        .then(
            pl.format("not meaningful: {}'s world total ({}) is zero", "area", pl.lit(world_flow))
        )
        .when(impossible)
        .then(
            pl.format(
                "not meaningful: {}'s figure ({} m) exceeds {}'s own world total ({} m)",
                pl.col("num_reporter").replace(schema.NAMES),
                pl.col("num").round(2),
                pl.col("area").replace(schema.NAMES),
                pl.col("den").round(2),
            )
        )
        .when(undecidable)
        .then(pl.lit(bounds.REASON))
    )
    return per.select(
        "year",
        "area",
        "partner",
        "num",
        "den",
        "num_reporter",
        "num_reporters",
        pl.when(both).then(weakest_basis("num_basis", "den_basis")).alias("basis"),
        pl.when(both).then(pl.col("num_derived") | pl.col("den_derived")).alias("derived"),
        pl.when(both).then(pl.col("num_reporter") != pl.col("area")).alias("mixed"),
        pl.when(both & ~zero & ~impossible).then(bound).alias("bound"),
        pl.when(both).then(pl.lit(False)).alias("partial"),
        pl.when(both).then(pl.lit("republic's own world total")).alias("coverage"),
        reason.alias("missing"),
        pl.when(both)
        .then(pl.concat_list("num_lines", "den_lines").list.unique().list.sort())
        .alias("lines"),
        pl.when(meaningful).then(ratio).alias("pct"),
        pl.col("num_bound"),
        pl.col("den_bound"),
    )


def _region_shares(republic_rows: pl.DataFrame, year: int) -> pl.DataFrame:
    """Each partner's share of the five: its figures over the world totals of the same
    republics, those with a meaningful share only."""
    five = len(schema.REPUBLICS)
    region = (
        republic_rows.filter(pl.col("pct").is_not_null())
        .group_by("year", "partner")
        .agg(
            pl.col("num").sum(),
            pl.col("den").sum(),
            pl.col("num_reporter").unique().sort().str.join(",").alias("num_reporter"),
            pl.col("num_reporters")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("num_reporters"),
            weakest(pl.col("basis")).alias("basis"),
            pl.col("derived").any(),
            pl.col("mixed").any(),
            bounds.aggregate(pl.col("num_bound")).alias("num_bound"),
            bounds.aggregate(pl.col("den_bound")).alias("den_bound"),
            (pl.len() < five).alias("partial"),
            pl.format(
                "{}/{} republics with both figures ({})",
                pl.len(),
                pl.lit(five),
                pl.col("area").sort().str.join(", "),
            )
            .first()
            .alias("coverage"),
            pl.concat_list("lines")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("lines"),
        )
    )
    bound = bounds.combine([pl.col("num_bound")], [pl.col("den_bound")])
    decidable = bound.fill_null("") != bounds.UNDECIDABLE
    grid = pl.DataFrame({"partner": list(schema.PARTNERS)}, schema={"partner": pl.String})
    return (
        grid.with_columns(pl.lit(year, dtype=pl.Int64).alias("year"))
        .join(region, on=["year", "partner"], how="left")
        .with_columns(
            pl.lit(schema.REGION).alias("area"),
            pl.when(decidable).then(pl.col("num") / pl.col("den") * 100).alias("pct"),
            pl.when(decidable & pl.col("num").is_not_null()).then(bound).alias("bound"),
            pl.when(pl.col("num").is_null())
            .then(pl.lit("no republic has both this figure and its world total"))
            .when(~decidable)
            .then(pl.lit(bounds.REASON))
            .alias("missing"),
        )
        .select(republic_rows.columns)
    )


def _add_rest_of_world(rows: pl.DataFrame) -> pl.DataFrame:
    """Append, per area, the world total minus the partners' values, as a share of it.

    Only where every partner with a figure shares one denominator and every share is
    meaningful; where a partner's figure is missing its trade is inside the remainder and
    ``coverage`` says so.
    """
    has_num = pl.col("num").is_not_null()
    per_area = rows.group_by("year", "area", maintain_order=True).agg(
        pl.col("den").drop_nulls().first().alias("den"),
        pl.col("den").drop_nulls().n_unique().alias("n_dens"),
        pl.col("num").filter(pl.col("pct").is_not_null()).sum().alias("known_num"),
        (has_num & pl.col("pct").is_null() & pl.col("den").is_not_null()).any().alias("unusable"),
        pl.col("partner").filter(~has_num).alias("missing_partners"),
        pl.col("num_reporters").filter(has_num).explode().unique().alias("who"),
        weakest(pl.col("basis")).alias("basis"),
        bounds.aggregate(pl.col("num_bound").filter(has_num)).alias("num_bound"),
        pl.col("den_bound").drop_nulls().first().alias("den_bound"),
        pl.col("lines").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
    )
    rest = pl.col("den") - pl.col("known_num")
    bound = bounds.combine([pl.col("den_bound")], [pl.col("num_bound")])
    usable = (
        (pl.col("n_dens") == 1)
        & (pl.col("den") > 0)
        & ~pl.col("unusable")
        & (rest >= 0)
        & (bound.fill_null("") != bounds.UNDECIDABLE)
    )
    remainder = per_area.filter(pl.col("den").is_not_null()).select(
        "year",
        "area",
        pl.lit(REST_OF_WORLD).alias("partner"),
        pl.when(usable).then(rest).alias("num"),
        pl.when(usable).then(pl.col("den")).alias("den"),
        pl.lit(None, dtype=pl.String).alias("num_reporter"),
        pl.lit(None, dtype=pl.List(pl.String)).alias("num_reporters"),
        "basis",
        pl.lit(True).alias("derived"),
        (pl.col("who").list.set_difference(pl.concat_list("area")).list.len() > 0).alias("mixed"),
        pl.when(usable).then(bound).alias("bound"),
        pl.lit(False).alias("partial"),
        pl.when(pl.col("missing_partners").list.len() > 0)
        .then(
            pl.format(
                "world total minus the partners above; includes partners with no figure: {}",
                pl.col("missing_partners").list.join(", "),
            )
        )
        .otherwise(pl.lit("world total minus the partners above"))
        .alias("coverage"),
        pl.when(usable)
        .then(None)
        .when(pl.col("n_dens") > 1)
        .then(pl.lit("the partners' shares cover different republics: no single remainder"))
        .when(pl.col("unusable") | (rest < 0) | (pl.col("den") == 0))
        .then(pl.lit("not meaningful: the partners' figures are not all within the world total"))
        .otherwise(pl.lit(bounds.REASON))
        .alias("missing"),
        pl.col("lines"),
        pl.when(usable).then(rest / pl.col("den") * 100).alias("pct"),
        pl.col("num_bound"),
        pl.col("den_bound"),
    )
    return pl.concat([rows, remainder.select(rows.columns)], how="vertical_relaxed")
