"""sources: the data rows themselves."""

from __future__ import annotations

import polars as pl

from ca_trade import schema


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
    return trade.filter(condition).select(*file, "line", *schema.LOADED)
