"""The row filters and sort names every command shares: --partner, --republic and --sort.

``pairs`` keeps a result's rows for one partner and/or one republic (by its ``partner`` and
``area`` columns, as ``balance`` always has). ``sort_column`` reads a --sort name as the table
shows it (``balance``, ``turnover``, ``Bal. % turn.``, ``surplus held by``...) or as the machine
column name (``balance_usd_m``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ca_trade.errors import UsageError

if TYPE_CHECKING:
    import polars as pl

# Table headers (and their short names) that are not a column name with a unit suffix.
HEADERS = {
    "bal_turn": "balance_pct_of_turnover",
    "balance_of_turnover": "balance_pct_of_turnover",
    "exp_turn": "exports_pct_of_turnover",
    "exports_of_turnover": "exports_pct_of_turnover",
    "surplus_held_by": "surplus_holder",
    "surplus": "surplus_holder",
    "share": "trade_share_pct",
    "trade_share": "trade_share_pct",
    "republic": "area",
}


def pairs(frame: pl.DataFrame, *, partner: str | None, republic: str | None) -> pl.DataFrame:
    """The rows of one partner and/or one republic (``partner`` and ``area`` columns)."""
    import polars as pl

    if partner is not None:
        frame = frame.filter(pl.col("partner") == partner)
    if republic is not None:
        frame = frame.filter(pl.col("area") == republic)
    return frame


# shares: the table's Trade, Imports and Exports columns are each partner's share, in %.
SHARES_HEADERS = {
    **HEADERS,
    "trade": "trade_share_pct",
    "imports": "imports_share_pct",
    "exports": "exports_share_pct",
    "import_share": "imports_share_pct",
    "export_share": "exports_share_pct",
}


def sort(frame: pl.DataFrame, name: str, aliases: Mapping[str, str] = HEADERS) -> pl.DataFrame:
    """The rows sorted by the column ``name`` means (``sort_column``): largest first for
    numbers, alphabetical for text, missing values last."""
    column = sort_column(name, frame.columns, aliases)
    numeric = frame.schema[column].is_numeric()
    return frame.sort(column, descending=numeric, nulls_last=True)


def _words(name: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", name.lower()))


def sort_column(name: str, columns: Sequence[str], aliases: Mapping[str, str] = HEADERS) -> str:
    """The output column that a --sort name means: a column name, a table header (any case,
    with or without punctuation) or a measure without its unit (``balance`` for
    ``balance_usd_m``). Raises ``UsageError`` naming the choices."""
    shown = [c for c in columns if not c.endswith(("_lines", "_years"))]
    if name in shown:
        return name
    words = _words(name)
    candidates = [aliases.get(words, ""), words]  # the table's own names first
    for wanted in candidates:
        if wanted in shown:
            return wanted
        with_unit = [c for c in shown if re.fullmatch(rf"{re.escape(wanted)}_(usd|eur)_m", c)]
        if wanted and len(with_unit) == 1:
            return with_unit[0]
    measures = sorted({re.sub(r"_(usd|eur)_m$", "", c) for c in shown if c.endswith("_m")})
    raise UsageError(
        f"--sort {name!r} is not a column of this table",
        hint=", ".join([*measures, *(c for c in shown if not c.endswith("_m"))][:24]),
    )
