"""The mirror table: both sides' figures for the same flow, the gap, the gap index."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ca_trade.schema import NAMES
from ca_trade.tables.cells import MISSING, bar, bn, cell, num, top_rows, unit_of
from ca_trade.tables.layout import Block, Column, Grid, Lines

if TYPE_CHECKING:
    import polars as pl

# Display order; priority: 0 stays, higher numbers leave the table first.
COLUMNS = (
    Column("Partner", "code"),
    Column("Area", "code", marks=True),
    Column("Flow", "code"),
    Column("Partner says", "number"),
    Column("Republic says", "number"),
    Column("Gap", "number"),
    Column("Ratio", "extra", priority=2, justify="right", short="ratio"),
    Column("Gap index", "extra", priority=1, justify="right", short="gap index"),
    Column("", "extra", priority=9, bar=True),
)


def mirror_tables(frame: pl.DataFrame, *, currency: str, top: int | None) -> list[Block]:
    """Both sides' figures for the same flow (``compute.mirror`` columns), largest gap first."""
    unit, symbol = unit_of(currency)
    rows, shown = top_rows(frame.to_dicts(), top)
    if not rows:
        return [Lines(["no pair and flow is reported by both sides"], style="")]
    grid = Grid(
        f"Mirror statistics: the same flow as each side reports it, {rows[0]['year']} "
        f"({symbol} bn), largest gap first",
        COLUMNS,
        notes=[
            "flow is the partner's: export = partner's exports = the republic's imports",
            "gap index = |a − b| / (a + b): 0 when the sides agree, 1 when one reports nothing",
            "* derived from the same reporter's other two flows",
            "Gaps come from CIF/FOB valuation (importers add freight and insurance), "
            "re-exports and transit (goods counted by origin on one side, by the "
            "trading country on the other), timing, and unrecorded or informal trade.",
        ],
    )
    for row in rows:
        a_text = Text(bn(num(row["partner_reported" + unit])))
        b_text = Text(bn(num(row["republic_reported" + unit])))
        if row["partner_derived"]:
            a_text.append("*", style="yellow")
        if row["republic_derived"]:
            b_text.append("*", style="yellow")
        ratio, index = num(row["ratio"]), num(row["gap_index"])
        grid.add_row(
            cell(f"{NAMES.get(str(row['partner']))} ({row['partner_reporter']})"),
            cell(f"{NAMES.get(str(row['area']))} ({row['republic_reporter']})"),
            cell(row["flow"]),
            a_text,
            b_text,
            cell(bn(num(row["gap" + unit]))),
            cell(
                f"{ratio:.2f}×" if ratio is not None else MISSING,
                style="bold red" if ratio is not None and (ratio > 2 or ratio < 0.5) else "",
            ),
            cell(f"{index:.2f}" if index is not None else MISSING),
            bar(index, 1.0, width=20),
        )
    return [grid, Lines(shown)] if shown else [grid]
