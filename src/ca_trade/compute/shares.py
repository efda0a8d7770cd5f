"""shares: each partner's share of each republic's trade."""

from __future__ import annotations

import polars as pl

from ca_trade import schema
from ca_trade.compute.common import select_year, unit_suffix
from ca_trade.figures import Basis, resolve, world_totals

# A republic's measure -> the figure flow (partner's side) that is its numerator.
SHARE_MEASURES = {"trade": "total", "imports": "export", "exports": "import"}
WORLD_FLOW = {"trade": "total", "imports": "import", "exports": "export"}
REST_OF_WORLD = "ROW"


def shares(
    trade: pl.DataFrame,
    *,
    basis: Basis,
    currency: str,
    rates: dict[int, float],
    year: int | None = None,
) -> pl.DataFrame:
    """Each partner's share of each republic's (and the five's) trade, imports and exports.

    The denominator is the republic's own world total (partner WLD). Numerators follow ``basis``;
    a share whose numerator came from another reporter than the denominator is ``*_mixed_basis``.
    The region row sums only republics that have both numerator and denominator. A rest-of-world
    row (partner ``ROW``) completes each column to 100% wherever the denominator exists.

    Takes the loader's frame. Returns year, area, partner and, for each measure (trade, imports,
    exports): ``<m>_share_pct``, ``<m><unit>`` (numerator), ``world_<m><unit>`` (denominator),
    ``<m>_reporter``, ``<m>_basis``, ``<m>_derived``, ``<m>_mixed_basis``, ``<m>_coverage``,
    ``<m>_missing_reason``, ``<m>_source_lines``.
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
            pl.col("basis").alias("num_basis"),
            pl.col("derived").alias("num_derived"),
            pl.col("lines").alias("num_lines"),
            pl.col("missing_reason").alias("num_missing"),
        )
        denom = world.filter(pl.col("flow") == WORLD_FLOW[measure]).select(
            "year",
            "area",
            pl.col("value").alias("den"),
            pl.col("reporter").alias("den_reporter"),
            pl.col("lines").alias("den_lines"),
        )
        per = numer.join(denom, on=["year", "area"], how="left")
        both = pl.col("num").is_not_null() & pl.col("den").is_not_null()
        republic_rows = per.select(
            *keys,
            "num",
            "den",
            "num_reporter",
            "num_basis",
            "num_derived",
            pl.when(both).then(pl.col("num_reporter") != pl.col("area")).alias("mixed"),
            pl.when(both).then(pl.lit("republic's own world total")).alias("coverage"),
            pl.when(pl.col("den").is_null())
            .then(pl.format("no world total ({}) for {}", pl.lit(WORLD_FLOW[measure]), "area"))
            .otherwise(pl.col("num_missing"))
            .alias("missing"),
            pl.when(both)
            .then(pl.concat_list("num_lines", "den_lines").list.unique().list.sort())
            .alias("lines"),
        )
        region = (
            per.filter(both)
            .group_by("year", "partner")
            .agg(
                pl.col("num").sum(),
                pl.col("den").sum(),
                pl.col("num_reporter").unique().sort().str.join(",").alias("num_reporter"),
                pl.col("num_basis")
                .replace_strict({"official": 0, "compiled": 1, "unstated": 2})
                .max()
                .replace_strict({0: "official", 1: "compiled", 2: "unstated"})
                .alias("num_basis"),
                pl.col("num_derived").any(),
                (pl.col("num_reporter") != pl.col("area")).any().alias("mixed"),
                pl.format(
                    "{}/5 republics with both figures ({})",
                    pl.len(),
                    pl.col("area").sort().str.join(", "),
                )
                .first()
                .alias("coverage"),
                pl.concat_list("num_lines", "den_lines")
                .list.explode(keep_nulls=False, empty_as_null=False)
                .unique()
                .sort()
                .alias("lines"),
            )
            .with_columns(pl.lit(schema.REGION).alias("area"), pl.lit(None).alias("missing"))
        )
        region_grid = pl.DataFrame(
            {"partner": list(schema.PARTNERS)}, schema={"partner": pl.String}
        ).with_columns(pl.lit(chosen_year, dtype=pl.Int64).alias("year"))
        region = (
            region_grid.join(region, on=["year", "partner"], how="left")
            .with_columns(
                pl.lit(schema.REGION).alias("area"),
                pl.col("missing").fill_null(
                    pl.when(pl.col("num").is_null()).then(
                        pl.lit("no republic has both this figure and its world total")
                    )
                ),
            )
            .select(republic_rows.columns)
        )
        rows = pl.concat([republic_rows, region], how="vertical_relaxed")
        rows = _add_rest_of_world(
            rows.with_columns((pl.col("num") / pl.col("den") * 100).alias("pct"))
        )
        part = rows.select(
            *keys,
            pl.col("pct").alias(f"{measure}_share_pct"),
            pl.col("num").alias(measure + u),
            pl.col("den").alias(f"world_{measure}{u}"),
            pl.col("num_reporter").alias(f"{measure}_reporter"),
            pl.col("num_basis").alias(f"{measure}_basis"),
            pl.col("num_derived").alias(f"{measure}_derived"),
            pl.col("mixed").alias(f"{measure}_mixed_basis"),
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


def _add_rest_of_world(rows: pl.DataFrame) -> pl.DataFrame:
    """Append, per area, the remainder that makes the shares add up to 100%.

    Where a partner's numerator is missing its trade is inside the remainder; ``coverage`` says
    so. Where the region's partners cover different republics the remainder is share-based only.
    """
    per_area = rows.group_by("year", "area", maintain_order=True).agg(
        pl.col("den").drop_nulls().first().alias("den_any"),
        pl.col("pct").sum().alias("known_pct"),
        pl.col("num").sum().alias("known_num"),
        pl.col("den").drop_nulls().n_unique().alias("n_dens"),
        pl.col("partner").filter(pl.col("num").is_null()).alias("missing_partners"),
        pl.col("lines").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
    )
    rest = per_area.filter(pl.col("den_any").is_not_null()).select(
        "year",
        "area",
        pl.lit(REST_OF_WORLD).alias("partner"),
        pl.when(pl.col("n_dens") == 1).then(pl.col("den_any") - pl.col("known_num")).alias("num"),
        pl.when(pl.col("n_dens") == 1).then(pl.col("den_any")).alias("den"),
        pl.lit(None, dtype=pl.String).alias("num_reporter"),
        pl.lit(None, dtype=pl.String).alias("num_basis"),
        pl.lit(True).alias("num_derived"),
        pl.lit(False).alias("mixed"),
        pl.when(pl.col("n_dens") > 1)
        .then(pl.lit("remainder to 100% of the shares above, which cover different republics"))
        .when(pl.col("missing_partners").list.len() > 0)
        .then(
            pl.format(
                "remainder to 100%; includes partners with no figure: {}",
                pl.col("missing_partners").list.join(", "),
            )
        )
        .otherwise(pl.lit("remainder to 100%"))
        .alias("coverage"),
        pl.lit(None, dtype=pl.String).alias("missing"),
        pl.col("lines"),
        (100 - pl.col("known_pct")).alias("pct"),
    )
    return pl.concat([rows, rest.select(rows.columns)], how="vertical_relaxed")
