"""The command line: parse options, call the pure functions, hand the frame to ``render``.

The only module that imports typer, and the one place errors become exit codes (``boundary``).
Polars is imported inside command bodies, so ``ca-trade --help`` starts without it.

- ``app``: the root command, ``boundary`` (errors become exit codes, in one place), ``main``;
- ``options``: the shared options, ``Annotated`` aliases defined once (frictionless's
  ``common.py`` idea), and the argument checks;
- ``figures``, ``claims``, ``data``: the commands, each a docstring, its options and a few lines.
"""

from __future__ import annotations

# Each module registers its commands, in the order --help lists them.
# isort: off
from ca_trade.cli import figures  # noqa: F401
from ca_trade.cli import claims  # noqa: F401
from ca_trade.cli import data  # noqa: F401

# isort: on
from ca_trade.cli.app import EXIT_BROKEN_PIPE, _app_for, app, boundary, main, whole_summaries

whole_summaries()  # once every command is registered

__all__ = ["EXIT_BROKEN_PIPE", "_app_for", "app", "boundary", "main"]
