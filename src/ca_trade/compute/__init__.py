"""The calculator: pure functions from the loaded data to the frames the commands print.

One module per calculation, matching ``tables/``. Every function takes the loader's frame
(``load.read_trade``) or ``figures.resolve``'s output and returns a Polars frame whose column
names are the public CSV/JSON interface: stable snake_case, the unit in the name
(``turnover_usd_m`` = millions of USD), provenance in typed columns. No I/O, no printing.
"""

from ca_trade.compute.balance import balance, balance_report, surplus_summary
from ca_trade.compute.common import FLOW_MEASURE, select_year, unit_suffix
from ca_trade.compute.compare import compare
from ca_trade.compute.explain import explain
from ca_trade.compute.growth import growth, growth_figures, growth_years
from ca_trade.compute.mirror import mirror
from ca_trade.compute.shares import REST_OF_WORLD, SHARE_MEASURES, shares
from ca_trade.compute.sources import sources

__all__ = [
    "FLOW_MEASURE",
    "REST_OF_WORLD",
    "SHARE_MEASURES",
    "balance",
    "balance_report",
    "compare",
    "explain",
    "growth",
    "growth_figures",
    "growth_years",
    "mirror",
    "select_year",
    "shares",
    "sources",
    "surplus_summary",
    "unit_suffix",
]
