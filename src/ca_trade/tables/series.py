"""The series table: one figure over the years, a bar per year, the breaks marked.

A rule is drawn above each year whose reporter or coverage differs from the year before (a
*break*: no change is computed across it), and its change cell says ``break``; the reasons are
listed under the table. A year with no figure shows '—' and no bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ca_trade.bounds import MARKS, UNDECIDABLE
from ca_trade.schema import NAMES
from ca_trade.tables.cells import (
    bar,
    cell,
    figure_notes,
    num,
    rates_used,
    unit_of,
    who,
    with_markers,
)
from ca_trade.tables.layout import Block, Column, Grid, Lines

if TYPE_CHECKING:
    import polars as pl

BAR_WIDTH = 24

# Display order; priority 0 stays: the bars are the chart, so they stay too.
COLUMNS = (
    Column("Year", "code", marks=True),
    Column("Value", "number"),
    Column("Change", "code", justify="right"),
    Column("", "extra", priority=0),
    Column("Whose figure", "provenance", short="whose", min_width=16),
)
_FLOW_WORDS = {"turnover": "turnover with", "exports": "exports to", "imports": "imports from"}


def _change(row: dict[str, object]) -> Text:
    change = num(row["change_pct"])
    if change is not None:
        mark = MARKS.get(str(row.get("change_bound")), "")  # a change from a bound is one
        return Text(f"{mark}{change:+.1f}%", style="green" if change >= 0 else "red")
    if row.get("change_bound") == UNDECIDABLE:
        return Text("? bounds", style="yellow")
    if row["break_before"]:
        return Text("┄ break", style="bold yellow")
    return Text("—")


def _marked(row: dict[str, object], unit: str) -> Text:
    fields = ("bound", "derived", "basis", "fx_rate", "partial", "mixed")
    prefixed = {f"v_{name}": row[name] for name in fields}
    return with_markers(num(row["value" + unit]), prefixed, "v")


def series_tables(frame: pl.DataFrame, *, currency: str, basis_rule: str) -> list[Block]:
    """The series table (``series.series`` columns), with its breaks and gaps listed below."""
    unit, symbol = unit_of(currency)
    rows = frame.to_dicts()
    if not rows:
        return [Lines(["no years in the data"], style="")]
    first = rows[0]
    partner = NAMES.get(str(first["partner"]), str(first["partner"]))
    area = NAMES.get(str(first["area"]), str(first["area"]))
    measure = str(first["measure"])
    rule = "partner's statistics first" if basis_rule == "partner" else "republics' first"
    breaks = [
        f"{r['year']}: {r['no_change_reason']}"
        for r in rows
        if r["break_before"] or r.get("change_bound") == UNDECIDABLE
    ]
    gaps = [str(r["year"]) for r in rows if r["value" + unit] is None]
    notes = [
        "change = from the year before, only like with like (same reporter, same coverage)",
        f"basis: {rule}; ┄ break = the reporter or the coverage changes: no change across it",
        "? bounds = both years are bounds that leave the change open either way",
        *figure_notes(rates_used([{**r, "v_fx_rate": r["fx_rate"]} for r in rows])),
    ]
    grid = Grid(
        f"{partner}: {measure} {_FLOW_WORDS[measure].split()[-1]} {area}, "
        f"{rows[0]['year']}–{rows[-1]['year']} ({symbol} bn)",
        COLUMNS,
        notes=notes,
    )
    largest = max((num(r["value" + unit]) or 0.0) for r in rows)
    for row in rows:
        if row["break_before"]:
            grid.add_section()
        value = num(row["value" + unit])
        grid.add_row(
            cell(row["year"]),
            _marked(row, unit),
            _change(row),
            bar(value, largest, width=BAR_WIDTH),
            cell(who(row["reporters"], row["basis"]) if value is not None else "no figure"),
        )
    lines = []
    if breaks:
        lines.append("Breaks and undecidable changes (no change computed):")
        lines.extend(f"  {text}" for text in breaks)
    if gaps:
        lines.append(f"No figure (a gap, not zero): {', '.join(gaps)}")
    return [grid, Lines(lines)] if lines else [grid]
