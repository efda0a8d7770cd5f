"""``ca-trade fetch``: official figures from UN Comtrade, Eurostat Comext and the IMF's IMTS,
written as a data file, each row citing its exact query; answers cached for offline use.

Modules: ``scope`` (what to fetch), one per source (``comtrade``, ``eurostat``, ``imf``: the
queries and how to read each answer), ``rows`` (what they share, and the data file), ``http``
(the only httpx user: pacing, timeouts, retries), ``cache`` (answers on disk), ``command``
(the work in order).
"""

from __future__ import annotations

from ca_trade.fetch.command import Options, Result, fetch_to, parse_sources, run
from ca_trade.fetch.scope import Scope, parse_partners, parse_republics, parse_years

__all__ = [
    "Options",
    "Result",
    "Scope",
    "fetch_to",
    "parse_partners",
    "parse_republics",
    "parse_sources",
    "parse_years",
    "run",
]
