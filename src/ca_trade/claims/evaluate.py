"""Testing claims against the data, on every basis: holds, fails, depends on basis.

``evaluate`` tests every claim on every basis the data allow. It runs the SAME computations as
the other commands (``compute.balance`` for flows and balances, ``compute.compare`` for the
partners' ranking, ``compute.shares`` for shares, ``compute.growth`` for changes) once with each
basis rule, ``partner`` and ``republic``, and labels each result by whose statistics actually
went into it: ``partner``, ``republic``, or ``mixed`` when the arithmetic combines both sides
(e.g. China's customs figure over a republic's own world total). One verdict per claim follows.

Pure functions, no printing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from ca_trade import compute, schema
from ca_trade.claims.model import (
    AMOUNT_UNITS,
    DEPENDS,
    FAILS,
    FLOW_KINDS,
    GROWTH_KINDS,
    HOLDS,
    NOT_CHECKABLE,
    OP_CODES,
    RULES,
    TIME_KINDS,
    Basis,
    Claim,
    ClaimSet,
    Measure,
    check_value,
    describe,
    describe_test,
    value_kind,
)

CHECK_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "claim_index": pl.Int64,
    "claim_id": pl.String,
    "year": pl.Int64,
    "statistics": pl.String,
    "basis_rule": pl.String,
    "test": pl.String,
    "op": pl.String,
    "unit": pl.String,
    "claimed_value": pl.Float64,
    "claimed_upper_value": pl.Float64,
    "computed_value": pl.Float64,
    "than_value": pl.Float64,
    "tolerance_value": pl.Float64,
    "result": pl.String,
    "verdict": pl.String,
    "verdict_detail": pl.String,
    "reporters": pl.String,
    "coverage": pl.String,
    "computed_derived": pl.Boolean,
    "computed_missing_reason": pl.String,
    "computed_source_lines": pl.List(pl.Int64),
    "computed_source_years": pl.List(pl.Int64),
    "quote": pl.String,
    "source_title": pl.String,
    "source_author": pl.String,
    "source_date": pl.String,
    "source_url": pl.String,
    "note": pl.String,
}


# ------------------------------------------------------------------------------- evaluating


@dataclass
class Value:
    """A measure's value on one basis rule, with what went into it."""

    value: float | None
    sides: set[str] = field(default_factory=set)
    reporters: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)  # (year, line): a file per year
    derived: bool = False
    partial: bool = False  # the value covers only part of the five (shown, not tested)

    def merged(self, other: Value, value: float | None) -> Value:
        """The two values' provenance together, with ``value`` as the result."""
        return Value(
            value,
            self.sides | other.sides,
            self.reporters + other.reporters,
            self.coverage + other.coverage,
            self.missing + other.missing,
            sorted(set(self.lines + other.lines)),
            self.derived or other.derived,
            self.partial or other.partial,
        )


def _side_of(code: str) -> str:
    return "partner" if code in schema.PARTNERS else "republic"


def _codes(reporter: object) -> list[str]:
    if not isinstance(reporter, str) or not reporter:
        return []
    return [c for c in reporter.split(",") if c]


_PARTIAL = re.compile(r"(\d)/(\d) republics with both")


def _is_partial(coverage: object) -> bool:
    if not isinstance(coverage, str):
        return False
    if "partial" in coverage:
        return True
    match = _PARTIAL.search(coverage)
    return bool(match) and match.group(1) != match.group(2)  # type: ignore[union-attr]


class _Frames:
    """The computations' frames, each computed once per (basis rule, ...)."""

    def __init__(self, trade: pl.DataFrame, currency: str, rates: dict[int, float]) -> None:
        self.trade, self.currency, self.rates = trade, currency, rates
        self.unit = compute.unit_suffix(currency)
        self._cache: dict[tuple[object, ...], pl.DataFrame] = {}

    def _once(self, key: tuple[object, ...], make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def balance(self, rule: Basis, year: int, perspective: str) -> pl.DataFrame:
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

    def compare(self, rule: Basis, year: int, area: str) -> pl.DataFrame:
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

    def growth(self, rule: Basis, start: int, end: int) -> pl.DataFrame:
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

    def shares(self, rule: Basis, year: int) -> pl.DataFrame:
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


def _flow_value(row: dict[str, Any], measure_name: str, unit: str, label: str, year: int) -> Value:
    """A flow or balance from a ``compute.balance``/``compare`` row of ``year``."""
    parts = ("exports", "imports") if measure_name == "balance" else (measure_name,)
    reporters = [c for part in parts for c in _codes(row.get(f"{part}_reporter"))]
    value = row.get(measure_name + unit)
    coverage = row.get(f"{measure_name}_coverage")
    out = Value(
        value if isinstance(value, float) else None,
        sides={_side_of(c) for c in reporters},
        reporters=[f"{label}: {','.join(dict.fromkeys(reporters))}"] if reporters else [],
        coverage=[f"{label}: {coverage}"] if coverage else [],
        lines=[(year, n) for n in row.get(f"{measure_name}_source_lines") or []],
        derived=bool(row.get(f"{measure_name}_derived")),
    )
    if out.value is None:
        out.missing.append(str(row.get(f"{measure_name}_missing_reason") or f"{label}: missing"))
    elif any(_is_partial(row.get(f"{part}_coverage")) for part in (*parts, measure_name)):
        out.missing.append(f"{label} covers only part of the five ({coverage})")
        out.partial = True
    return out


def _measure_value(frames: _Frames, measure: Measure, rule: Basis, year: int) -> Value:
    u = frames.unit
    label = describe(measure)
    if measure.kind in GROWTH_KINDS:
        out = _growth_value(frames, measure, rule, year, label)
    elif measure.kind in TIME_KINDS:
        from ca_trade.claims import measures_time

        out = measures_time.value(frames, measure, rule, year)
    elif measure.kind in FLOW_KINDS and "+" in str(measure.area):  # a group of republics
        from ca_trade.claims import measures_group

        out = measures_group.group_value(frames, measure, rule, year)
    elif measure.kind in FLOW_KINDS:
        frame = frames.balance(rule, year, measure.perspective)
        row = _one(frame, partner=str(measure.partner), area=str(measure.area))
        out = _flow_value(row, measure.kind, u, label, year)
    elif measure.kind == "share":
        out = _share_value(frames, measure, rule, year, label)
    elif measure.kind in ("ratio", "difference"):
        assert measure.left is not None and measure.right is not None
        a = _measure_value(frames, measure.left, rule, year)
        b = _measure_value(frames, measure.right, rule, year)
        result: float | None = None
        if a.value is not None and b.value is not None:
            if measure.kind == "difference":
                result = a.value - b.value
            elif b.value != 0:
                result = a.value / b.value * (100.0 if measure.percent else 1.0)
        out = a.merged(b, result)
        if result is None and a.value is not None and b.value is not None:
            out.missing.append(f"{describe(measure.right)} is zero")
    elif measure.among == "countries":
        from ca_trade.claims import measures_group

        out = measures_group.countries_rank(frames, measure, rule, year)
    else:
        out = _rank_value(frames, measure, rule, year)
    if measure.product:
        out.missing.insert(
            0,
            f"no product data: the data hold merchandise totals only, not {measure.product} "
            f"({label})",
        )
    return out


def _share_value(frames: _Frames, measure: Measure, rule: Basis, year: int, label: str) -> Value:
    of = str(measure.share_of)
    frame = frames.shares(rule, year)
    row = _one(frame, partner=str(measure.partner), area=str(measure.area))
    value = row.get(f"{of}_share_pct")
    numerator = _codes(row.get(f"{of}_reporter"))
    has_world = row.get(f"world_{of}{frames.unit}") is not None
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
        coverage=[f"{label}: {coverage}"] if coverage else [],
        lines=[(year, n) for n in row.get(f"{of}_source_lines") or []],
        derived=bool(row.get(f"{of}_derived")),
    )
    if out.value is None:
        out.missing.append(str(row.get(f"{of}_missing_reason") or f"{label}: missing"))
    elif _is_partial(coverage):
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
    return out


_SWAPPED = {"turnover": "turnover", "exports": "imports", "imports": "exports"}


def _growth_value(frames: _Frames, measure: Measure, rule: Basis, year: int, label: str) -> Value:
    """A growth (or its size) from a ``compute.growth`` row: only like with like."""
    of = measure.left
    assert of is not None
    start, end = growth_years(measure, year)
    flow = _SWAPPED[of.kind] if of.perspective == "republic" else of.kind
    frame = frames.growth(rule, start, end)
    row = _one(frame, partner=str(of.partner), area=str(of.area), measure=flow)
    change = row["change_pct"]
    value = change if isinstance(change, float) and row["comparable"] else None
    if value is not None and measure.kind == "abs_growth":
        value = abs(value)
    reporters = [c for y in ("from", "to") for c in _codes(row[f"{y}_reporter"])]
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
        coverage=[f"{label}: {' → '.join(coverages)}"] if coverages else [],
        # Each year's lines are in that year's data: keep the year with every line.
        lines=sorted(
            {(start, n) for n in row["from_source_lines"] or []}
            | {(end, n) for n in row["to_source_lines"] or []}
        ),
        derived=bool(row["from_derived"]) or bool(row["to_derived"]),
    )
    if not row["comparable"]:
        out.missing.append(f"{label}: {row['no_change_reason']}")
    elif value is None:
        out.missing.append(f"{label}: no percentage change from zero")
    elif _is_partial(row["from_coverage"]):
        out.missing.append(f"{label} covers only part of the five ({row['from_coverage']})")
        out.partial = True
    return out


def _rank_value(frames: _Frames, measure: Measure, rule: Basis, year: int) -> Value:
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
    parts = [
        _flow_value(
            row,
            by,
            u,
            f"{row['partner']}–{row['area']} {by}",
            year,
        )
        for row in frame.to_dicts()
    ]
    merged = Value(None)
    for part in parts:
        merged = merged.merged(part, None)
    values = {row[key]: part.value for row, part in zip(frame.to_dicts(), parts, strict=True)}
    mine = values.get(subject)
    if merged.missing or mine is None:
        merged.value = None
        if not merged.missing:
            merged.missing.append(f"no {by} figure for {subject}")
        return merged
    if measure.among == "partners" and by == "turnover":
        rank = _one(frame, partner=subject)["rank"]  # compare's own ranking
    else:
        rank = 1 + sum(1 for v in values.values() if v is not None and v > mine)
    merged.value = float(rank)
    return merged


@dataclass
class _Row:
    rule: str
    label: str
    computed: Value
    target: Value | None
    claimed: float | None
    tolerance: float | None
    result: str


def _claimed_in_unit(claim: Claim, currency: str, rates: dict[int, float], year: int) -> float:
    assert claim.value is not None
    if claim.unit in AMOUNT_UNITS:
        claim_currency, scale = AMOUNT_UNITS[claim.unit]
        value = claim.value * scale
        if claim_currency != currency:
            rate = rates[year]
            value = value * rate if currency == "USD" else value / rate
        return value
    return claim.value


def _tolerance_in_unit(
    claim: Claim, target: float, currency: str, rates: dict[int, float], year: int
) -> float | None:
    if claim.tolerance is None:
        return None
    if claim.tolerance.relative:
        return abs(target) * claim.tolerance.amount / 100
    if claim.unit in AMOUNT_UNITS:
        return abs(
            _claimed_in_unit(replace(claim, value=claim.tolerance.amount), currency, rates, year)
        )
    return claim.tolerance.amount


def compare_values(
    op: str, computed: float, target: float, tolerance: float | None, upper: float | None = None
) -> bool:
    """Whether ``computed op target`` holds (``≈``: within ``tolerance``; ``=``: exactly;
    ``between``: target < computed < upper)."""
    if op == "between":
        assert upper is not None
        return target < computed < upper
    if op == ">":
        return computed > target
    if op == ">=":
        return computed >= target
    if op == "<":
        return computed < target
    if op == "<=":
        return computed <= target
    if op == "≈":
        return abs(computed - target) <= (tolerance or 0.0) + 1e-9 * max(1.0, abs(target))
    return math.isclose(computed, target, rel_tol=1e-12, abs_tol=1e-12)


def _evaluate_rule(
    frames: _Frames, claim: Claim, rule: Basis, year: int
) -> tuple[Value, Value | None, float | None, float | None, str]:
    computed = _measure_value(frames, claim.measure, rule, year)
    target: Value | None = None
    if claim.than is not None:
        target = _measure_value(frames, claim.than, rule, year)
        goal = None if target.value is None else target.value * claim.factor
        claimed = None
    else:
        claimed = _claimed_in_unit(claim, frames.currency, frames.rates, year)
        goal = claimed
    tolerance = (
        None
        if goal is None
        else _tolerance_in_unit(claim, goal, frames.currency, frames.rates, year)
    )
    missing = computed.missing + (target.missing if target else [])
    if missing or computed.value is None or goal is None:
        result = NOT_CHECKABLE
    else:
        upper = (
            None
            if claim.upper is None
            else _claimed_in_unit(
                replace(claim, value=claim.upper), frames.currency, frames.rates, year
            )
        )
        holds = compare_values(claim.op, computed.value, goal, tolerance, upper)
        result = HOLDS if holds else FAILS
    return computed, target, claimed, tolerance, result


def _label(computed: Value, target: Value | None, rule: str) -> str:
    sides = computed.sides | (target.sides if target else set())
    if not sides:
        return rule
    return sides.pop() if len(sides) == 1 else "mixed"


def _verdict(rows: list[_Row], unit: str) -> tuple[str, str]:
    checked = [r for r in rows if r.result != NOT_CHECKABLE]
    if not checked:
        reasons = dict.fromkeys(m for r in rows for m in _missing(r))
        partial = [
            f"{check_value(r.computed.value, unit)} on {r.label}"
            for r in rows
            if r.computed.partial and r.computed.value is not None
        ]
        shown = f"; on the part covered: {', '.join(partial)}" if partial else ""
        return NOT_CHECKABLE, ("; ".join(reasons) or "no figure") + shown

    def on(result: str) -> str:
        return " and ".join(dict.fromkeys(r.label for r in checked if r.result == result))

    results = {r.result for r in checked}
    skipped = "".join(
        f"; not checkable on {r.label}: {'; '.join(_missing(r))}"
        for r in rows
        if r.result == NOT_CHECKABLE
    )
    if results == {HOLDS}:
        return HOLDS, f"holds on {on(HOLDS)}{skipped}"
    if results == {FAILS}:
        return FAILS, f"fails on {on(FAILS)}{skipped}"
    return DEPENDS, f"holds on {on(HOLDS)}; fails on {on(FAILS)}{skipped}"


def _years_needed(measure: Measure | None, year: int) -> set[int]:
    """The years a measure reads: its own growth years, else the claim's year."""
    if measure is None:
        return set()
    if measure.kind in GROWTH_KINDS:
        return set(growth_years(measure, year))
    if measure.kind in TIME_KINDS:
        from ca_trade.claims import measures_time

        return measures_time.years_needed(measure, year)
    if measure.kind in ("ratio", "difference"):
        return _years_needed(measure.left, year) | _years_needed(measure.right, year)
    return {year}


def growth_years(measure: Measure, year: int) -> tuple[int, int]:
    """A growth measure's (from, to) years: its own, else the claim's year and the one before."""
    end = measure.to_year or year
    return (measure.from_year or end - 1), end


def _with_years(measure: Measure, year: int) -> Measure:
    """The measure with its growth years filled in (for describing the test)."""
    if measure.kind in GROWTH_KINDS or measure.kind in TIME_KINDS[:3] + ("growth_rank",):
        start, end = growth_years(measure, year)
        return replace(measure, from_year=start, to_year=end)
    if measure.left is not None and measure.right is not None:
        return replace(
            measure, left=_with_years(measure.left, year), right=_with_years(measure.right, year)
        )
    return measure


def _missing(row: _Row) -> list[str]:
    return row.computed.missing + (row.target.missing if row.target else [])


def evaluate(
    claim_set: ClaimSet,
    trade: pl.DataFrame,
    *,
    currency: str,
    rates: dict[int, float],
    year: int,
) -> pl.DataFrame:
    """Test every claim on every basis the data allow; one row per claim and basis.

    Takes the claims and the loader's frame; ``year`` is the default for claims that name none.
    Returns ``CHECK_SCHEMA``'s columns: claim_index, claim_id, year, statistics (whose the
    figures are: partner, republic or mixed), basis_rule (the rule(s) that produced the row),
    test, op (gt, ge, lt, le, approx, eq, between), unit (``usd_m``/``eur_m`` millions of
    ``currency``, ``pct`` (shares, and growth in %), ``ratio``, ``rank``), claimed_value
    (the lower bound for ``between``), claimed_upper_value (``between`` only),
    computed_value, than_value (the other measure × factor), tolerance_value (absolute, in
    unit), result (holds / fails / not checkable on this basis), verdict and verdict_detail (the
    claim's, on every row), reporters, coverage, computed_derived, computed_missing_reason,
    computed_source_lines (data-file lines behind the computed and compared values),
    computed_source_years (the year of each of those lines, in the same order: a claim about
    change reads two years, each from its own file; ``compute.explain`` looks each line up in its
    year), quote and
    source_title/author/date/url, note.
    """
    frames = _Frames(trade, currency, rates)
    years = set(trade.get_column("year").unique().to_list())
    unit_of = {"amount": currency.lower() + "_m", "share": "pct", "rank": "rank", "growth": "pct"}
    records: list[dict[str, Any]] = []
    for claim in claim_set.claims:
        claim_year = claim.year or year
        rows: list[_Row] = []
        absent = sorted(
            (_years_needed(claim.measure, claim_year) | _years_needed(claim.than, claim_year))
            - years
        )
        if absent:
            reason = (
                f"no data for {', '.join(map(str, absent))} "
                f"(the data hold {', '.join(map(str, sorted(years)))})"
            )
            claimed = (
                _claimed_in_unit(claim, currency, rates, claim_year)
                if claim.value is not None
                and (claim.unit not in AMOUNT_UNITS or claim_year in rates)
                else None
            )
            rows.append(
                _Row(
                    "partner,republic",
                    "—",
                    Value(None, missing=[reason]),
                    None,
                    claimed,
                    None,
                    NOT_CHECKABLE,
                )
            )
        else:
            for rule in RULES:
                computed, target, claimed, tolerance, result = _evaluate_rule(
                    frames, claim, rule, claim_year
                )
                label = _label(computed, target, rule)
                same = next(
                    (
                        r
                        for r in rows
                        if r.label == label
                        and r.computed.value == computed.value
                        and (r.target.value if r.target else None)
                        == (target.value if target else None)
                    ),
                    None,
                )
                if same is not None:
                    same.rule += "," + rule
                    continue
                rows.append(_Row(rule, label, computed, target, claimed, tolerance, result))
        kind = value_kind(claim.measure)
        if kind == "ratio":
            unit = "pct" if claim.measure.percent else "ratio"
        else:
            unit = unit_of[kind]
        verdict, detail = _verdict(rows, unit)
        test = describe_test(
            replace(
                claim,
                measure=_with_years(claim.measure, claim_year),
                than=None if claim.than is None else _with_years(claim.than, claim_year),
            )
        )
        upper = (
            None
            if claim.upper is None or (claim.unit in AMOUNT_UNITS and claim_year not in rates)
            else _claimed_in_unit(replace(claim, value=claim.upper), currency, rates, claim_year)
        )
        for row in rows:
            both = row.computed if row.target is None else row.computed.merged(row.target, None)
            records.append(
                {
                    "claim_index": claim.index,
                    "claim_id": claim.id,
                    "year": claim_year,
                    "statistics": row.label,
                    "basis_rule": row.rule,
                    "test": test,
                    "op": OP_CODES[claim.op],
                    "unit": unit,
                    "claimed_value": row.claimed,
                    "claimed_upper_value": upper,
                    "computed_value": row.computed.value,
                    "than_value": (
                        None
                        if row.target is None or row.target.value is None
                        else row.target.value * claim.factor
                    ),
                    "tolerance_value": row.tolerance,
                    "result": row.result,
                    "verdict": verdict,
                    "verdict_detail": detail,
                    "reporters": "; ".join(dict.fromkeys(both.reporters)) or None,
                    "coverage": "; ".join(dict.fromkeys(both.coverage)) or None,
                    "computed_derived": both.derived,
                    "computed_missing_reason": "; ".join(dict.fromkeys(both.missing)) or None,
                    "computed_source_lines": [n for _, n in both.lines],
                    "computed_source_years": [y for y, _ in both.lines],
                    "quote": claim.quote,
                    "source_title": claim.source.title,
                    "source_author": claim.source.author,
                    "source_date": claim.source.date,
                    "source_url": claim.source.url,
                    "note": claim.note,
                }
            )
    return pl.DataFrame(records, schema=CHECK_SCHEMA)


def all_hold(result: pl.DataFrame) -> bool:
    """True when every checkable claim holds (the exit status of ``check``).

    Takes ``evaluate``'s frame; a claim that fails or depends on basis makes it False.
    """
    return result.filter(pl.col("verdict").is_in([FAILS, DEPENDS])).height == 0


def verdicts(result: pl.DataFrame) -> pl.DataFrame:
    """One row per claim: claim_index, claim_id, test, verdict, verdict_detail.

    Takes ``evaluate``'s frame.
    """
    return (
        result.group_by("claim_index", maintain_order=True)
        .first()
        .select("claim_index", "claim_id", "test", "verdict", "verdict_detail")
    )
