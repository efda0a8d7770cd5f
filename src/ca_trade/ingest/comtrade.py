"""UN Comtrade: the Comtrade Plus CSV (ISO3 codes) and the bulk gzipped TSV (numeric codes).

Totals need partner2 World, mode of transport 0 and customs procedure C00; other rows are
breakdowns of them (``blocks`` flags them by role). Partner ``0``/``W00`` is the World.
"""

from __future__ import annotations

from ca_trade.ingest.spec import Spec

URL = "https://comtradeplus.un.org/"
# Comtrade's numeric area codes for ca-trade's own countries (UN M49, which Comtrade and BACI
# follow for these seven; they differ from ISO numeric for e.g. USA 842, France 251, India 699).
NUMERIC_CODES = {
    398: "KAZ",
    417: "KGZ",
    762: "TJK",
    795: "TKM",
    860: "UZB",
    156: "CHN",
    643: "RUS",
}
WORLD = 0  # the bulk files' numeric partner code for the World
_BREAKDOWNS = {
    "freq": "freqCode",
    "product": "cmdCode",
    "partner2": "partner2Code",
    "mot": "motCode",
    "customs": "customsCode",
}

PLUS = Spec(
    name="comtrade",
    title="UN Comtrade Plus",
    url=URL,
    codes="iso3",
    roles={
        "period": "refYear",
        "reporter": "reporterISO",
        "partner": "partnerISO",
        "flow": "flowCode",
        "value": "primaryValue",
    },
    optional=dict(_BREAKDOWNS),
)
BULK = Spec(
    name="comtrade-bulk",
    title="UN Comtrade bulk",
    url=URL,
    codes="numeric",
    roles={
        "period": "period",
        "reporter": "reporterCode",
        "partner": "partnerCode",
        "flow": "flowCode",
        "value": "primaryValue",
    },
    optional=dict(_BREAKDOWNS),
)
