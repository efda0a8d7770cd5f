"""The Rich tables people read: one module per command's table, fitted by ``layout``.

The only package that imports rich (with ``progress``, which shows a bar). ``render.emit``
imports it only for the table and Markdown formats. Each builder takes its command's result
frame (the columns its compute function returns) and returns ``layout`` blocks (``Grid`` and
``Lines``); ``layout`` fits them to the terminal's width, or writes them as Markdown.

- Table cells are ``rich.text.Text``: data never acts as markup.
- When stdout is not a terminal, tables have no colour and the full width they need.
"""

from __future__ import annotations

from ca_trade.tables._old import (
    MISSING,
    balance_tables,
    bn,
    cell,
    check_tables,
    check_value,
    compare_tables,
    explain_tables,
    generic_table,
    mirror_tables,
    pct,
    print_tables,
    shares_tables,
    sources_tables,
    table_text,
)

__all__ = [
    "MISSING",
    "balance_tables",
    "bn",
    "cell",
    "check_tables",
    "check_value",
    "compare_tables",
    "explain_tables",
    "generic_table",
    "mirror_tables",
    "pct",
    "print_tables",
    "shares_tables",
    "sources_tables",
    "table_text",
]
