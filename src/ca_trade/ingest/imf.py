"""IMF IMTS SDMX-CSV: ISO3 codes, ``G001`` for the World, values in whole US dollars.

``SCALE`` is the publication's display scale, not the unit of ``OBS_VALUE`` (the reference row
USA -> CAN 2024 XG_FOB_USD is 349397894619 with SCALE 6: $349 bn, which is US exports to Canada;
read as millions it would be 349 trillion).
"""

from __future__ import annotations

import re
from pathlib import Path

from ca_trade.errors import DataError
from ca_trade.ingest.spec import Spec

IMTS = Spec(
    name="imf",
    title="IMF IMTS",
    url="https://data.imf.org/",
    codes="iso3",
    roles={
        "period": "TIME_PERIOD",
        "reporter": "COUNTRY",
        "partner": "COUNTERPART_COUNTRY",
        "flow": "INDICATOR",
        "value": "OBS_VALUE",
    },
    optional={"freq": "FREQUENCY", "scale": "SCALE"},
    flows={"XG_FOB_USD": "export", "MG_CIF_USD": "import"},
    products=False,
)


def check_scale(scales: set[str], largest: float | None, path: Path) -> None:
    """One numeric SCALE, and values that are not already scaled by it.

    ``scales`` are the non-empty SCALE cells of the rows kept, ``largest`` their largest value.
    A file whose values are all below 10**SCALE looks already scaled, and is refused rather
    than read 10**SCALE too small.
    """
    if not scales:
        return
    if len(scales) > 1 or not re.fullmatch(r"\d{1,2}", next(iter(scales))):
        raise DataError(
            f"has SCALE {', '.join(sorted(scales))}: one numeric SCALE is expected",
            path=str(path),
            column="SCALE",
        )
    scale = next(iter(scales))
    if largest is not None and 0 < largest < 10 ** int(scale):
        raise DataError(
            f"OBS_VALUE is at most {largest:g} with SCALE {scale}: the values look already "
            f"expressed in units of 10^{scale}, where IMF IMTS gives whole US dollars",
            path=str(path),
            column="OBS_VALUE",
            hint="download the values in US dollars (not scaled)",
        )
