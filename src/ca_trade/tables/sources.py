"""The data rows behind figures: ``sources`` and the ``--explain`` tables.

A URL is never broken across lines: a cell holds the source and a short reference (``[3]``,
a terminal hyperlink where the terminal supports them), and the full URLs are listed under the
table, one per line, never wrapped (``Lines.unbroken``), so that copying one from an 80-column
terminal gives the working link.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text

from ca_trade.tables.cells import MISSING, cell, line_ref, top_rows
from ca_trade.tables.layout import Block, Column, Grid, Lines

if TYPE_CHECKING:
    import polars as pl

# Display order; priority: 0 stays, higher numbers leave the table first.
SOURCES_COLUMNS = (
    Column("line", "number"),
    Column("row", "code", marks=True),
    Column("value (m)", "number"),
    Column("basis", "provenance", priority=1),
    Column("source", "prose"),
    Column("note", "extra", priority=2, wrap=True),
)


class Links:
    """Each distinct URL's short reference (``[1]``, ``[2]``...), in order of first use."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def cell(self, source: object, url: object) -> Text:
        """The source's name and the URL's reference, linked to the URL."""
        text = Text(f"{source or ''}")
        if not url:
            return text
        number = self.numbers.setdefault(str(url), len(self.numbers) + 1)
        text.append(" ")
        text.append(f"[{number}]", style=Style(link=str(url)))
        return text

    def block(self) -> list[Block]:
        """The URLs under the table, one whole URL a line."""
        if not self.numbers:
            return []
        lines = [f"[{n}] {url}" for url, n in self.numbers.items()]
        return [Lines(lines, style="", unbroken=True)]


def sources_tables(frame: pl.DataFrame, *, top: int | None) -> list[Block]:
    """The data rows with their sources (``compute.sources`` columns)."""
    rows, notes = top_rows(frame.to_dicts(), top)
    columns = SOURCES_COLUMNS
    if "file" in frame.columns:  # 'trade_2024.csv:2' reads left to right
        columns = (replace(columns[0], header="file:line", justify="left"), *columns[1:])
    grid = Grid("Data rows and their sources (line = line in the data file)", columns)
    links = Links()
    for row in rows:
        grid.add_row(
            cell(line_ref(row)),
            cell(f"{row['year']} {row['reporter']}→{row['partner']} {row['flow']}"),
            cell(f"{row['value_millions']:,.1f} {row['currency']}"),
            cell(row["basis"]),
            links.cell(row["source"], row["source_url"]),
            cell(row["note"] or ""),
        )
    return [grid, *links.block(), *([Lines(notes)] if notes else [])]


def _explain_columns(first: str, frame: pl.DataFrame) -> tuple[Column, ...]:
    has_file = "file" in frame.columns
    return (
        Column(first, "prose", marks=True),
        Column("file:line", "number", justify="left") if has_file else Column("line", "number"),
        Column("row", "prose"),
        Column("basis", "provenance", priority=1),
        Column("source", "prose"),
    )


def _add_source_row(grid: Grid, figure: str, row: dict[str, Any], links: Links) -> None:
    """One explain row (``compute.explain`` columns): the data row used, or why it is missing."""
    if row["line"] is None:
        grid.add_row(cell(figure), cell(MISSING), cell(f"missing: {row['missing_reason']}"), "", "")
        return
    grid.add_row(
        cell(figure),
        cell(line_ref(row)),
        cell(
            f"{row['reporter']}→{row['counterpart']} {row['flow']} "
            f"{row['value_millions']:,.0f} m {row['currency']}"
        ),
        cell(row["basis"]),
        links.cell(row["source"], row["source_url"]),
    )


def explain_tables(explain: pl.DataFrame) -> list[Block]:
    """The data rows behind each figure (``compute.explain`` columns), for citing."""
    grid = Grid(
        "Where each figure comes from (line = line in the data file)",
        _explain_columns("figure", explain),
    )
    keys = [c for c in explain.columns if c in ("partner", "area", "republic")]
    links = Links()
    for row in explain.iter_rows(named=True):
        figure = " ".join(str(row[k]) for k in keys) + f" {row['measure']}"
        if row.get("derived"):
            figure += " (derived)"
        _add_source_row(grid, figure, row, links)
    return [grid, *links.block()]


def check_explain_table(explain: pl.DataFrame) -> list[Block]:
    """The data rows behind each claim's computed values, by claim and basis, for citing."""
    grid = Grid(
        "Where each computed value comes from (line = line in the data file)",
        _explain_columns("claim", explain),
    )
    links = Links()
    for row in explain.iter_rows(named=True):
        _add_source_row(grid, f"{row['claim_id']} · {row['statistics']}", row, links)
    return [grid, *links.block()]
