"""explain: the data rows behind each figure of a result."""

from __future__ import annotations

import polars as pl

from ca_trade.errors import UsageError


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
