"""The balance table: partner by area, who holds the surplus, and a summary line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ca_trade.schema import NAMES
from ca_trade.tables.cells import (
    MISSING,
    cell,
    figure_notes,
    labelled,
    num,
    pct,
    rates_used,
    top_rows,
    unit_of,
)
from ca_trade.tables.layout import Block, Column, Grid, Lines
from ca_trade.tables.sources import explain_tables

if TYPE_CHECKING:
    import polars as pl

# Display order; priority: 0 stays, higher numbers leave the table first (valuation, the same
# on every row of a partner, leaves first; then who holds the surplus, then the ratios; the
# figures always stay). A single partner is said once under the table.
COLUMNS = (
    Column("Partner", "code", style="bold", short="partner", hoist=True),
    Column("Area", "code", marks=True),
    Column("Exports", "number"),
    Column("Imports", "number"),
    Column("Turnover", "number"),
    Column("Balance", "number"),
    Column("Bal. % turn.", "extra", priority=1, justify="right", short="balance % of turnover"),
    Column("Exp. % turn.", "extra", priority=2, justify="right", short="exports % of turnover"),
    Column("Surplus held by", "extra", priority=3, short="surplus held by"),
    Column("Valuation", "provenance", priority=4, short="valuation"),
)


def balance_tables(
    frame: pl.DataFrame,
    summary: pl.DataFrame,
    *,
    currency: str,
    basis_rule: str,
    top: int | None = None,
    explain: pl.DataFrame | None = None,
) -> list[Block]:
    """The balance table (``compute.balance`` columns) and ``compute.surplus_summary`` lines."""
    unit, symbol = unit_of(currency)
    rows, shown = top_rows(frame.to_dicts(), top)
    if not rows:
        return [Lines(["no rows"], style="")]
    year = rows[0]["year"]
    who = "partner's" if rows[0]["perspective"] == "partner" else "republic's"
    notes = [
        "basis: "
        + (
            "partner's statistics first"
            if basis_rule == "partner"
            else "republics' statistics first"
        )
        + "; exporters report FOB, importers CIF: a balance across reporters mixes both",
        *figure_notes(rates_used(rows)),
    ]
    grid = Grid(
        f"Trade balances, {year} ({symbol} bn; exports, imports and balance are the {who})",
        COLUMNS,
        notes=notes,
    )
    previous = None
    for row in rows:
        if previous is not None and row["partner"] != previous:
            grid.add_section()
        previous = row["partner"]
        balance = num(row["balance" + unit])
        balance_cell = labelled(row, "balance", unit)
        if balance is not None:
            balance_cell.stylize(
                "green" if balance >= 0 else "red", 0, balance_cell.plain.find("\n") % 99
            )
        holder = row["surplus_holder"]
        grid.add_row(
            cell(NAMES.get(str(row["partner"]), str(row["partner"]))),
            cell(NAMES.get(str(row["area"]), str(row["area"]))),
            labelled(row, "exports", unit),
            labelled(row, "imports", unit),
            labelled(row, "turnover", unit),
            balance_cell,
            cell(pct(num(row["balance_pct_of_turnover"]))),
            cell(pct(num(row["exports_pct_of_turnover"]))),
            cell(NAMES.get(str(holder), str(holder)) if holder else MISSING),
            cell(row["valuation"] or MISSING, style="red" if row["mixed_reporters"] else "dim"),
        )
    lines = []
    for item in summary.iter_rows(named=True):
        partner = NAMES.get(item["partner"], item["partner"])
        with_surplus = [NAMES.get(c, c) for c in item["republics_with_surplus"]]
        counted = item["republics_with_balance"]
        if counted == 0:
            lines.append(f"{partner}: no republic has both exports and imports, so no balance")
            continue
        named = ", ".join(with_surplus) if with_surplus else "no republic"
        held = counted - len(with_surplus)
        lines.append(
            f"In trade with {partner}, surplus held by {named}; surplus held by {partner} with "
            f"{held} republic{'' if held == 1 else 's'} (of {counted} with a balance)"
        )
    out: list[Block] = [grid, Lines(shown + lines)]
    if explain is not None:
        out.extend(explain_tables(explain))
    return out
