"""The compare table: partners ranked by turnover, with basis and coverage per figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ca_trade.bounds import MARKS
from ca_trade.schema import NAMES, PARTNERS
from ca_trade.tables.cells import (
    MISSING,
    bar,
    bn,
    by_measure,
    cell,
    figure_notes,
    labelled,
    num,
    rates_used,
    unit_of,
    who,
)
from ca_trade.tables.layout import Block, Column, Grid, Lines
from ca_trade.tables.sources import explain_tables

if TYPE_CHECKING:
    import polars as pl

# Display order; priority: 0 stays, higher numbers leave the table first (bars go first,
# then the ratios, then coverage, then basis; figures always stay).
COLUMNS = (
    Column("#", "number"),
    Column("Partner", "code", style="bold", marks=True),
    Column("Turnover", "number"),
    Column("", "extra", priority=9, bar=True),
    Column("Exports", "number"),
    Column("Imports", "number"),
    Column("Balance", "number"),
    Column("Turnover vs others", "extra", priority=3, short="vs others"),
    Column("Basis (whose statistics)", "provenance", priority=1, short="basis"),
    Column("Coverage", "provenance", priority=2, short="coverage"),
)


def _versus(row: dict[str, object], partners: Sequence[str]) -> str:
    parts = []
    for other in partners:
        name = f"turnover_ratio_to_{other.lower()}"
        ratio = num(row.get(name))
        if other != row["partner"] and ratio is not None:
            bound = MARKS.get(str(row.get(f"{name}_bound")), "")
            mixed = "◐" if row.get(f"{name}_mixed") else ""
            parts.append(f"{bound}{ratio:.2f}×{mixed} {NAMES[other]}")
    return "\n".join(parts) if parts else MISSING


def compare_tables(
    frame: pl.DataFrame,
    *,
    currency: str,
    basis_rule: str,
    explain: pl.DataFrame | None = None,
) -> list[Block]:
    """The compare table (``compute.compare`` columns), and the explain table when given."""
    unit, symbol = unit_of(currency)
    rows = frame.to_dicts()
    if not rows:
        return [Lines(["no rows"], style="")]
    area, year = rows[0]["area"], rows[0]["year"]
    rule = (
        "partner's statistics first, then the republic's; unstated statements last"
        if basis_rule == "partner"
        else "republics' statistics first, then the partner's; unstated statements last"
    )
    rates = rates_used(rows)
    notes = [
        f"{year} · basis: {rule} · balance = partner's exports − imports",
        *figure_notes(rates),
    ]
    if not rates:
        notes.append("no currency conversion was needed for these figures")
    grid = Grid(
        f"China, the EU and Russia in trade with {NAMES.get(str(area), str(area))}, {year} "
        f"({symbol} bn)",
        COLUMNS,
        notes=notes,
    )
    largest = max((num(r["turnover" + unit]) or 0.0) for r in rows)
    measures = ("turnover", "exports", "imports")
    for row in rows:
        basis_text = by_measure(
            {m: who(row[f"{m}_reporters"], row[f"{m}_basis"]) for m in measures}
        )
        coverage_text = by_measure({m: str(row[f"{m}_coverage"] or MISSING) for m in measures})
        balance = num(row["balance" + unit])
        balance_cell = labelled(row, "balance", unit)
        start = balance_cell.plain.find(bn(balance))
        balance_cell.stylize(
            "green" if balance is not None and balance >= 0 else "red",
            max(start, 0),
            max(start, 0) + len(bn(balance)),
        )
        grid.add_row(
            cell(row["rank"]),
            cell(NAMES.get(str(row["partner"]), str(row["partner"]))),
            labelled(row, "turnover", unit),
            bar(num(row["turnover" + unit]), largest, width=12),
            labelled(row, "exports", unit),
            labelled(row, "imports", unit),
            balance_cell,
            cell(_versus(row, PARTNERS)),
            cell(basis_text),
            cell(coverage_text),
            end_section=True,
        )
    out: list[Block] = [grid]
    if explain is not None:
        out.extend(explain_tables(explain))
    return out
