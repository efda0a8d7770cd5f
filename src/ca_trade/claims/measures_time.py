"""The measures over time and across sides: their values on one basis rule.

- ``change``: the change in money of a flow between two years (``compute.growth``'s change);
- ``avg_growth``: the average annual growth of a flow over several years (compound);
- ``share_change``: a share's change in percentage points between two years;
- ``extreme``: the claim year's rank among the years the data hold (1 = highest, or lowest);
- ``growth_rank``: a republic's rank among the five by growth of its trade with a partner;
- ``mirror_ratio``: the larger of the two sides' figures for one flow over the smaller.

The same discipline as every claim: computed on each basis rule with the same computations as
the commands; like with like over time (the same reporter in every year compared, else *not
checkable* with the reason); a missing figure makes the claim *not checkable*; bounds carried as
the interval of values the data allow (``Value.low``/``high``), so a rank or a change from a
figure published as "over $44bn" is decided only where every allowed value agrees.
"""

from __future__ import annotations

import math

import polars as pl

from ca_trade import bounds, compute
from ca_trade.claims.model import Measure, Why, describe
from ca_trade.claims.values import Frames, Value, _one, claim_years, measure_value
from ca_trade.schema import BasisRule

_FLOW_OF = {"turnover": "total", "exports": "export", "imports": "import"}
_SWAPPED = {"turnover": "turnover", "exports": "imports", "imports": "exports"}


def value(frames: Frames, measure: Measure, rule: BasisRule, year: int) -> Value:
    """The measure's value on ``rule`` for the claim's ``year``."""
    label = describe(measure)
    if measure.kind == "change":
        return _change(frames, measure, rule, year, label)
    if measure.kind == "avg_growth":
        return _avg_growth(frames, measure, rule, year, label)
    if measure.kind == "share_change":
        return _share_change(frames, measure, rule, year, label)
    if measure.kind == "extreme":
        return _extreme(frames, measure, rule, year, label)
    if measure.kind == "growth_rank":
        return _growth_rank(frames, measure, rule, year)
    return _mirror_ratio(frames, measure, year, label)


def years_needed(measure: Measure, year: int) -> set[int]:
    """The years a measure reads (a year not in the data makes the claim not checkable)."""
    if measure.kind in ("extreme", "mirror_ratio"):
        return {year}
    return set(claim_years(measure, year))


def ranked(mine: Value, others: list[Value], *, highest_first: bool = True) -> Value:
    """``mine``'s rank among ``others`` (1 = first), decided only where the intervals order
    the values: ``low`` counts the values surely ahead, ``high`` those that may be."""
    assert mine.low is not None and mine.high is not None
    sign = 1.0 if highest_first else -1.0
    lo, hi = sorted((sign * mine.low, sign * mine.high))
    surely = maybe = 0
    for other in others:
        assert other.low is not None and other.high is not None
        o_lo, o_hi = sorted((sign * other.low, sign * other.high))
        surely += o_lo > hi
        maybe += o_hi > lo
    out = Value(float(1 + surely))
    out.low, out.high = float(1 + surely), float(1 + maybe)
    return out


def _growth(frames: Frames, of: Measure, rule: BasisRule, start: int, end: int) -> Value:
    """The % change of a flow, like with like (the claims' own growth rule)."""
    return measure_value(
        frames, Measure("growth", left=of, from_year=start, to_year=end), rule, end
    )


def _change(frames: Frames, measure: Measure, rule: BasisRule, year: int, label: str) -> Value:
    of = measure.left
    assert of is not None
    start, end = claim_years(measure, year)
    out = _growth(frames, of, rule, start, end)
    if out.missing or out.undecidable:
        out.value = out.low = out.high = None
        return out
    flow = _SWAPPED[of.kind] if of.perspective == "republic" else of.kind
    row = _one(
        frames.growth(rule, start, end), partner=str(of.partner), area=str(of.area), measure=flow
    )
    change = row.get(f"change{frames.unit}")
    if not isinstance(change, float):
        out.value = out.low = out.high = None
        out.missing.append(f"{label}: no change in money")
        return out
    out.value = change
    bound = row.get("change_bound")
    out.low, out.high = bounds.interval(change, bound if isinstance(bound, str) else None)
    return out


def _avg_growth(frames: Frames, measure: Measure, rule: BasisRule, year: int, label: str) -> Value:
    of = measure.left
    assert of is not None
    start, end = claim_years(measure, year)
    out = _growth(frames, of, rule, start, end)
    if out.value is None or out.missing or out.undecidable:
        return out
    years = end - start

    def yearly(pct: float) -> float:
        if math.isinf(pct):
            return pct
        ratio = 1 + pct / 100
        return (ratio ** (1 / years) - 1) * 100 if ratio > 0 else -100.0

    assert out.low is not None and out.high is not None
    out.value, out.low, out.high = yearly(out.value), yearly(out.low), yearly(out.high)
    if out.value == -100.0:
        out.value = out.low = out.high = None
        out.missing.append(f"{label}: no average growth through a fall to zero")
    return out


def _share_change(
    frames: Frames, measure: Measure, rule: BasisRule, year: int, label: str
) -> Value:
    of = measure.left
    assert of is not None
    start, end = claim_years(measure, year)
    first = measure_value(frames, of, rule, start)
    last = measure_value(frames, of, rule, end)
    both = first.merged(last, None)
    if first.missing or last.missing or first.value is None or last.value is None:
        return both
    if first.codes != last.codes:
        whose = [", ".join(sorted(v.codes)) or "—" for v in (first, last)]
        both.missing.append(f"{label}: {start} from {whose[0]}, {end} from {whose[1]}")
        both.kinds.add(Why.UNLIKE)
        return both
    assert first.low is not None and first.high is not None
    assert last.low is not None and last.high is not None
    both.value = last.value - first.value
    both.low, both.high = last.low - first.high, last.high - first.low
    return both


def _extreme(frames: Frames, measure: Measure, rule: BasisRule, year: int, label: str) -> Value:
    """The claim year's rank among the years in the data whose figure has the same reporter."""
    of = measure.left
    assert of is not None
    if of.partner == "WLD":
        return Value(None, missing=[f"{label}: a republic's world totals are not ranked"])
    years = sorted(
        y
        for y in frames.trade.get_column("year").unique().to_list()
        if y <= year and (measure.from_year is None or y >= measure.from_year)
    )
    values = {y: measure_value(frames, of, rule, y) for y in years}
    mine = values[year]
    if mine.missing or mine.value is None or mine.undecidable:
        return mine
    same = {
        y: v
        for y, v in values.items()
        if v.value is not None and not v.missing and not v.undecidable and v.codes == mine.codes
    }
    out = Value(None)
    for y in sorted(same):
        out = out.merged(same[y], None)
    left_out = [str(y) for y in years if y not in same]
    if len(same) < 2:
        out.missing.append(
            f"{label}: only {year} has this reporter's figure in the data (years: "
            f"{', '.join(map(str, years))})"
        )
        return out
    rank = ranked(
        mine, [v for y, v in same.items() if y != year], highest_first=measure.order != "lowest"
    )
    out.value, out.low, out.high = rank.value, rank.low, rank.high
    out.coverage = [
        f"{label}: years compared {min(same)}–{max(same)} ({len(same)} years, same reporter)"
        + (f"; left out (other reporter or missing): {', '.join(left_out)}" if left_out else "")
    ]
    return out


def _growth_rank(frames: Frames, measure: Measure, rule: BasisRule, year: int) -> Value:
    start, end = claim_years(measure, year)
    values = {
        area: _growth(
            frames, Measure(measure.by, partner=measure.partner, area=area), rule, start, end
        )
        for area in ("KAZ", "KGZ", "TJK", "TKM", "UZB")
    }
    out = Value(None)
    for part in values.values():
        out = out.merged(part, None)
    mine = values[str(measure.area)]
    if out.missing or out.undecidable or mine.value is None:
        return out
    rank = ranked(mine, [v for a, v in values.items() if a != measure.area])
    out.value, out.low, out.high = rank.value, rank.low, rank.high
    return out


def _side(frames: Frames, year: int, reporter: str, lines: list[int]) -> tuple[float, float]:
    """The interval one side's figure allows: its rows' bounds (lower, upper) widen it."""
    rows = frames.trade.filter(
        (pl.col("year") == year) & (pl.col("reporter") == reporter) & pl.col("line").is_in(lines)
    )
    kinds = {b for b in rows.get_column("bound").to_list() if b in ("lower", "upper")}
    return (-math.inf if "upper" in kinds else 0.0), (math.inf if "lower" in kinds else 0.0)


def _mirror_ratio(frames: Frames, measure: Measure, year: int, label: str) -> Value:
    """Both sides' figures for one flow: the larger ÷ the smaller (statistics: mixed)."""
    u = frames.unit
    table = compute.mirror(frames.trade, currency=frames.currency, rates=frames.rates, year=year)
    rows = table.filter(
        (pl.col("partner") == measure.partner)
        & (pl.col("area") == measure.area)
        & (pl.col("flow") == _FLOW_OF[measure.by])
    ).to_dicts()
    if not rows:
        return Value(
            None, missing=[f"{label}: the two sides do not both report {measure.by} in {year}"]
        )
    row = rows[0]
    a, b = float(row[f"partner_reported{u}"]), float(row[f"republic_reported{u}"])
    out = Value(
        None,
        sides={"partner", "republic"},
        reporters=[f"{label}: {row['partner_reporter']} vs {row['republic_reporter']}"],
        codes={str(row["partner_reporter"]), str(row["republic_reporter"])},
        lines=sorted(
            {(year, n) for n in row["partner_source_lines"] or []}
            | {(year, n) for n in row["republic_source_lines"] or []}
        ),
        derived=bool(row["partner_derived"]) or bool(row["republic_derived"]),
        mixed=True,
        compares_sides=True,
    )
    if min(a, b) <= 0:
        out.missing.append(f"{label}: one side reports zero")
        return out
    out.value = max(a, b) / min(a, b)
    widen_a = _side(frames, year, str(row["partner_reporter"]), row["partner_source_lines"] or [])
    widen_b = _side(frames, year, str(row["republic_reporter"]), row["republic_source_lines"] or [])
    out.low, out.high = out.value, out.value
    if widen_a != (0.0, 0.0) or widen_b != (0.0, 0.0):
        out.bounded.append(f"{label}: a side's figure is a bound")
        a_lo = a if widen_a[0] == 0 else 0.0
        b_lo = b if widen_b[0] == 0 else 0.0
        a_hi = a if widen_a[1] == 0 else math.inf
        b_hi = b if widen_b[1] == 0 else math.inf
        overlap = a_lo <= b_hi and b_lo <= a_hi
        corners = [
            max(x / y, y / x) if x > 0 and y > 0 and not math.isinf(x / y) else math.inf
            for x in (a_lo, a_hi)
            for y in (b_lo, b_hi)
        ]
        out.low = 1.0 if overlap else min(corners)
        out.high = max(corners)
    return out
