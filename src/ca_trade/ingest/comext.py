"""Eurostat Comext SDMX-CSV (DS-045409): ISO2 codes, values in EUR (kept in EUR, converted at use
with the ECB rate), flow 1 import / 2 export, and value rows told apart from quantity rows by
``indicators``.
"""

from __future__ import annotations

from ca_trade.ingest.spec import Spec

ISO2_CODES = {
    "KZ": "KAZ",
    "KG": "KGZ",
    "TJ": "TJK",
    "TM": "TKM",
    "UZ": "UZB",
    "CN": "CHN",
    "RU": "RUS",
}
# Value rows only: QUANTITY_IN_100KG (100 kg units) and QUANTITY_KG rows are not values.
EUR_VALUE_INDICATORS = ("VALUE_IN_EUROS", "VALUE_EUR")

COMEXT = Spec(
    name="comext",
    title="Eurostat Comext",
    url="https://ec.europa.eu/eurostat/comext/newxtweb/",
    codes="iso2",
    roles={
        "period": "TIME_PERIOD",
        "reporter": "reporter",
        "partner": "partner",
        "flow": "flow",
        "indicator": "indicators",
        "value": "OBS_VALUE",
    },
    optional={"freq": "freq", "product": "product"},
    currency="EUR",
    flows={"2": "export", "1": "import"},
)
