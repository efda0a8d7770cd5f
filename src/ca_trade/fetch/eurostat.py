"""Eurostat Comext (dataset DS-045409, JSON-stat 2.0): the EU27's trade with each republic.

- ``GET {base}/statistics/1.0/data/DS-045409?format=JSON&lang=EN&reporter=EU27_2020&partner=KZ
  &product=TOTAL&flow=1&flow=2&indicators=VALUE_IN_EUROS&freq=A&time=2023&time=2024``:
  one query per partner and up to ``YEARS_PER_QUERY`` years, small enough never to meet the
  413 "EXTRACTION_TOO_BIG" or an asynchronous "queued" answer (a 413 is still an error, with
  the service's own words).
- Values are in euros (not thousands): rows are written in EUR millions, and the commands
  convert them at use with the ECB rate, as for any EUR row. ``flow`` 1 is the EU's import,
  2 its export.
- JSON-stat's ``value`` is sparse and row-major over ``size``: a cell's dimensions are worked
  out from strides, never from positions (the recorded trap: ``freq`` came back with A and M
  although only M held data). ``status`` flags (``c`` confidential...) without a value are
  left out and listed; with a value they go into the note.
"""

from __future__ import annotations

import json
import math
import os
from functools import partial
from typing import Any

from ca_trade.fetch import scope as sc
from ca_trade.fetch.rows import Gap, MalformedAnswer, Parsed, Query, Row, note, year_span

BASE = "https://ec.europa.eu/eurostat/api/comext/dissemination"
ENV_URL = "CA_TRADE_EUROSTAT_URL"
DATASET = "DS-045409"
PATH = f"/statistics/1.0/data/{DATASET}"
YEARS_PER_QUERY = 10  # 1 partner x 2 flows x 10 years = 20 cells
FLOWS = {"1": "import", "2": "export"}
SOURCE = (
    f"Eurostat Comext API, {DATASET} (EU trade since 1988 by HS2-4-6 and CN8), "
    "product TOTAL, VALUE_IN_EUROS"
)
STATUS_WORDS = {"c": "confidential", ":": "not available", "n": "not significant"}


def base_url() -> str:
    """The API's base URL: ``CA_TRADE_EUROSTAT_URL`` or Eurostat's."""
    return (os.environ.get(ENV_URL) or BASE).rstrip("/")


def queries(scope: sc.Scope, say: Any) -> list[Query]:
    """One query per republic (as Comext partner) and block of years, when the EU is asked for."""
    if "EU27" not in scope.partners:
        say("eurostat: Comext holds the EU's own figures only; add --partner EU27 to fetch them")
        return []
    found = []
    for republic in scope.republics:
        geo = sc.iso2(republic)
        if geo is None:  # pragma: no cover - the five all have ISO2 codes
            continue
        for start in range(0, len(scope.years), YEARS_PER_QUERY):
            found.append(query(republic, geo, scope.years[start : start + YEARS_PER_QUERY]))
    return found


def query(republic: str, geo: str, years: tuple[int, ...]) -> Query:
    """The query for the EU27 with one partner over ``years`` (annual)."""
    params = [
        ("format", "JSON"),
        ("lang", "EN"),
        ("reporter", sc.EUROSTAT_EU),
        ("partner", geo),
        ("product", "TOTAL"),
        ("flow", "1"),
        ("flow", "2"),
        ("indicators", "VALUE_IN_EUROS"),
        ("freq", "A"),
        *(("time", str(y)) for y in years),
    ]
    url = base_url() + PATH + "?" + "&".join(f"{k}={v}" for k, v in params)
    return Query(
        source="eurostat",
        label=f"eurostat EU27-{republic} {year_span(years)}",
        url=url,
        reporters=("EU27",),
        counterparts=(republic,),
        years=years,
        parse=partial(parse, url=url, partners={geo: republic}, years=years),
        narrower=partial(query, republic, geo),
    )


def cells(doc: Any) -> list[tuple[dict[str, str], float | None, str | None]]:
    """Every cell of a JSON-stat 2.0 dataset with a value or a status: its code on each
    dimension, its value (None when absent) and its status flag (None when none).

    The flat index is row-major over ``size``; strides come from ``size``, and each code's
    position from ``dimension.<id>.category.index`` (an object or a list).
    """
    if not isinstance(doc, dict):
        raise MalformedAnswer("not a JSON-stat object")
    ids, sizes = doc.get("id"), doc.get("size")
    dims = doc.get("dimension")
    if not isinstance(ids, list) or not isinstance(sizes, list) or not isinstance(dims, dict):
        raise MalformedAnswer("no 'id', 'size' and 'dimension' (not JSON-stat 2.0)")
    if len(ids) != len(sizes) or not all(isinstance(n, int) and n >= 0 for n in sizes):
        raise MalformedAnswer("'id' and 'size' do not match")
    codes_at: list[dict[int, str]] = []
    for dim, size in zip(ids, sizes, strict=True):
        index = (dims.get(dim) or {}).get("category", {}).get("index")
        if isinstance(index, list):
            positions = {str(code): at for at, code in enumerate(index)}
        elif isinstance(index, dict):
            positions = {str(code): at for code, at in index.items()}
        else:
            raise MalformedAnswer(f"dimension {dim!r} has no category index")
        by_at = {at: code for code, at in positions.items() if isinstance(at, int)}
        if sorted(by_at) != list(range(size)):
            raise MalformedAnswer(f"dimension {dim!r}: its index does not fit size {size}")
        codes_at.append(by_at)
    strides = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
    total = math.prod(sizes)
    values = _sparse(doc.get("value"), "value")
    statuses = _sparse(doc.get("status"), "status", total=total)
    found = []
    for flat in sorted(set(values) | set(statuses)):
        if not 0 <= flat < total:
            raise MalformedAnswer(f"cell {flat} is outside the {total} cells of 'size'")
        where = {dim: codes_at[i][(flat // strides[i]) % sizes[i]] for i, dim in enumerate(ids)}
        value = values.get(flat)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise MalformedAnswer(f"cell {flat} holds {value!r}, not a number")
        status = statuses.get(flat)
        found.append((where, value, None if status is None else str(status)))
    return found


def _sparse(raw: Any, name: str, *, total: int = 0) -> dict[int, Any]:
    """JSON-stat's ``value``/``status``: an object (sparse), a list (dense) or, for status, one
    string for every cell."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        try:
            return {int(k): v for k, v in raw.items() if v is not None}
        except ValueError:
            raise MalformedAnswer(f"'{name}' has a key that is not a cell number") from None
    if isinstance(raw, list):
        return {at: v for at, v in enumerate(raw) if v is not None}
    if isinstance(raw, str) and name == "status":
        return dict.fromkeys(range(total), raw)
    raise MalformedAnswer(f"'{name}' is neither an object nor a list")


def parse(
    text: str, retrieved: str, *, url: str, partners: dict[str, str], years: tuple[int, ...]
) -> Parsed:
    """Rows from a Comext answer: annual cells of product TOTAL in VALUE_IN_EUROS only."""
    try:
        doc = json.loads(text)
    except ValueError as err:
        raise MalformedAnswer(f"not JSON ({err})") from None
    parsed = Parsed()
    for where, value, status in cells(doc):
        if where.get("freq", "A") != "A" or where.get("product", "TOTAL") != "TOTAL":
            continue
        if where.get("indicators", "VALUE_IN_EUROS") != "VALUE_IN_EUROS":
            continue
        if where.get("reporter", sc.EUROSTAT_EU) != sc.EUROSTAT_EU:
            continue
        flow = FLOWS.get(where.get("flow", ""))
        partner = partners.get(where.get("partner", ""))
        period = where.get("time", "")
        if flow is None or partner is None or not period.isdigit() or int(period) not in years:
            continue
        year = int(period)
        flag = (
            f"status {status} ({STATUS_WORDS.get(status, 'as Eurostat flags it')})"
            if status
            else ""
        )
        if value is None:
            why = f"{flag or 'no value'}: left out"
            parsed.gaps.append(Gap("eurostat", year, "EU27", partner, flow, why))
            continue
        if value < 0:
            parsed.gaps.append(
                Gap("eurostat", year, "EU27", partner, flow, f"negative value {value}: left out")
            )
            continue
        parsed.rows.append(
            Row(
                year=year,
                reporter="EU27",
                partner=partner,
                flow=flow,
                value_millions=value / 1e6,
                currency="EUR",
                basis="official",
                source=SOURCE,
                source_url=url,
                note=note(retrieved, "reporter EU27_2020", flag),
            )
        )
    return parsed
