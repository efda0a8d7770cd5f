"""A claim's measures on one basis rule: the value, the values the data allow, and what went in.

Each measure is read from the same computations as the other commands (``compute.balance``,
``compute.compare``, ``compute.shares``, ``compute.growth``), from their typed provenance
columns (``*_reporter``, ``*_partial``, ``*_mixed``, ``*_bound``): nothing is parsed back from
words. A ``Value`` carries the interval the data allow: a figure published as "exceeded $44bn"
allows [44000, ∞), and whatever is computed from it allows what interval arithmetic says.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ca_trade import bounds, compute, schema
from ca_trade.claims.model import (
    FLOW_KINDS,
    GROWTH_KINDS,
    TIME_KINDS,
    Measure,
    Why,
    describe,
)
from ca_trade.figures import mixes_codes
from ca_trade.schema import BasisRule

INF = math.inf


@dataclass
class Value:
    """A measure's value on one basis rule, with what went into it.

    ``low``/``high``: the values the data allow (equal to ``value`` for an exact figure).
    ``codes``: every reporter whose rows went in; ``mixed``: the arithmetic set one
    reporter's figure against another's.
    """

    value: float | None
    sides: set[str] = field(default_factory=set)
    reporters: list[str] = field(default_factory=list)  # in words, per operand
    codes: set[str] = field(default_factory=set)
    coverage: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)  # (year, line): a file per year
    derived: bool = False
    partial: bool = False  # the value covers only part of the five (shown, not tested)
    mixed: bool = False
    low: float | None = None
    high: float | None = None
    bounded: list[str] = field(default_factory=list)  # which operands are bounds, in words
    undecidable: bool = False  # withheld: computed from bounds that leave it open
    kinds: set[str] = field(default_factory=set)  # why it is missing, typed (``Why``)
    # A measure that sets one side's figure against the other's by design (mirror_ratio):
    # its mixed statistics are the claim itself, not a mixing of reporters.
    compares_sides: bool = False

    def __post_init__(self) -> None:
        if self.low is None:
            self.low = self.value
        if self.high is None:
            self.high = self.value

    def merged(self, other: Value, value: float | None) -> Value:
        """The two values' provenance together, with ``value`` as the result."""
        return Value(
            value,
            self.sides | other.sides,
            self.reporters + other.reporters,
            self.codes | other.codes,
            self.coverage + other.coverage,
            self.missing + other.missing,
            sorted(set(self.lines + other.lines)),
            self.derived or other.derived,
            self.partial or other.partial,
            self.mixed or other.mixed or mixes_codes(self.codes | other.codes),
            bounded=self.bounded + other.bounded,
            undecidable=self.undecidable or other.undecidable,
            kinds=self.kinds | other.kinds,
        )

    @property
    def exact(self) -> bool:
        """True when the data allow this value only."""
        return self.low == self.high


def _side_of(code: str) -> str:
    return "partner" if code in schema.PARTNERS else "republic"


def _codes(reporters: object) -> list[str]:
    """The codes of a typed ``*_reporters`` list cell (none when missing)."""
    return [str(c) for c in reporters] if isinstance(reporters, list) else []


def _with_bound(out: Value, bound: object, label: str) -> Value:
    """Set the interval a figure's ``bound`` allows, and say so."""
    if bound == bounds.UNDECIDABLE:
        out.undecidable = True
        out.kinds.add(Why.BOUNDS)
        return out
    if out.value is None or not isinstance(bound, str):
        return out
    out.low, out.high = bounds.interval(out.value, bound)
    if not out.exact:
        out.bounded.append(
            f"the data say only that {label} is {bounds.words(bound)} {out.value:,.2f}"
        )
    return out


class Frames:
    """The computations' frames, each computed once per (basis rule, ...)."""

    def __init__(self, trade: pl.DataFrame, currency: str, rates: dict[int, float]) -> None:
        self.trade, self.currency, self.rates = trade, currency, rates
        self.unit = compute.unit_suffix(currency)
        self.years = set(trade.get_column("year").unique().to_list())
        self._cache: dict[tuple[object, ...], pl.DataFrame] = {}

    def _once(self, key: tuple[object, ...], make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def balance(self, rule: BasisRule, year: int, perspective: str) -> pl.DataFrame:
        """``compute.balance`` for one rule, year and perspective."""
        return self._once(
            ("balance", rule, year, perspective),
            lambda: compute.balance(
                self.trade,
                basis=rule,
                currency=self.currency,
                rates=self.rates,
                year=year,
                perspective=perspective,
            ),
        )

    def compare(self, rule: BasisRule, year: int, area: str) -> pl.DataFrame:
        """``compute.compare`` for one rule, year and area."""
        return self._once(
            ("compare", rule, year, area),
            lambda: compute.compare(
                self.trade,
                basis=rule,
                currency=self.currency,
                rates=self.rates,
                year=year,
                area=area,
            ),
        )

    def growth(self, rule: BasisRule, start: int, end: int) -> pl.DataFrame:
        """``compute.growth`` for one rule and pair of years."""
        return self._once(
            ("growth", rule, start, end),
            lambda: compute.growth(
                self.trade,
                basis=rule,
                currency=self.currency,
                rates=self.rates,
                from_year=start,
                to_year=end,
            ),
        )

    def shares(self, rule: BasisRule, year: int) -> pl.DataFrame:
        """``compute.shares`` for one rule and year."""
        return self._once(
            ("shares", rule, year),
            lambda: compute.shares(
                self.trade, basis=rule, currency=self.currency, rates=self.rates, year=year
            ),
        )


def _one(frame: pl.DataFrame, **equal: str) -> dict[str, Any]:
    rows = frame.filter(*[pl.col(k) == v for k, v in equal.items()]).to_dicts()
    assert len(rows) == 1, (equal, len(rows))
    return rows[0]


def flow_value(row: dict[str, Any], measure_name: str, unit: str, label: str, year: int) -> Value:
    """A flow or balance from a ``compute.balance``/``compare`` row of ``year``."""
    parts = ("exports", "imports") if measure_name == "balance" else (measure_name,)
    reporters = [c for part in parts for c in _codes(row.get(f"{part}_reporters"))]
    value = row.get(measure_name + unit)
    coverage = row.get(f"{measure_name}_coverage")
    out = Value(
        value if isinstance(value, float) else None,
        sides={_side_of(c) for c in reporters},
        reporters=[f"{label}: {','.join(dict.fromkeys(reporters))}"] if reporters else [],
        codes=set(reporters),
        coverage=[f"{label}: {coverage}"] if coverage else [],
        lines=[(year, n) for n in row.get(f"{measure_name}_source_lines") or []],
        derived=bool(row.get(f"{measure_name}_derived")),
        mixed=bool(row.get(f"{measure_name}_mixed")),
    )
    if out.value is None:
        out.missing.append(str(row.get(f"{measure_name}_missing_reason") or f"{label}: missing"))
        out.kinds.add(Why.MISSING)
    elif any(row.get(f"{part}_partial") for part in (*parts, measure_name)):
        out.missing.append(f"{label} covers only part of the five ({coverage})")
        out.partial = True
        out.kinds.add(Why.PARTIAL)
    return _with_bound(out, row.get(f"{measure_name}_bound"), label)


def measure_value(frames: Frames, measure: Measure, rule: BasisRule, year: int) -> Value:
    """The value of ``measure`` in ``year`` on basis rule ``rule``."""
    u = frames.unit
    label = describe(measure)
    if measure.kind in GROWTH_KINDS:
        out = _growth_value(frames, measure, rule, year, label)
    elif measure.kind in TIME_KINDS:  # claims/measures_time.py
        from ca_trade.claims import measures_time

        out = measures_time.value(frames, measure, rule, year)
    elif measure.kind in FLOW_KINDS and "+" in str(measure.area):  # a group of republics
        from ca_trade.claims import measures_group

        out = measures_group.group_value(frames, measure, rule, year)
    elif measure.kind in FLOW_KINDS:
        frame = frames.balance(rule, year, measure.perspective)
        row = _one(frame, partner=str(measure.partner), area=str(measure.area))
        out = flow_value(row, measure.kind, u, label, year)
    elif measure.kind == "share":
        out = _share_value(frames, measure, rule, year, label)
    elif measure.kind in ("ratio", "difference"):
        assert measure.left is not None and measure.right is not None
        a = measure_value(frames, measure.left, rule, year)
        b = measure_value(frames, measure.right, rule, year)
        out = _combined(measure, a, b)
    elif measure.among == "countries":
        from ca_trade.claims import measures_group

        out = measures_group.countries_rank(frames, measure, rule, year)
    else:
        out = _rank_value(frames, measure, rule, year)
    if measure.product:
        out.kinds.add(Why.PRODUCT)
        out.missing.insert(
            0,
            f"no product data: the data hold merchandise totals only, not {measure.product} "
            f"({label})",
        )
    return out


def _combined(measure: Measure, a: Value, b: Value) -> Value:
    """a − b or a ÷ b, with the interval the operands allow."""
    if a.value is None or b.value is None:
        return a.merged(b, None)
    assert a.low is not None and a.high is not None and b.low is not None and b.high is not None
    if measure.kind == "difference":
        out = a.merged(b, a.value - b.value)
        out.low, out.high = a.low - b.high, a.high - b.low
        return out
    if b.value == 0 or b.low <= 0 <= b.high:
        out = a.merged(b, None)
        assert measure.right is not None
        divisor = describe(measure.right)
        out.missing.append(
            f"{divisor} is zero" if b.value == 0 else f"{divisor} may be zero (a bound)"
        )
        return out
    scale = 100.0 if measure.percent else 1.0
    out = a.merged(b, a.value / b.value * scale)
    corners = [x / y for x in (a.low, a.high) for y in (b.low, b.high)]
    if any(math.isnan(c) for c in corners):
        out.low, out.high = -INF, INF
    else:
        out.low, out.high = min(corners) * scale, max(corners) * scale
    return out


def _share_value(frames: Frames, measure: Measure, rule: BasisRule, year: int, label: str) -> Value:
    of = str(measure.share_of)
    frame = frames.shares(rule, year)
    row = _one(frame, partner=str(measure.partner), area=str(measure.area))
    value = row.get(f"{of}_share_pct")
    numerator = _codes(row.get(f"{of}_reporters"))
    has_world = row.get(f"world_{of}{frames.unit}") is not None
    # The denominators are the republics' own world totals.
    denominators = set(schema.REPUBLICS) if measure.area == schema.REGION else {str(measure.area)}
    sides = {_side_of(c) for c in numerator} | ({"republic"} if has_world else set())
    coverage = row.get(f"{of}_coverage")
    who = ",".join(numerator) or "—"
    if not has_world:
        denominator = "— (no world total)"
    elif measure.area == schema.REGION:
        denominator = "the republics' own world totals"
    else:
        denominator = f"{measure.area}'s own world total"
    out = Value(
        value if isinstance(value, float) else None,
        sides=sides,
        reporters=[f"{label}: {who} ÷ {denominator}"],
        codes=set(numerator) | (denominators if has_world else set()),
        coverage=[f"{label}: {coverage}"] if coverage else [],
        lines=[(year, n) for n in row.get(f"{of}_source_lines") or []],
        derived=bool(row.get(f"{of}_derived")),
        mixed=bool(row.get(f"{of}_mixed")),
    )
    if out.value is None:
        out.missing.append(str(row.get(f"{of}_missing_reason") or f"{label}: missing"))
        out.kinds.add(Why.MISSING)
    elif row.get(f"{of}_partial"):
        out.kinds.add(Why.PARTIAL)
        missing = [
            str(r[f"{of}_missing_reason"])
            for r in frame.filter(
                (pl.col("partner") == measure.partner)
                & pl.col("area").is_in(schema.REPUBLICS)
                & pl.col(f"{of}_share_pct").is_null()
            ).to_dicts()
        ]
        out.missing.append(
            f"{label} covers only {coverage}; missing: " + "; ".join(missing or ["?"])
        )
        out.partial = True
    return _with_bound(out, row.get(f"{of}_bound"), label)


_SWAPPED = {"turnover": "turnover", "exports": "imports", "imports": "exports"}


def claim_years(measure: Measure, year: int) -> tuple[int, int]:
    """A claim's (from, to) years for a change: its own, else the claim's year and the one
    before it, strictly (unlike ``compute.growth_years``, which steps back to the latest year
    in the data: a claim about one year's change must not become a change over two)."""
    end = measure.to_year or year
    return (measure.from_year or end - 1), end


def _growth_value(
    frames: Frames, measure: Measure, rule: BasisRule, year: int, label: str
) -> Value:
    """A growth (or its size) from a ``compute.growth`` row: only like with like."""
    of = measure.left
    assert of is not None
    start, end = claim_years(measure, year)
    flow = _SWAPPED[of.kind] if of.perspective == "republic" else of.kind
    frame = frames.growth(rule, start, end)
    row = _one(frame, partner=str(of.partner), area=str(of.area), measure=flow)
    change = row["change_pct"]
    value = change if isinstance(change, float) and row["comparable"] else None
    reporters = [c for y in ("from", "to") for c in _codes(row[f"{y}_reporters"])]
    same_reporter = row["from_reporter"] == row["to_reporter"]
    who = (
        str(row["from_reporter"])
        if same_reporter
        else f"{row['from_reporter'] or '—'} ({start}), {row['to_reporter'] or '—'} ({end})"
    )
    coverages = dict.fromkeys(c for c in (row["from_coverage"], row["to_coverage"]) if c)
    out = Value(
        value,
        sides={_side_of(c) for c in reporters},
        reporters=[f"{label}: {who}"] if reporters else [],
        codes=set(reporters),
        coverage=[f"{label}: {' → '.join(coverages)}"] if coverages else [],
        # Each year's lines are in that year's data: keep the year with every line.
        lines=sorted(
            {(start, n) for n in row["from_source_lines"] or []}
            | {(end, n) for n in row["to_source_lines"] or []}
        ),
        derived=bool(row["from_derived"]) or bool(row["to_derived"]),
        mixed=bool(row["change_mixed"]),
    )
    if not row["comparable"]:
        out.missing.append(f"{label}: {row['no_change_reason']}")
        values = [row[c] for c in row if c.startswith(("value_from_", "value_to_"))]
        if any(y not in frames.years for y in (start, end)):
            out.kinds.add(Why.YEAR)
        elif all(v is not None for v in values) and row["change_bound"] != bounds.UNDECIDABLE:
            out.kinds.add(Why.UNLIKE)
        else:
            out.kinds.add(Why.MISSING)
    elif value is None:
        out.missing.append(f"{label}: no percentage change from zero")
        out.kinds.add(Why.MISSING)
    elif row["from_partial"]:
        out.missing.append(f"{label} covers only part of the five ({row['from_coverage']})")
        out.partial = True
        out.kinds.add(Why.PARTIAL)
    out = _with_bound(out, row["change_bound"], label)
    if measure.kind == "abs_growth" and out.value is not None:
        assert out.low is not None and out.high is not None
        ends = (abs(out.low), abs(out.high))
        low = 0.0 if out.low <= 0 <= out.high else min(ends)
        out.value, out.low, out.high = abs(out.value), low, max(ends)
    return out


def _rank_value(frames: Frames, measure: Measure, rule: BasisRule, year: int) -> Value:
    """A rank, decided only where the values' intervals order them. On the republic rule, a
    rank among the partners uses the republic's own figure for every partner."""
    u = frames.unit
    by = measure.by
    if measure.among == "partners":
        frame = frames.compare(rule, year, str(measure.area))
        subject, key = str(measure.partner), "partner"
    else:
        frame = frames.balance(rule, year, "partner").filter(
            (pl.col("partner") == measure.partner) & pl.col("area").is_in(schema.REPUBLICS)
        )
        subject, key = str(measure.area), "area"
    rows = frame.to_dicts()
    parts = [flow_value(row, by, u, f"{row['partner']}–{row['area']} {by}", year) for row in rows]
    merged = Value(None)
    for part in parts:
        merged = merged.merged(part, None)
    if rule == "republic" and measure.among == "partners" and measure.area in schema.REPUBLICS:
        foreign = [
            f"{row['partner']}–{row['area']} {by} is {','.join(sorted(part.codes))}'s figure"
            for row, part in zip(rows, parts, strict=True)
            if part.value is not None and part.codes != {measure.area}
        ]
        if foreign:
            merged.missing.append(
                f"no {measure.area} figure of its own for every partner ({'; '.join(foreign)})"
            )
    values = {row[key]: part for row, part in zip(rows, parts, strict=True)}
    mine = values.get(subject)
    if merged.missing or mine is None or mine.value is None:
        merged.value = None
        if not merged.missing:
            merged.missing.append(f"no {by} figure for {subject}")
        return merged
    assert mine.low is not None and mine.high is not None
    others = [v for k, v in values.items() if k != subject and v.value is not None]
    surely = sum(1 for v in others if v.low is not None and v.low > mine.high)
    maybe = sum(1 for v in others if v.high is not None and v.high > mine.low)
    merged.value = float(1 + surely)
    merged.low, merged.high = float(1 + surely), float(1 + maybe)
    return merged
