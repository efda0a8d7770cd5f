"""IMF IMTS (International Trade in Goods), SDMX 3.0, no key.

- ``GET {base}/data/dataflow/IMF.STA/IMTS/+/{COUNTRY}.{INDICATOR}.{COUNTERPART}.A
  ?c[TIME_PERIOD]=ge:2015-01-01+le:2024-12-31&dimensionAtObservation=TIME_PERIOD&detail=full``
  with ``Accept: application/xml`` (SDMX-ML 3.0 StructureSpecificData). One query per reporter
  and up to ``YEARS_PER_QUERY`` years; indicators ``XG_FOB_USD`` (exports FOB) and ``MG_CIF_USD``
  (imports CIF). Codes are ISO3; ``G001`` is the World (WLD), ``G998`` the EU (EU27).
- SDMX answers "no data" with HTTP 404 (NoResultsFound): that is an empty answer, not an error.
- **Units.** The series carry ``SCALE="6"`` although ``OBS_VALUE`` is in plain US dollars (the
  recorded trap). So SCALE is read as a display scale, and checked: an answer whose values are
  all below 10^SCALE looks already scaled, and is refused rather than written 10^SCALE too
  small. A series whose unit attribute (``UNIT``/``UNIT_MEASURE``) is there but is not USD is
  left out and listed.
- **Estimates.** The IMF fills in partner-reported (mirror) figures and estimates, and marks
  them (``DERIVATION_TYPE``, ``OBS_STATUS``). A marked figure is written with basis ``compiled``
  (the data file's word for a third party's compilation) and the IMF's marking in its note.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ElementTree
from functools import partial
from typing import Any

from ca_trade.errors import DataError
from ca_trade.fetch import scope as sc
from ca_trade.fetch.rows import Gap, MalformedAnswer, Parsed, Query, Row, note, year_span

BASE = "https://api.imf.org/external/sdmx/3.0"
ENV_URL = "CA_TRADE_IMF_URL"
PATH = "/data/dataflow/IMF.STA/IMTS/+/"
ACCEPT = "application/xml"
YEARS_PER_QUERY = 10
INDICATORS = {"XG_FOB_USD": "export", "MG_CIF_USD": "import"}
MARKS = ("DERIVATION_TYPE", "OBS_STATUS")
SOURCE = "IMF SDMX 3.0 API, IMF.STA IMTS (International Trade in Goods), annual"


def base_url() -> str:
    """The API's base URL: ``CA_TRADE_IMF_URL`` or the IMF's."""
    return (os.environ.get(ENV_URL) or BASE).rstrip("/")


def imf_code(code: str) -> str:
    """The IMF's code for a ca-trade code (G001 World, G998 EU; ISO3 otherwise)."""
    return sc.IMF_AREAS.get(code, code)


def queries(scope: sc.Scope) -> list[Query]:
    """Each republic with the partners (and the World), each partner with the republics."""
    plan = [
        (republic, [*scope.partners, *(["WLD"] if scope.world else [])])
        for republic in scope.republics
    ]
    plan += [(partner, list(scope.republics)) for partner in scope.partners]
    found = []
    for reporter, counterparts in plan:
        for start in range(0, len(scope.years), YEARS_PER_QUERY):
            found.append(
                query(reporter, counterparts, scope.years[start : start + YEARS_PER_QUERY])
            )
    return found


def query(reporter: str, counterparts: list[str], years: tuple[int, ...]) -> Query:
    """The query for one reporter with ``counterparts`` over ``years``."""
    key = ".".join(
        [imf_code(reporter), "+".join(INDICATORS), "+".join(imf_code(c) for c in counterparts), "A"]
    )
    period = f"ge:{years[0]}-01-01+le:{years[-1]}-12-31"
    url = (
        f"{base_url()}{PATH}{key}?c%5BTIME_PERIOD%5D={period}"
        "&dimensionAtObservation=TIME_PERIOD&detail=full"
    )
    codes = {imf_code(c): c for c in [reporter, *counterparts]}
    return Query(
        source="imf",
        label=f"imf {reporter} {year_span(years)}",
        url=url,
        reporters=(reporter,),
        counterparts=tuple(counterparts),
        years=years,
        parse=partial(parse, url=url, codes=codes, years=years),
        accept=ACCEPT,
        empty_statuses=(404,),
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def series(text: str) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    """The series of an SDMX-ML StructureSpecificData message: each series' attributes and
    its observations' attributes (namespaces ignored)."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as err:
        raise MalformedAnswer(f"not XML ({err})") from None
    if not any(_local(e.tag) == "DataSet" for e in root.iter()):
        raise MalformedAnswer(f"no DataSet in the answer (root element {_local(root.tag)})")
    found = []
    for element in root.iter():
        if _local(element.tag) != "Series":
            continue
        obs = [dict(o.attrib) for o in element if _local(o.tag) == "Obs"]
        found.append(({_local(k): v for k, v in element.attrib.items()}, obs))
    return found


def parse(
    text: str, retrieved: str, *, url: str, codes: dict[str, str], years: tuple[int, ...]
) -> Parsed:
    """Rows from an IMTS answer (annual series of the two indicators, in US dollars)."""
    parsed = Parsed()
    kept: list[tuple[dict[str, str], dict[str, str], float]] = []
    for attrs, observations in series(text):
        flow = INDICATORS.get(attrs.get("INDICATOR", ""))
        reporter = codes.get(attrs.get("COUNTRY", ""))
        partner = codes.get(attrs.get("COUNTERPART_COUNTRY", ""))
        if flow is None or reporter is None or partner is None or attrs.get("FREQUENCY") != "A":
            continue
        unit = attrs.get("UNIT") or attrs.get("UNIT_MEASURE") or "USD"
        for obs in observations:
            period = obs.get("TIME_PERIOD", "")[:4]
            if not period.isdigit() or int(period) not in years:
                continue
            year = int(period)
            if unit.upper() != "USD":
                why = f"unit {unit}, not US dollars: left out"
                parsed.gaps.append(Gap("imf", year, reporter, partner, flow, why))
                continue
            value = _number(obs.get("OBS_VALUE"))
            if value is None or value < 0:
                why = f"no usable value ({obs.get('OBS_VALUE', 'none')}): left out"
                parsed.gaps.append(Gap("imf", year, reporter, partner, flow, why))
                continue
            kept.append(({**attrs, "_flow": flow, "_reporter": reporter, "_partner": partner},
                         obs, value))  # fmt: skip
    scale = check_scale(kept, url)
    for attrs, obs, value in kept:
        marks = [
            f"IMF {m}={obs.get(m) or attrs.get(m)}" for m in MARKS if obs.get(m) or attrs.get(m)
        ]
        flags = [*marks]
        if scale:
            flags.append(f"SCALE={scale} read as display scale: OBS_VALUE in US dollars")
        area = {"G001": "World", "G998": "European Union"}
        for side in ("COUNTRY", "COUNTERPART_COUNTRY"):
            if attrs.get(side) in area:
                flags.append(f"IMF {attrs[side]} ({area[attrs[side]]})")
        parsed.rows.append(
            Row(
                year=int(obs["TIME_PERIOD"][:4]),
                reporter=attrs["_reporter"],
                partner=attrs["_partner"],
                flow=attrs["_flow"],
                value_millions=value / 1e6,
                currency="USD",
                basis="compiled" if marks else "official",
                source=SOURCE,
                source_url=url,
                note=note(retrieved, *flags),
            )
        )
    return parsed


def check_scale(kept: list[tuple[dict[str, str], dict[str, str], float]], url: str) -> str:
    """The answer's one SCALE ('' when none), after checking the values are not scaled by it:
    values all below 10^SCALE are refused (``DataError``)."""
    scales = {attrs.get("SCALE", "") for attrs, _, _ in kept} - {""}
    if not scales:
        return ""
    if len(scales) > 1 or not all(s.isdigit() and len(s) <= 2 for s in scales):
        raise DataError(
            f"has SCALE {', '.join(sorted(scales))}: one numeric SCALE is expected", path=url
        )
    scale = scales.pop()
    largest = max(value for _, _, value in kept)
    if 0 < largest < 10 ** int(scale):
        raise DataError(
            f"OBS_VALUE is at most {largest:g} with SCALE {scale}: the values look already "
            f"expressed in units of 10^{scale}, where IMF IMTS gives whole US dollars",
            path=url,
            hint="nothing written; check the IMF's unit before using these figures",
        )
    return scale


def _number(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None
