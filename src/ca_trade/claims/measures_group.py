"""Two measures across the data's breadth: a group of republics, and a rank among countries.

- a flow whose ``area`` is a group ("KAZ+KGZ+TJK+UZB", from ``area = [...]``): the sum of
  each republic's figure, each picked by the basis rule as for one republic; any missing
  figure makes it *not checkable*;
- ``rank`` with ``among = "countries"``: the partner's rank among the single countries the
  data hold (China and Russia: the loader keeps ca-trade's partners only), blocs left out (the
  EU is not a country). The answer names the countries compared.
"""

from __future__ import annotations

from ca_trade import schema
from ca_trade.claims.evaluate import Value, _flow_value, _Frames, _one
from ca_trade.claims.model import Basis, Measure, describe

COUNTRY_PARTNERS = tuple(p for p in schema.PARTNERS if p != "EU27")


def group_value(frames: _Frames, measure: Measure, rule: Basis, year: int) -> Value:
    """The sum of a flow over a group of republics."""
    frame = frames.balance(rule, year, measure.perspective)
    total = Value(0.0)
    for area in str(measure.area).split("+"):
        one = Measure(measure.kind, partner=measure.partner, area=area)
        row = _one(frame, partner=str(measure.partner), area=area)
        part = _flow_value(row, measure.kind, frames.unit, describe(one), year)
        value = None if total.value is None or part.value is None else total.value + part.value
        total = total.merged(part, value)
    if total.missing:
        total.value = None
    return total


def countries_rank(frames: _Frames, measure: Measure, rule: Basis, year: int) -> Value:
    """The partner's rank among the single countries in the data (China, Russia) for
    ``measure.area``."""
    area, by = str(measure.area), measure.by
    frame = frames.balance(rule, year, "partner")
    parts: dict[str, Value] = {}
    for partner in COUNTRY_PARTNERS:
        row = _one(frame, partner=partner, area=area)
        parts[partner] = _flow_value(row, by, frames.unit, f"{partner}–{area} {by}", year)
    out = Value(None)
    for part in parts.values():
        out = out.merged(part, None)
    mine = parts[str(measure.partner)].value
    if out.missing or mine is None:
        return out
    out.value = float(1 + sum(1 for v in parts.values() if (v.value or 0.0) > mine))
    out.coverage = [f"rank among the countries in the data: {', '.join(sorted(parts))}"]
    return out
