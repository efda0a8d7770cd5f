"""Names and codes shared by every module: the data file's columns and the allowed values.

Constants only; no I/O, no polars.
"""

from __future__ import annotations

import re
from enum import StrEnum

COLUMNS = (
    "year",
    "reporter",
    "partner",
    "flow",
    "value_millions",
    "currency",
    "basis",
    "source",
    "source_url",
    "note",
)
REQUIRED = COLUMNS[:-1]  # every column but note must hold a value
# An optional last column: empty (or absent) when the published figure is exact, else one of
# ``BOUNDS``. ``COLUMNS`` are what ``import`` writes; ``LOADED`` what the loader returns.
BOUND = "bound"
LOADED = (*COLUMNS, BOUND)
KEY = ("year", "reporter", "partner", "flow")

REPUBLICS = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
PARTNERS = ("CHN", "EU27", "RUS")
REGION = "CA5"
WORLD = "WLD"
REPORTERS = PARTNERS + REPUBLICS + (REGION,)
COUNTERPARTS = REPORTERS + (WORLD,)

# Codes outside ca-trade's set are allowed (an import with --all-countries keeps them) but must
# look like ISO 3166 alpha-3 or Comtrade's own three-character area codes; computations skip them.
OTHER_CODE = re.compile(r"^[A-Z][A-Z0-9]{2}$")

FLOWS = ("export", "import", "total")
BASES = ("official", "compiled", "unstated")


class Currency(StrEnum):
    """The currencies of figures (data rows and ``--currency``)."""

    USD = "USD"
    EUR = "EUR"


CURRENCIES = tuple(c.value for c in Currency)


class Perspective(StrEnum):
    """Whose exports and imports a balance shows: the partner's, or the republic's."""

    partner = "partner"
    republic = "republic"


class Bound(StrEnum):
    """What a published figure says of the true value: at least it ("exceeded $44bn"), at
    most it ("under"), or about it ("about", "nearly"). An exact figure has no bound."""

    LOWER = "lower"
    UPPER = "upper"
    APPROX = "approx"


BOUNDS = tuple(b.value for b in Bound)

NAMES = {
    "CHN": "China",
    "EU27": "EU",
    "RUS": "Russia",
    "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan",
    "TJK": "Tajikistan",
    "TKM": "Turkmenistan",
    "UZB": "Uzbekistan",
    "CA5": "Central Asia (5)",
    "WLD": "World",
}


class OutputFormat(StrEnum):
    """The ``--format`` choices (here, not in render, so that the CLI starts without rich)."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    md = "md"
    xlsx = "xlsx"
    parquet = "parquet"
