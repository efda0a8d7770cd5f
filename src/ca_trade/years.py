"""Which year a command shows when none is asked for, and which bundled files it must read.

The default year is the latest year in which China, the EU and Russia each have a figure with
the region (a row between the partner and CA5 or a republic, reported by either side). A later
year that lacks one of them (2025: China's customs and a few republics' statistics, nothing from
the EU) is partial: it is shown only when asked for, and a one-line note on stderr says so.

The bundled data are one file per year (``trade_2024.csv``), so a command that shows one year
reads only that year's file, found by its name; the default year is found by reading the files
from the latest back until a year is complete (usually two files, not eleven).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade import schema

if TYPE_CHECKING:
    import polars as pl

_YEAR_IN_NAME = re.compile(r"trade_(\d{4})\.csv")

# Whose statistics a partner's rows are, for the note about a partial year (the republics'
# are named by their codes, to keep the note on one line of a terminal).
_WHOSE = {"CHN": "China's customs", "EU27": "the EU's figures", "RUS": "Russia's figures"}


def year_of_file(path: Path) -> int | None:
    """The year in a bundled file's name (``trade_2024.csv`` -> 2024), else None."""
    found = _YEAR_IN_NAME.fullmatch(path.name)
    return int(found.group(1)) if found else None


def _with_region(trade: pl.DataFrame) -> pl.DataFrame:
    """Rows between an external partner and the region (CA5 or a republic), either side."""
    import polars as pl

    areas = (*schema.REPUBLICS, schema.REGION)
    partner_side = pl.col("reporter").is_in(schema.PARTNERS) & pl.col("partner").is_in(areas)
    area_side = pl.col("reporter").is_in(areas) & pl.col("partner").is_in(schema.PARTNERS)
    return trade.filter(partner_side | area_side).with_columns(
        pl.when(partner_side).then(pl.col("reporter")).otherwise(pl.col("partner")).alias("_p")
    )


def partners_missing(trade: pl.DataFrame, year: int) -> list[str]:
    """The partners (CHN, EU27, RUS) with no figure with the region in ``year``."""
    import polars as pl

    rows = _with_region(trade.filter(pl.col("year") == year))
    have = set(rows.get_column("_p").to_list())
    return [p for p in schema.PARTNERS if p not in have]


def is_complete(trade: pl.DataFrame, year: int) -> bool:
    """True when China, the EU and Russia each have a figure with the region in ``year``."""
    return not partners_missing(trade, year)


def default_year(trade: pl.DataFrame, years: Sequence[int]) -> int:
    """The latest complete year among ``years``; the latest year when none is complete."""
    complete = [y for y in years if is_complete(trade, y)]
    return max(complete) if complete else max(years)


def partial_note(trade: pl.DataFrame, year: int) -> str:
    """One line: '2025 is partial (China's customs; KGZ, UZB statistics): --year 2025'."""
    import polars as pl

    rows = _with_region(trade.filter(pl.col("year") == year))
    reporters = set(rows.get_column("reporter").to_list())
    parts = [_WHOSE[p] for p in schema.PARTNERS if p in reporters]
    areas = [a for a in (*schema.REPUBLICS, schema.REGION) if a in reporters]
    if areas:
        parts.append(", ".join(areas) + " statistics")
    return f"{year} is partial ({'; '.join(parts) or 'no figure with the region'}): --year {year}"


def pick_bundled(
    paths: Sequence[Path], year: int | None, read: Callable[[list[Path]], pl.DataFrame]
) -> tuple[pl.DataFrame, int, list[int], list[str]]:
    """Read only the bundled files one year needs.

    ``year`` given: that year's file. Otherwise the files from the latest back until a year is
    complete (none complete: the latest year). Returns the rows of the chosen year, the year,
    every bundled year (from the names) and the notes about later partial years. ``read`` reads
    a list of files strictly.
    """
    by_year = {y: p for p in paths if (y := year_of_file(p)) is not None}
    years = sorted(by_year)
    if year is not None:
        return read([by_year[year]]), year, years, []
    notes: list[str] = []
    latest: pl.DataFrame | None = None
    for candidate in reversed(years):
        frame = read([by_year[candidate]])
        latest = frame if latest is None else latest
        if is_complete(frame, candidate):
            return frame, candidate, years, notes
        notes.append(partial_note(frame, candidate))
    assert latest is not None, "no bundled file"
    return latest, years[-1], years, []  # no year is complete: the latest, as before
