"""The data rows behind figures: ``sources`` and the ``--explain`` tables."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

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
    Column("source", "prose", fold=True),
    Column("note", "extra", priority=2, wrap=True),
)


def sources_tables(frame: pl.DataFrame, *, top: int | None) -> list[Block]:
    """The data rows with their sources (``compute.sources`` columns)."""
    rows, notes = top_rows(frame.to_dicts(), top)
    columns = SOURCES_COLUMNS
    if "file" in frame.columns:  # 'trade_2024.csv:2' reads left to right
        columns = (replace(columns[0], header="file:line", justify="left"), *columns[1:])
    grid = Grid("Data rows and their sources (line = line in the data file)", columns)
    for row in rows:
        grid.add_row(
            cell(line_ref(row)),
            cell(f"{row['year']} {row['reporter']}→{row['partner']} {row['flow']}"),
            cell(f"{row['value_millions']:,.1f} {row['currency']}"),
            cell(row["basis"]),
            cell(f"{row['source']}\n{row['source_url']}"),
            cell(row["note"] or ""),
        )
    return [grid, Lines(notes)] if notes else [grid]


def _explain_columns(first: str, frame: pl.DataFrame) -> tuple[Column, ...]:
    has_file = "file" in frame.columns
    return (
        Column(first, "prose", marks=True),
        Column("file:line", "number", justify="left") if has_file else Column("line", "number"),
        Column("row", "prose"),
        Column("basis", "provenance", priority=1),
        Column("source", "prose", fold=True),
    )


def _add_source_row(grid: Grid, figure: str, row: dict[str, Any]) -> None:
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
        cell(f"{row['source']} {row['source_url']}"),
    )


def explain_tables(explain: pl.DataFrame) -> list[Block]:
    """The data rows behind each figure (``compute.explain`` columns), for citing."""
    grid = Grid(
        "Where each figure comes from (line = line in the data file)",
        _explain_columns("figure", explain),
    )
    keys = [c for c in explain.columns if c in ("partner", "area", "republic")]
    for row in explain.iter_rows(named=True):
        figure = " ".join(str(row[k]) for k in keys) + f" {row['measure']}"
        if row.get("derived"):
            figure += " (derived)"
        _add_source_row(grid, figure, row)
    return [grid]


def check_explain_table(explain: pl.DataFrame) -> Grid:
    """The data rows behind each claim's computed values, by claim and basis, for citing."""
    grid = Grid(
        "Where each computed value comes from (line = line in the data file)",
        _explain_columns("claim", explain),
    )
    for row in explain.iter_rows(named=True):
        _add_source_row(grid, f"{row['claim_id']} · {row['statistics']}", row)
    return grid
