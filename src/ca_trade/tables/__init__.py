"""The Rich tables people read: one module per command's table, fitted by ``layout``.

The only package that imports rich (with ``progress``, which shows a bar). ``render.emit``
imports it only for the table and Markdown formats. Each builder takes its command's result
frame (the columns its compute function returns) and returns ``layout`` blocks (``Grid`` and
``Lines``); ``layout`` fits them to the terminal's width, or writes them as Markdown.

- Table cells are ``rich.text.Text``: data never acts as markup.
- In a terminal, tables fit its width (``--wide``: the full layout); in a pipe or a file they
  have no colour and the full width they need.

Modules: ``layout`` (fitting, keyed notes, stacked layout, Markdown), ``cells`` (formats and
markers), and one per command: ``compare``, ``shares``, ``balance``, ``mirror``, ``series``,
``sources`` (with the ``--explain`` tables), ``check``, ``generic`` (``validate``).
"""

from __future__ import annotations

from ca_trade.tables.balance import balance_tables
from ca_trade.tables.cells import bn, cell, pct
from ca_trade.tables.check import check_tables
from ca_trade.tables.compare import compare_tables
from ca_trade.tables.draw import blocks_text, markdown, print_blocks
from ca_trade.tables.generic import generic_table, message
from ca_trade.tables.layout import MISSING, Block, Column, Grid, Lines
from ca_trade.tables.mirror import mirror_tables
from ca_trade.tables.series import series_tables
from ca_trade.tables.shares import shares_tables
from ca_trade.tables.sources import check_explain_table, explain_tables, sources_tables

# The names ``render.emit`` has always called.
table_text = blocks_text
print_tables = print_blocks
markdown_text = markdown

__all__ = [
    "MISSING",
    "Block",
    "Column",
    "Grid",
    "Lines",
    "balance_tables",
    "blocks_text",
    "bn",
    "cell",
    "check_explain_table",
    "check_tables",
    "compare_tables",
    "explain_tables",
    "generic_table",
    "markdown",
    "markdown_text",
    "message",
    "mirror_tables",
    "pct",
    "print_blocks",
    "print_tables",
    "series_tables",
    "shares_tables",
    "sources_tables",
    "table_text",
]
