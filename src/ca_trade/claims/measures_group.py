"""Two measures across the data's breadth: a group of republics, and a rank among countries.

- a flow whose ``area`` is a group ("KAZ+KGZ+TJK+UZB", from ``area = [...]``): the sum of
  each republic's figure, each picked by the basis rule as for one republic; any missing
  figure makes it *not checkable*; bounds add up (a sum of lower bounds is a lower bound);
- ``rank`` with ``among = "countries"``: the partner's rank among the single countries the
  data hold (China and Russia: the loader keeps ca-trade's partners only), blocs left out (the
  EU is not a country). The answer names the countries compared.
"""

from __future__ import annotations

from ca_trade import schema
from ca_trade.claims.measures_time import ranked
from ca_trade.claims.model import Basis, Measure, describe
from ca_trade.claims.values import Frames, Value, _one, flow_value

COUNTRY_PARTNERS = tuple(p for p in schema.PARTNERS if p != "EU27")


def group_value(frames: Frames, measure: Measure, rule: Basis, year: int) -> Value:
    """The sum of a flow over a group of republics, with the interval the figures allow."""
    frame = frames.balance(rule, year, measure.perspective)
    total = Value(0.0)
    for area in str(measure.area).split("+"):
        one = Measure(measure.kind, partner=measure.partner, area=area)
        row = _one(frame, partner=str(measure.partner), area=area)
        part = flow_value(row, measure.kind, frames.unit, describe(one), year)
        if total.value is None or part.value is None:
            total = total.merged(part, None)
            continue
        assert total.low is not None and total.high is not None
        assert part.low is not None and part.high is not None
        low, high = total.low + part.low, total.high + part.high
        total = total.merged(part, total.value + part.value)
        total.low, total.high = low, high
    if total.missing or total.undecidable:
        total.value = total.low = total.high = None
    return total


def countries_rank(frames: Frames, measure: Measure, rule: Basis, year: int) -> Value:
    """The partner's rank among the single countries in the data (China, Russia) for
    ``measure.area``."""
    area, by = str(measure.area), measure.by
    frame = frames.balance(rule, year, "partner")
    parts: dict[str, Value] = {}
    for partner in COUNTRY_PARTNERS:
        row = _one(frame, partner=partner, area=area)
        parts[partner] = flow_value(row, by, frames.unit, f"{partner}–{area} {by}", year)
    out = Value(None)
    for part in parts.values():
        out = out.merged(part, None)
    foreign = [p for p, v in parts.items() if v.value is not None and v.codes != {area}]
    if rule == "republic" and foreign:  # as for a rank among the partners (values.py)
        out.missing.append(f"no {area} figure of its own for {', '.join(foreign)}")
    mine = parts[str(measure.partner)]
    if out.missing or out.undecidable or mine.value is None:
        return out
    rank = ranked(mine, [v for p, v in parts.items() if p != measure.partner])
    out.value, out.low, out.high = rank.value, rank.low, rank.high
    out.coverage = [f"rank among the countries in the data: {', '.join(sorted(parts))}"]
    return out
