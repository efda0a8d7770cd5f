"""The calculator: pure functions from the loaded data to the frames the commands print.

Every function takes the loader's frame (``load.read_trade``) or ``figures.resolve``'s output and
returns a Polars frame whose column names are the public CSV/JSON interface: stable snake_case,
the unit in the name (``turnover_usd_m`` = millions of USD). No I/O, no printing.
"""

from __future__ import annotations

import polars as pl

from ca_trade import schema
from ca_trade.errors import UsageError
from ca_trade.figures import Basis, candidates, resolve, world_totals

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

    Takes a result frame with ``<measure>_source_lines`` list columns (e.g. ``compare``'s) and
    the loaded data. Returns one row per (figure, data row): the ``keys`` columns, measure,
    derived, file (when the data has it), line, missing_reason, reporter, counterpart, flow,
    value_millions, currency, basis, source, source_url, note. A missing figure has one row: no
    line, its reason. A figure's lines are looked up in its year (``<measure>_year``, else
    ``year``), since several files may each have a line 2; a figure whose lines span years
    (``check``'s claims about change) gives each line's year in ``<measure>_source_years``, a list
    beside its lines. A line that still matches rows of two files is a ``UsageError`` rather than
    a guess.
    """
    measures = [
        c.removesuffix("_source_lines") for c in result.columns if c.endswith("_source_lines")
    ]

    def optional(name: str, dtype: pl.DataType) -> pl.Expr:
        return pl.col(name) if name in result.columns else pl.lit(None, dtype=dtype)

    def per_line(measure: str) -> bool:
        return f"{measure}_source_years" in result.columns

    def year_of(measure: str) -> pl.Expr:
        if per_line(measure):
            return pl.col(f"{measure}_source_years").cast(pl.List(pl.Int64))
        name = f"{measure}_year" if f"{measure}_year" in result.columns else "year"
        return optional(name, pl.Int64()).cast(pl.Int64)

    numbered = result.with_row_index("_row")
    parts = [
        numbered.select(
            "_row",
            *keys,
            pl.lit(measure).alias("measure"),
            optional(f"{measure}_derived", pl.Boolean()).alias("derived"),
            year_of(measure).alias("_year"),
            pl.col(f"{measure}_source_lines").alias("line"),
            optional(f"{measure}_missing_reason", pl.String()).alias("missing_reason"),
        ).explode(["line", "_year"] if per_line(measure) else "line", empty_as_null=True)
        for measure in measures
    ]
    file = ["file"] if "file" in trade.columns else []
    rows = trade.select(
        pl.col("year").alias("_data_year"),
        *file,
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
    joined = (
        pl.concat(parts)
        .filter(pl.col("line").is_not_null() | pl.col("missing_reason").is_not_null())
        .join(rows, on="line", how="left")
        .filter(
            pl.col("line").is_null()
            | pl.col("_year").is_null()
            | (pl.col("_year") == pl.col("_data_year"))
        )
    )
    if file:
        clash = joined.filter(
            pl.col("line").is_not_null()
            & (pl.col("file").n_unique().over("_row", "measure", "line") > 1)
        )
        if not clash.is_empty():
            first = clash.row(0, named=True)
            same = [pl.col(c) == first[c] for c in ("_row", "measure", "line")]
            files = " and ".join(clash.filter(same)["file"].unique().sort().to_list())
            raise UsageError(
                f"--explain cannot tell which file line {first['line']} behind a figure comes "
                f"from: {files} both have that line for the same year",
                hint="keep each year's rows in one file, or run without --explain",
            )
    columns = [*keys, "measure", "derived", *file, "line", "missing_reason"]
    return joined.select(*columns, *rows.columns[len(file) + 2 :]).unique(maintain_order=True)


# ------------------------------------------------------------------------------------- shares

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


# ------------------------------------------------------------------------------------- growth

_GROWTH_FIELDS = ("reporter", "basis", "derived", "coverage", "fx_rate", "missing_reason")
_REPORTER_WORDS = {
    "CHN": "CHN customs",
    "EU27": "EU27 figures",
    "RUS": "RUS officials",
    schema.REGION: "the republics' compilation (CA5)",
}
_PARTIAL_COVERAGE = r"^(\d+)/(\d+): partial \(has (.*)\)$"


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


def _covers(coverage: pl.Expr) -> pl.Expr:
    """A region figure's coverage in words: '4/5 republics (KAZ, KGZ, TJK, UZB)'."""
    return (
        pl.when(coverage.str.contains(_PARTIAL_COVERAGE))
        .then(
            pl.format(
                "{}/{} republics ({})",
                coverage.str.extract(_PARTIAL_COVERAGE, 1),
                coverage.str.extract(_PARTIAL_COVERAGE, 2),
                coverage.str.extract(_PARTIAL_COVERAGE, 3),
            )
        )
        .otherwise(pl.lit(f"{len(schema.REPUBLICS)}/{len(schema.REPUBLICS)} republics"))
    )


def _growth_figures(
    trade: pl.DataFrame, basis: Basis, currency: str, rates: dict[int, float], years: list[int]
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
    basis: Basis,
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
    (the average annual rate over the span, like change_pct only when comparable), comparable,
    no_change_reason, currency_effect_pct, note, basis_rule, and for each year (``from_``,
    ``to_``): reporter, basis, derived, coverage, fx_rate, missing_reason, source_lines.
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
    same_reporter = pl.col("from_reporter") == pl.col("to_reporter")
    partial = r"partial"
    from_partial = pl.col("from_coverage").str.contains(partial).fill_null(False)
    to_partial = pl.col("to_coverage").str.contains(partial).fill_null(False)
    same_coverage = (~from_partial & ~to_partial) | (
        pl.col("from_coverage").eq_missing(pl.col("to_coverage"))
    )
    comparable = both & same_reporter & same_coverage
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
                _covers(pl.col("from_coverage")),
                pl.lit(end),
                _covers(pl.col("to_coverage")),
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
            pl.format("both years cover only {}", _covers(pl.col("from_coverage")))
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


# ------------------------------------------------------------------------------------ balance

# Who values a flow how: an exporter reports FOB, an importer CIF.
_VALUATION_OF_PARTNER_EXPORTS = {"partner": "FOB", "republic": "CIF"}
_VALUATION_OF_PARTNER_IMPORTS = {"partner": "CIF", "republic": "FOB"}


def balance(
    trade: pl.DataFrame,
    *,
    basis: Basis,
    currency: str,
    rates: dict[int, float],
    year: int | None = None,
    perspective: str = "partner",
) -> pl.DataFrame:
    """Each partner's balance with each republic and with the five.

    ``perspective="partner"`` (default): exports, imports and balance are the partner's (a
    positive balance is the partner's surplus). ``"republic"`` turns every pair round: the
    republic's exports (= the partner's imports) minus its imports.

    Takes the loader's frame. Returns year, partner, area, exports/imports/turnover/balance
    ``<unit>``, ``balance_pct_of_turnover``, ``exports_pct_of_turnover``, ``surplus_holder``
    (a code, or null when balanced or unknown), ``valuation``, ``mixed_reporters``, and each
    measure's provenance columns as in ``compare``.
    """
    trade, chosen_year = select_year(trade, year)
    u = unit_suffix(currency)
    figures = resolve(trade, basis, currency, rates)
    wide = add_balance(figure_columns(figures, currency), currency)
    side_of = {c: pl.col(f"{c}_reporter").is_in(schema.PARTNERS) for c in ("exports", "imports")}
    valuation = pl.format(
        "exports {} ({}), imports {} ({})",
        pl.when(side_of["exports"]).then(pl.lit("FOB")).otherwise(pl.lit("CIF")),
        "exports_reporter",
        pl.when(side_of["imports"]).then(pl.lit("CIF")).otherwise(pl.lit("FOB")),
        "imports_reporter",
    )
    known = pl.col("balance" + u).is_not_null()
    result = wide.with_columns(
        pl.when(known).then(valuation).alias("valuation"),
        pl.when(known)
        .then(pl.col("exports_reporter") != pl.col("imports_reporter"))
        .alias("mixed_reporters"),
    )
    if perspective == "republic":
        swap = {"exports": "imports", "imports": "exports"}
        renamed = {}
        for column in result.columns:
            for a, b in swap.items():
                if column.startswith(a + "_") or column == a + u:
                    renamed[column] = b + column[len(a) :]
        result = result.rename(renamed).with_columns(
            (pl.col("exports" + u) - pl.col("imports" + u)).alias("balance" + u)
        )
    balance_value = pl.col("balance" + u)
    partial = pl.any_horizontal(
        pl.col(f"{m}_coverage").str.contains("partial").fill_null(False)
        for m in ("exports", "imports", "turnover")
    )
    per_turnover = pl.when(~partial).then(pl.col("turnover" + u))
    subject = "partner" if perspective == "partner" else "area"
    other = "area" if perspective == "partner" else "partner"
    order = {code: i for i, code in enumerate((*schema.REPUBLICS, schema.REGION))}
    return result.select(
        pl.lit(chosen_year, dtype=pl.Int64).alias("year"),
        "partner",
        "area",
        pl.lit(perspective).alias("perspective"),
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


# ------------------------------------------------------------------------------------- mirror


def mirror(
    trade: pl.DataFrame,
    *,
    currency: str,
    rates: dict[int, float],
    year: int | None = None,
    include_derived: bool = True,
) -> pl.DataFrame:
    """Every pair and flow that both sides report, the two values side by side, largest gap first.

    Flows are the partner's (``export`` = partner's exports = the republic's imports). Derived
    figures take part only when ``include_derived`` and are marked.

    Takes the loader's frame. Returns year, partner, area, flow, ``partner_reported<unit>``,
    ``republic_reported<unit>``, ``gap<unit>`` (absolute), ``ratio`` (partner / republic),
    ``gap_index`` (|a-b|/(a+b), 0 = agree, 1 = one side is zero), partner_reporter,
    republic_reporter, partner_basis, republic_basis, partner_derived, republic_derived,
    partner_source_lines, republic_source_lines.
    """
    trade, chosen_year = select_year(trade, year)
    u = unit_suffix(currency)
    pool = candidates(trade, currency, rates)
    if not include_derived:
        pool = pool.filter(~pl.col("derived"))
    keys = ["year", "partner", "area", "flow"]

    def side(name: str) -> pl.DataFrame:
        return pool.filter(pl.col("side") == name).select(
            *keys,
            pl.col("value").alias(f"{name}_reported{u}"),
            pl.col("reporter").alias(f"{name}_reporter"),
            pl.col("basis").alias(f"{name}_basis"),
            pl.col("derived").alias(f"{name}_derived"),
            pl.col("lines").alias(f"{name}_source_lines"),
        )

    a, b = pl.col(f"partner_reported{u}"), pl.col(f"republic_reported{u}")
    flow_order = {"total": 0, "export": 1, "import": 2}
    return (
        side("partner")
        .join(side("republic"), on=keys, how="inner")
        .with_columns(
            (a - b).abs().alias(f"gap{u}"),
            (a / b).alias("ratio"),
            ((a - b).abs() / (a + b)).alias("gap_index"),
        )
        .filter(pl.col("year") == chosen_year)
        .sort(
            pl.col(f"gap{u}"),
            pl.col("flow").replace_strict(flow_order, return_dtype=pl.Int64),
            descending=[True, False],
        )
        .select(
            *keys,
            f"partner_reported{u}",
            f"republic_reported{u}",
            f"gap{u}",
            "ratio",
            "gap_index",
            "partner_reporter",
            "republic_reporter",
            "partner_basis",
            "republic_basis",
            "partner_derived",
            "republic_derived",
            "partner_source_lines",
            "republic_source_lines",
        )
    )


# ------------------------------------------------------------------------------------ sources


def sources(
    trade: pl.DataFrame,
    *,
    partner: str | None = None,
    republic: str | None = None,
    reporter: str | None = None,
    year: int | None = None,
) -> pl.DataFrame:
    """The data rows themselves, with source, URL and note, optionally filtered.

    ``partner`` and ``republic`` match either side of a row; ``reporter`` matches the reporter.
    Takes the loader's frame (or ``inputs.read_files``'); returns file (when the data has it),
    line, year, reporter, partner, flow, value_millions, currency, basis, source, source_url,
    note, in file order.
    """

    def either(code: str) -> pl.Expr:
        return (pl.col("reporter") == code) | (pl.col("partner") == code)

    condition = pl.lit(True)
    if partner is not None:
        condition &= either(partner)
    if republic is not None:
        condition &= either(republic)
    if reporter is not None:
        condition &= pl.col("reporter") == reporter
    if year is not None:
        condition &= pl.col("year") == year
    file = ["file"] if "file" in trade.columns else []
    return trade.filter(condition).select(*file, "line", *schema.COLUMNS)
