"""What both ``render`` (machine formats) and ``tables`` (Rich tables) use, below both.

Whether stdout is a terminal, and the machine frame (list columns joined, text formula-safe).
Imports nothing from ca_trade but the standard library and (inside ``machine_frame``) polars.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


def stdout_is_terminal() -> bool:
    """True when stdout is a terminal (decides the default format and the table width)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def machine_frame(frame: pl.DataFrame, *, formula_safe: bool) -> pl.DataFrame:
    """The frame with list columns joined by spaces and, if ``formula_safe``, text made safe.

    Any columns in, the same names out; numeric columns are returned untouched.
    """
    import polars as pl

    exprs = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.List):
            column = column.cast(pl.List(pl.String)).list.join(" ")
            dtype = pl.String()
        if formula_safe and dtype == pl.String:
            column = (
                pl.when(column.str.starts_with("=") | column.str.contains(r"^[+\-@\t\r\n]"))
                .then(pl.lit("'") + column)
                .otherwise(column)
            )
        exprs.append(column.alias(name))
    return frame.select(exprs)
