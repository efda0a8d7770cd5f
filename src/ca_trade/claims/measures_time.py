"""The measures over time and across sides: their values on one basis rule.

- ``change``: the change in money of a flow between two years (``compute.growth``'s change);
- ``avg_growth``: the average annual growth of a flow over several years (compound);
- ``share_change``: a share's change in percentage points between two years;
- ``extreme``: the claim year's rank among the years the data hold (1 = highest, or lowest);
- ``growth_rank``: a republic's rank among the five by growth of its trade with a partner;
- ``mirror_ratio``: the larger of the two sides' figures for one flow over the smaller.

The same discipline as every claim: computed on each basis rule with the same computations as
the commands; like with like over time (the same reporter in every year compared, else *not
checkable* with the reason); a missing figure makes the claim *not checkable*.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from ca_trade import compute, schema
from ca_trade.claims.evaluate import Value, _Frames, _measure_value, _one, growth_years
from ca_trade.claims.model import Basis, Measure, describe

_FLOW_OF = {"turnover": "total", "exports": "export", "imports": "import"}


def value(frames: _Frames, measure: Measure, rule: Basis, year: int) -> Value:
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
    return set(growth_years(measure, year))


def _growth(frames: _Frames, of: Measure, rule: Basis, start: int, end: int) -> Value:
    """The % change of a flow, like with like (evaluate's own growth rule)."""
    growth = Measure("growth", left=of, from_year=start, to_year=end)
    return _measure_value(frames, growth, rule, end)


def _change(frames: _Frames, measure: Measure, rule: Basis, year: int, label: str) -> Value:
    of = measure.left
    assert of is not None
    start, end = growth_years(measure, year)
    out = _growth(frames, of, rule, start, end)
    if out.missing:
        out.value = None
        return out
    flow = {"exports": "imports", "imports": "exports"}.get(of.kind, of.kind)
    row = _one(
        frames.growth(rule, start, end),
        partner=str(of.partner),
        area=str(of.area),
        measure=flow if of.perspective == "republic" else of.kind,
    )
    change = row.get(f"change{frames.unit}")
    out.value = change if isinstance(change, float) else None
    if out.value is None:
        out.missing.append(f"{label}: no change in money")
    return out


def _avg_growth(frames: _Frames, measure: Measure, rule: Basis, year: int, label: str) -> Value:
    of = measure.left
    assert of is not None
    start, end = growth_years(measure, year)
    out = _growth(frames, of, rule, start, end)
    if out.value is not None and not out.missing:
        ratio = 1 + out.value / 100
        out.value = (ratio ** (1 / (end - start)) - 1) * 100 if ratio > 0 else None
        if out.value is None:
            out.missing.append(f"{label}: no average growth through a fall to zero")
    return out


def _share_change(frames: _Frames, measure: Measure, rule: Basis, year: int, label: str) -> Value:
    of = measure.left
    assert of is not None
    start, end = growth_years(measure, year)
    first = _measure_value(frames, of, rule, start)
    last = _measure_value(frames, of, rule, end)
    both = first.merged(last, None)
    if first.missing or last.missing or first.value is None or last.value is None:
        return both
    whose = [r.split(": ", 1)[-1] for r in (first.reporters[0], last.reporters[0])]
    if whose[0] != whose[1]:
        both.missing.append(f"{label}: {start} from {whose[0]}, {end} from {whose[1]}")
        return both
    both.value = last.value - first.value
    return both


def _extreme(frames: _Frames, measure: Measure, rule: Basis, year: int, label: str) -> Value:
    """The claim year's rank among the years in the data whose figure has the same reporter."""
    of = measure.left
    assert of is not None
    if of.partner == schema.WORLD:
        return Value(None, missing=[f"{label}: a republic's world totals are not ranked"])
    years = sorted(
        y
        for y in frames.trade.get_column("year").unique().to_list()
        if y <= year and (measure.from_year is None or y >= measure.from_year)
    )
    values = {y: _measure_value(frames, of, rule, y) for y in years}
    mine = values[year]
    if mine.missing or mine.value is None:
        return mine
    same = {
        y: v
        for y, v in values.items()
        if v.value is not None and not v.missing and v.reporters == mine.reporters
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
    sign = -1.0 if measure.order == "lowest" else 1.0
    better = sum(1 for v in same.values() if sign * float(v.value or 0) > sign * mine.value)
    out.value = float(1 + better)
    out.reporters = mine.reporters
    span = f"{min(same)}–{max(same)}"
    out.coverage = [
        f"{label}: years compared {span} ({len(same)} years, same reporter)"
        + (f"; left out (other reporter or missing): {', '.join(left_out)}" if left_out else "")
    ]
    return out


def _growth_rank(frames: _Frames, measure: Measure, rule: Basis, year: int) -> Value:
    start, end = growth_years(measure, year)
    values = {
        area: _growth(
            frames, Measure(measure.by, partner=measure.partner, area=area), rule, start, end
        )
        for area in schema.REPUBLICS
    }
    out = Value(None)
    for part in values.values():
        out = out.merged(part, None)
    mine = values[str(measure.area)]
    if out.missing or mine.value is None:
        return out
    out.value = float(1 + sum(1 for v in values.values() if (v.value or 0.0) > mine.value))
    return out


def _mirror_ratio(frames: _Frames, measure: Measure, year: int, label: str) -> Value:
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
            None,
            missing=[f"{label}: the two sides do not both report {measure.by} in {year}"],
        )
    row = rows[0]
    a, b = float(row[f"partner_reported{u}"]), float(row[f"republic_reported{u}"])
    out = Value(
        max(a, b) / min(a, b) if min(a, b) > 0 else None,
        sides={"partner", "republic"},
        reporters=[f"{label}: {row['partner_reporter']} vs {row['republic_reporter']}"],
        lines=sorted(
            {(year, n) for n in row["partner_source_lines"] or []}
            | {(year, n) for n in row["republic_source_lines"] or []}
        ),
        derived=bool(row["partner_derived"]) or bool(row["republic_derived"]),
    )
    if out.value is None:
        out.missing.append(f"{label}: one side reports zero")
    return replace(out)
