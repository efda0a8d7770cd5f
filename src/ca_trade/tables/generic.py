"""Any frame as a table (``validate``'s problems): numbers right-aligned, text wraps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ca_trade.output_common import machine_frame
from ca_trade.tables.cells import cell
from ca_trade.tables.layout import Block, Column, Grid, Lines

if TYPE_CHECKING:
    import polars as pl

# Columns that hold codes (never wrap) when a frame has them; other text columns wrap.
CODE_COLUMNS = ("rule", "column", "claim_id", "partner", "reporter", "flow", "currency")


def _plain(value: object) -> object:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return value


def generic_table(frame: pl.DataFrame, title: str, *, limit: int | None = None) -> list[Block]:
    """Any frame as a table (any columns), capped at ``limit`` rows with a hint."""
    numeric = {n for n, t in frame.schema.items() if t.is_numeric()}
    columns = tuple(
        Column(name, "number")
        if name in numeric
        else Column(name, "code")
        if name in CODE_COLUMNS
        else Column(name, "prose", fold=True)
        for name in frame.columns
    )
    grid = Grid(title, columns)
    shown = frame if limit is None else frame.head(limit)
    for row in machine_frame(shown, formula_safe=False).iter_rows():
        grid.add_row(*[cell(_plain(v)) for v in row])
    out: list[Block] = [grid]
    if limit is not None and frame.height > limit:
        out.append(
            Lines(
                [
                    f"showing {limit} of {frame.height} rows; --top N shows more, "
                    "--format csv prints them all"
                ]
            )
        )
    return out


def message(text: str) -> list[Block]:
    """A one-line result with no table (e.g. 'no problems')."""
    return [Lines([text], style="")]
