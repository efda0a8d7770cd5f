"""UN Comtrade: the public preview route (no key), or the keyed data route.

- ``GET {base}/public/v1/preview/C/A/HS`` (at most 500 records a call), or, when
  ``COMTRADE_API_KEY`` is set, ``GET {base}/data/v1/get/C/A/HS`` with the key in the header
  ``Ocp-Apim-Subscription-Key`` (never in the URL, so never in ``source_url`` or the cache).
- One query per reporter and up to ``YEARS_PER_QUERY`` years: ``reporterCode`` (M49),
  ``partnerCode`` (0 = World), ``period``, ``cmdCode=TOTAL``, ``flowCode=M,X``, and
  ``partner2Code=0``, ``motCode=0``, ``customsCode=C00`` pinned, or a line would split by second
  partner, transport mode and customs procedure.
- The answer is ``{"count": N, "data": [...], "error": ""}``; ``primaryValue`` is in US dollars
  (imports CIF, exports FOB). A record without a value is left out and listed.
"""

from __future__ import annotations

import json
import os
from functools import partial
from typing import Any

from ca_trade.fetch import scope as sc
from ca_trade.fetch.rows import Gap, MalformedAnswer, Parsed, Query, Row, note, year_span

BASE = "https://comtradeapi.un.org"
ENV_URL = "CA_TRADE_COMTRADE_URL"
ENV_KEY = "COMTRADE_API_KEY"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
PUBLIC_PATH = "/public/v1/preview/C/A/HS"
KEYED_PATH = "/data/v1/get/C/A/HS"
YEARS_PER_QUERY = 10  # 7 partners x 10 years x 2 flows = 140 records, well under 500
FLOWS = {"X": "export", "M": "import"}


def base_url() -> str:
    """The API's base URL: ``CA_TRADE_COMTRADE_URL`` or the UN's."""
    return (os.environ.get(ENV_URL) or BASE).rstrip("/")


def api_key() -> str | None:
    """``COMTRADE_API_KEY``, or None when unset or blank."""
    key = os.environ.get(ENV_KEY, "").strip()
    return key or None


def queries(scope: sc.Scope, key: str | None, say: Any) -> list[Query]:
    """The queries for ``scope``: each republic with the partners and the World, and each
    partner with the republics. The EU is no Comtrade area: ``say`` is told so."""
    partners = [p for p in scope.partners if sc.comtrade_code(p) is not None]
    if "EU27" in scope.partners:
        say(
            "comtrade: the EU is no Comtrade reporter or partner here; "
            "--source eurostat or imf has it"
        )
    route = KEYED_PATH if key else PUBLIC_PATH
    headers = ((KEY_HEADER, key),) if key else ()
    plan: list[tuple[str, list[str]]] = []
    for republic in scope.republics:
        counterparts = partners + (["WLD"] if scope.world else [])
        if counterparts:
            plan.append((republic, counterparts))
    for partner in partners:
        plan.append((partner, list(scope.republics)))
    found = []
    for reporter, counterparts in plan:
        for start in range(0, len(scope.years), YEARS_PER_QUERY):
            years = scope.years[start : start + YEARS_PER_QUERY]
            found.append(_query(reporter, counterparts, years, route, headers, bool(key)))
    return found


def _query(
    reporter: str,
    counterparts: list[str],
    years: tuple[int, ...],
    route: str,
    headers: tuple[tuple[str, str], ...],
    keyed: bool,
) -> Query:
    codes = {sc.comtrade_code(c): c for c in [reporter, *counterparts]}
    params = [
        ("reporterCode", str(sc.comtrade_code(reporter))),
        ("period", ",".join(map(str, years))),
        ("partnerCode", ",".join(str(sc.comtrade_code(c)) for c in counterparts)),
        ("partner2Code", "0"),
        ("cmdCode", "TOTAL"),
        ("flowCode", "M,X"),
        ("customsCode", "C00"),
        ("motCode", "0"),
    ]
    url = base_url() + route + "?" + "&".join(f"{k}={v}" for k, v in params)
    numeric = {n: c for n, c in codes.items() if n is not None}
    return Query(
        source="comtrade",
        label=f"comtrade {reporter} {year_span(years)}",
        url=url,
        reporters=(reporter,),
        counterparts=tuple(counterparts),
        years=years,
        parse=partial(parse, url=url, codes=numeric, years=years, keyed=keyed),
        headers=headers,
    )


def source_name(keyed: bool) -> str:
    """The data file's ``source``: the API and its dataset."""
    route = "data API v1 (keyed)" if keyed else "public preview API v1"
    return f"UN Comtrade {route}, goods (C), annual (A), HS, cmdCode TOTAL"


def parse(
    text: str,
    retrieved: str,
    *,
    url: str,
    codes: dict[int, str],
    years: tuple[int, ...],
    keyed: bool = False,
) -> Parsed:
    """Rows from a Comtrade answer. Only the totals asked for are read (partner2 0, mode 0,
    customs C00, cmdCode TOTAL, flows X and M); other records are ignored."""
    try:
        doc = json.loads(text)
    except ValueError as err:
        raise MalformedAnswer(f"not JSON ({err})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise MalformedAnswer("no 'data' list in the answer")
    error = doc.get("error")
    if error:
        raise MalformedAnswer(f"the answer reports an error: {str(error)[:200]}")
    parsed = Parsed()
    source = source_name(keyed)
    for record in doc["data"]:
        if not isinstance(record, dict):
            raise MalformedAnswer("a record of 'data' is not an object")
        if not _is_total(record):
            continue
        flow = FLOWS.get(str(record.get("flowCode")))
        if flow is None:
            continue
        year = _year(record)
        reporter = _code(record, "reporter", codes)
        partner = _code(record, "partner", codes)
        if year is None or year not in years or reporter is None or partner is None:
            continue
        value = record.get("primaryValue")
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            why = "no value (confidential or not published): left out"
            parsed.gaps.append(Gap("comtrade", year, reporter, partner, flow, why))
            continue
        if value < 0:
            why = f"negative value {value}: left out"
            parsed.gaps.append(Gap("comtrade", year, reporter, partner, flow, why))
            continue
        flags = []
        if record.get("isReported") is False:
            flags.append("isReported=false")
        if record.get("legacyEstimationFlag") not in (None, 0, "0"):
            flags.append(f"legacyEstimationFlag={record['legacyEstimationFlag']}")
        valuation = "CIF" if flow == "import" else "FOB"
        parsed.rows.append(
            Row(
                year=year,
                reporter=reporter,
                partner=partner,
                flow=flow,
                value_millions=value / 1e6,
                currency="USD",
                basis="official",
                source=source,
                source_url=url,
                note=note(retrieved, f"primaryValue ({valuation})", *flags),
            )
        )
    return parsed


def _is_total(record: dict[str, Any]) -> bool:
    pins = {"partner2Code": (0, "0", None), "motCode": (0, "0", None)}
    if any(record.get(k) not in allowed for k, allowed in pins.items()):
        return False
    if record.get("customsCode") not in ("C00", None):
        return False
    return record.get("cmdCode") in ("TOTAL", None)


def _year(record: dict[str, Any]) -> int | None:
    for field in ("refYear", "period"):
        value = record.get(field)
        try:
            return int(str(value)[:4])
        except (TypeError, ValueError):
            continue
    return None


def _code(record: dict[str, Any], side: str, codes: dict[int, str]) -> str | None:
    """The ca-trade code of a record's reporter or partner, by the numeric code asked for
    (None for a code not asked for: such a record is ignored)."""
    try:
        return codes.get(int(record.get(f"{side}Code")))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
