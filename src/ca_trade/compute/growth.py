"""growth: the change of every figure from one year to another, like with like."""

from __future__ import annotations

import polars as pl

from ca_trade import bounds, schema
from ca_trade.compute.common import FLOW_MEASURE, reporters_of, unit_suffix
from ca_trade.figures import FIGURE_FIELDS, mixes, resolve, world_totals
from ca_trade.schema import BasisRule

# Each year's provenance: a figure's fields but the other route's value (world totals have one
# route only).
_GROWTH_FIELDS = tuple(f for f in FIGURE_FIELDS if f != "alternative_value")
_REPORTER_WORDS = {
    "CHN": "CHN customs",
    "EU27": "EU27 figures",
    "RUS": "RUS officials",
    schema.REGION: "the republics' compilation (CA5)",
}


def growth_years(
    trade: pl.DataFrame, from_year: int | None, to_year: int | None
) -> tuple[int, int]:
    """The two years ``growth`` compares: ``to_year`` (default: the latest in the data) and
    ``from_year`` (default: the latest year before it in the data, else ``to_year - 1``)."""
    years = sorted(trade.get_column("year").unique().to_list())
    end = years[-1] if to_year is None else to_year
    if from_year is None:
        earlier = [y for y in years if y < end]
        return (earlier[-1] if earlier else end - 1), end
    return from_year, end


def _who(reporter: pl.Expr) -> pl.Expr:
    """Whose figure, in words: 'CHN customs', 'KAZ statistics', 'the sum of CHN, UZB figures'."""
    return (
        pl.when(reporter.str.contains(","))
        .then(pl.format("the sum of {} figures", reporter.str.replace_all(",", ", ")))
        .otherwise(
            reporter.replace_strict(
                _REPORTER_WORDS,
                default=pl.format("{} statistics", reporter),
                return_dtype=pl.String,
            )
        )
    )


def _covers(covers: pl.Expr) -> pl.Expr:
    """A region figure's coverage in words: '4/5 republics (KAZ, KGZ, TJK, UZB)'."""
    five = len(schema.REPUBLICS)
    return (
        pl.when(covers.list.len() < five)
        .then(
            pl.format(
                "{}/{} republics ({})", covers.list.len(), pl.lit(five), covers.list.join(", ")
            )
        )
        .otherwise(pl.lit(f"{five}/{five} republics"))
    )


def _growth_figures(
    trade: pl.DataFrame, basis: BasisRule, currency: str, rates: dict[int, float], years: list[int]
) -> pl.DataFrame:
    """``resolve``'s figures for ``years`` plus each republic's world totals (partner WLD).

    Returns year, partner, area, flow, seen_from (whose exports/imports the flows are), value
    and the provenance fields; one row per (year, partner, area, flow), missing ones null.
    """
    pair = trade.filter(pl.col("year").is_in(years))
    figures = resolve(pair, basis, currency, rates).with_columns(
        pl.col("partner").alias("seen_from")
    )
    world = world_totals(pair, currency, rates).with_columns(
        pl.lit(schema.WORLD).alias("partner"),
        pl.lit("republic's own world total").alias("coverage"),
        pl.concat_list("area").alias("covers"),
        pl.lit(False).alias("partial"),
        pl.lit(False).alias("mixed"),
    )
    grid = (
        pl.DataFrame({"year": years}, schema={"year": pl.Int64})
        .join(pl.DataFrame({"area": list(schema.REPUBLICS)}), how="cross")
        .join(pl.DataFrame({"flow": list(schema.FLOWS)}), how="cross")
        .with_columns(pl.lit(schema.WORLD).alias("partner"))
    )
    keys = ["year", "partner", "area", "flow"]
    world_rows = grid.join(world, on=keys, how="left").with_columns(
        pl.col("area").alias("seen_from"),
        pl.when(pl.col("value").is_null())
        .then(
            pl.format(
                "{} publishes no {} with the world",
                "area",
                pl.col("flow").replace_strict(FLOW_MEASURE, return_dtype=pl.String),
            )
        )
        .alias("missing_reason"),
    )
    columns = [*keys, "seen_from", "value", *_GROWTH_FIELDS, "lines"]
    return pl.concat(
        [figures.filter(pl.col("year").is_in(years)).select(columns), world_rows.select(columns)],
        how="vertical_relaxed",
    )


def growth(
    trade: pl.DataFrame,
    *,
    basis: BasisRule,
    currency: str,
    rates: dict[int, float],
    from_year: int | None = None,
    to_year: int | None = None,
) -> pl.DataFrame:
    """The change from one year to the next of every figure ``compare`` and ``shares`` use.

    One row per partner (CHN, EU27, RUS, and WLD for each republic's own world totals), area
    (CA5 and the five) and measure (turnover, exports, imports), each year's figure picked by
    the same rules as every other command (``figures.resolve``, ``figures.world_totals``).
    A change is computed only like with like: both years' figures present, from the same
    reporter and, for CA5, covering the same republics; otherwise ``no_change_reason`` says why.
    Amounts converted from another currency use each year's own rate; ``currency_effect_pct``
    is the part of the change that the rate alone makes.

    Takes the loader's frame (both years). Returns from_year, to_year, partner, area, measure,
    seen_from (whose exports and imports: the partner's, or the republic's for WLD),
    ``value_from<unit>``, ``value_to<unit>``, ``change<unit>``, change_pct, annual_rate_pct
    (the average annual rate over the span, like change_pct only when comparable), change_bound
    (``bounds``: a change from a bound is a bound, or not decidable), change_mixed (the two
    years' figures are different reporters'), comparable, no_change_reason,
    currency_effect_pct, note, basis_rule, and for each year (``from_``, ``to_``): reporter,
    basis, derived, coverage, covers, partial, mixed, bound, fx_rate, missing_reason,
    source_lines.
    """
    start, end = growth_years(trade, from_year, to_year)
    u = unit_suffix(currency)
    figures = _growth_figures(trade, basis, currency, rates, [start, end])
    keys = ["partner", "area", "flow", "seen_from"]

    def year_part(year: int, prefix: str) -> pl.DataFrame:
        return figures.filter(pl.col("year") == year).select(
            *keys,
            pl.col("value").alias(f"value_{prefix}{u}"),
            *[pl.col(f).alias(f"{prefix}_{f}") for f in _GROWTH_FIELDS],
            pl.col("lines").alias(f"{prefix}_source_lines"),
        )

    present = set(trade.get_column("year").unique().to_list())
    wide = year_part(start, "from").join(
        year_part(end, "to"), on=keys, how="full", coalesce=True, nulls_equal=True
    )
    # A year the data do not hold at all: every figure of it is missing, and says so.
    for prefix, year in (("from", start), ("to", end)):
        if year not in present:
            wide = wide.with_columns(
                pl.lit(f"the data hold no {year} figures").alias(f"{prefix}_missing_reason")
            )
    # The first year's figures again at the second year's rate: what the rate alone changes,
    # exact even for a figure derived from one EUR and one USD row.
    if start in rates and end in rates:
        at_end_rate = _growth_figures(trade, basis, currency, {**rates, start: rates[end]}, [start])
        wide = wide.join(
            at_end_rate.filter(pl.col("year") == start).select(
                *keys, pl.col("value").alias("_from_at_end_rate")
            ),
            on=keys,
            how="left",
            nulls_equal=True,
        )
    else:
        wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias("_from_at_end_rate"))
    a, b = pl.col(f"value_from{u}"), pl.col(f"value_to{u}")
    both = a.is_not_null() & b.is_not_null()
    same_reporter = pl.col("from_reporters") == pl.col("to_reporters")
    from_partial = pl.col("from_partial").fill_null(False)
    same_coverage = pl.col("from_covers").list.sort() == pl.col("to_covers").list.sort()
    bound = bounds.combine([pl.col("to_bound")], [pl.col("from_bound")])
    decidable = bound.fill_null("") != bounds.UNDECIDABLE
    comparable = both & same_reporter & same_coverage & decidable
    reason = (
        pl.when(a.is_null() & b.is_null())
        .then(
            pl.format("no figure in {} or {}: {}", pl.lit(start), pl.lit(end), "to_missing_reason")
        )
        .when(a.is_null())
        .then(pl.format("no {} figure: {}", pl.lit(start), "from_missing_reason"))
        .when(b.is_null())
        .then(pl.format("no {} figure: {}", pl.lit(end), "to_missing_reason"))
        .when(~same_reporter)
        .then(
            pl.format(
                "{} from {}, {} from {}",
                pl.lit(start),
                _who(pl.col("from_reporter")),
                pl.lit(end),
                _who(pl.col("to_reporter")),
            )
        )
        .when(~same_coverage)
        .then(
            pl.format(
                "{} covers {}, {} covers {}",
                pl.lit(start),
                _covers(pl.col("from_covers")),
                pl.lit(end),
                _covers(pl.col("to_covers")),
            )
        )
        .when(~decidable)
        .then(
            pl.format(
                "{} ({} {}: {}; {}: {})",
                pl.lit(bounds.REASON),
                _who(pl.col("from_reporter")),
                pl.lit(start),
                pl.col("from_bound").fill_null("exact"),
                pl.lit(end),
                pl.col("to_bound").fill_null("exact"),
            )
        )
    )
    converted = pl.col("from_fx_rate").is_not_null() & pl.col("to_fx_rate").is_not_null()
    rate_effect = (pl.col("_from_at_end_rate") / a - 1) * 100
    effect = pl.when(comparable & converted & (a != 0)).then(rate_effect)
    other = "EUR" if currency == "USD" else "USD"
    notes = pl.concat_str(
        pl.when(comparable & converted).then(
            pl.format(
                "converted from {} at each year's rate ({}: {}, {}: {} USD per EUR); "
                "the rate alone makes {}%",
                pl.lit(other),
                pl.lit(start),
                pl.col("from_fx_rate").round(4),
                pl.lit(end),
                pl.col("to_fx_rate").round(4),
                rate_effect.round(2),
            )
        ),
        pl.when(comparable & from_partial).then(
            pl.format("both years cover only {}", _covers(pl.col("from_covers")))
        ),
        pl.when(
            comparable
            & (pl.col("area") == schema.REGION)
            & (pl.col("from_coverage") != pl.col("to_coverage"))
        ).then(
            pl.format("{}: {}; {}: {}", pl.lit(start), "from_coverage", pl.lit(end), "to_coverage")
        ),
        pl.when(comparable & (pl.col("from_basis") != pl.col("to_basis"))).then(
            pl.format(
                "basis {} in {}, {} in {}", "from_basis", pl.lit(start), "to_basis", pl.lit(end)
            )
        ),
        separator="; ",
        ignore_nulls=True,
    )
    area_order = {code: i for i, code in enumerate((schema.REGION, *schema.REPUBLICS))}
    partner_order = {code: i for i, code in enumerate((*schema.PARTNERS, schema.WORLD))}
    flow_order = {flow: i for i, flow in enumerate(FLOW_MEASURE)}
    per_year = [f"{p}_{f}" for p in ("from", "to") for f in (*_GROWTH_FIELDS, "source_lines")]
    return (
        wide.with_columns(
            pl.when(comparable).then(b - a).alias(f"change{u}"),
            pl.when(comparable & (a != 0)).then((b - a) / a * 100).alias("change_pct"),
            # The average annual rate over the span: (b / a) ** (1 / years) - 1.
            pl.when(comparable & (a > 0) & (b > 0))
            .then(((b / a) ** (1 / (end - start)) - 1) * 100)
            .alias("annual_rate_pct"),
            pl.when(both & same_reporter & same_coverage).then(bound).alias("change_bound"),
            pl.when(both)
            .then(mixes(reporters_of("from_reporters", "to_reporters")))
            .alias("change_mixed"),
            comparable.alias("comparable"),
            reason.alias("no_change_reason"),
            effect.alias("currency_effect_pct"),
            pl.when(notes != "").then(notes).alias("note"),
        )
        .sort(
            pl.col("partner").replace_strict(partner_order, return_dtype=pl.Int64),
            pl.col("area").replace_strict(area_order, return_dtype=pl.Int64),
            pl.col("flow").replace_strict(flow_order, return_dtype=pl.Int64),
        )
        .select(
            pl.lit(start, dtype=pl.Int64).alias("from_year"),
            pl.lit(end, dtype=pl.Int64).alias("to_year"),
            "partner",
            "area",
            pl.col("flow").replace_strict(FLOW_MEASURE, return_dtype=pl.String).alias("measure"),
            "seen_from",
            f"value_from{u}",
            f"value_to{u}",
            f"change{u}",
            "change_pct",
            "annual_rate_pct",
            "change_bound",
            "change_mixed",
            "comparable",
            "no_change_reason",
            "currency_effect_pct",
            "note",
            pl.lit(basis).alias("basis_rule"),
            *per_year,
        )
    )


def growth_figures(result: pl.DataFrame) -> pl.DataFrame:
    """``growth``'s rows reshaped for ``explain``: one row per (partner, area), a figure per
    measure and year.

    Takes ``growth``'s frame. Returns partner, area and, for each measure and year (e.g.
    ``turnover 2023``): ``<figure>_source_lines``, ``_derived``, ``_missing_reason``, ``_year``.
    """
    out = result.select("partner", "area").unique(maintain_order=True)
    for measure in FLOW_MEASURE.values():
        rows = result.filter(pl.col("measure") == measure)
        for prefix in ("from", "to"):
            year = rows.item(0, f"{prefix}_year") if rows.height else None
            figure = f"{measure} {year}"
            part = rows.select(
                "partner",
                "area",
                pl.col(f"{prefix}_source_lines").alias(f"{figure}_source_lines"),
                pl.col(f"{prefix}_derived").alias(f"{figure}_derived"),
                pl.col(f"{prefix}_missing_reason").alias(f"{figure}_missing_reason"),
                pl.col(f"{prefix}_year").alias(f"{figure}_year"),
            )
            out = out.join(part, on=["partner", "area"], how="left", nulls_equal=True)
    return out
