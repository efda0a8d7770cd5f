"""The shares table: per area, each partner's share of trade, imports and exports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ca_trade.schema import NAMES
from ca_trade.tables.cells import MARKER_NOTES, bar, cell, flagged, num, pct
from ca_trade.tables.layout import Block, Column, Grid, Lines
from ca_trade.tables.sources import explain_tables

if TYPE_CHECKING:
    import polars as pl

# Display order; priority: 0 stays, higher numbers leave the table first.
COLUMNS = (
    Column("Area", "code", style="bold"),
    Column("Partner", "code", marks=True),
    Column("Trade", "number"),
    Column("", "extra", priority=9, bar=True),
    Column("Imports", "number"),
    Column("Exports", "number"),
    Column("Coverage (trade)", "provenance", priority=1, short="coverage"),
)


def _share(row: dict[str, object], measure: str) -> Text:
    value = num(row[f"{measure}_share_pct"])
    if row["partner"] == "ROW":  # a remainder, not a derivation: its other markers stand
        row = {**row, f"{measure}_derived": False}
    return flagged(pct(value), value, row, measure)


def shares_tables(
    frame: pl.DataFrame,
    *,
    basis_rule: str,
    explain: pl.DataFrame | None = None,
) -> list[Block]:
    """The shares table (``compute.shares`` columns), and the explain table when given."""
    rows = frame.to_dicts()
    if not rows:
        return [Lines(["no rows"], style="")]
    year = rows[0]["year"]
    mixed_any = any(row.get(f"{m}_mixed") for row in rows for m in ("trade", "imports", "exports"))
    notes = [
        f"{year} · share of the republic's own world total (partner WLD in its statistics)",
        "numerators: "
        + (
            "the republic's own statistics first"
            if basis_rule == "republic"
            else "the partner's statistics first"
        ),
        "◐ mixed: numerator and denominator come from different reporters"
        + (" — such shares are not like-for-like" if mixed_any else ""),
        MARKER_NOTES["*"],
        MARKER_NOTES["†"] + "; on a share, in its numerator or denominator",
        MARKER_NOTES["~"],
        MARKER_NOTES["≥"],
        "— missing: no figure, or not a share (outside 0–100%: reporters mixed); the reason "
        "is in the coverage column and in --format json (*_missing_reason)",
        "Rest of world = the world total − the partners' figures; it includes any partner "
        "with no figure",
    ]
    grid = Grid(f"Partners' shares of each republic's trade, {year}", COLUMNS, notes=notes)
    previous = None
    for row in rows:
        area = str(row["area"])
        if previous is not None and area != previous:
            grid.add_section()
        previous = area
        partner = str(row["partner"])
        grid.add_row(
            cell(NAMES.get(area, area)),
            cell("Rest of world" if partner == "ROW" else NAMES.get(partner, partner)),
            _share(row, "trade"),
            bar(num(row["trade_share_pct"]), 100.0, width=15),
            _share(row, "imports"),
            _share(row, "exports"),
            cell(row.get("trade_missing_reason") or row.get("trade_coverage")),
        )
    out: list[Block] = [grid]
    if explain is not None:
        out.extend(explain_tables(explain))
    return out
