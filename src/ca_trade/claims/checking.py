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
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from ca_trade.claims.model import (
    AMOUNT_UNITS,
    DEPENDS,
    FAILS,
    GROWTH_KINDS,
    HOLDS,
    MIXED,
    NOT_CHECKABLE,
    NOT_DECIDABLE,
    OP_CODES,
    RULES,
    TIME_KINDS,
    Claim,
    ClaimSet,
    Measure,
    Why,
    check_value,
    describe_test,
    value_kind,
)
from ca_trade.claims.values import Frames, Value, claim_years, measure_value
from ca_trade.schema import BasisRule

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
    "reporter_codes": pl.List(pl.String),
    "missing_kinds": pl.List(pl.String),
    "mixed": pl.Boolean,
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


def decide(
    op: str,
    computed: tuple[float, float],
    goal: tuple[float, float],
    tolerance: float | None,
    upper: float | None = None,
) -> str | None:
    """HOLDS or FAILS when ``computed op goal`` holds, or fails, for every value the two
    intervals allow; None when the data allow both. Exact values are ``compare_values``."""
    (c_lo, c_hi), (g_lo, g_hi) = computed, goal
    if c_lo == c_hi and g_lo == g_hi:
        return HOLDS if compare_values(op, c_lo, g_lo, tolerance, upper) else FAILS
    if op == "between":
        assert upper is not None
        if g_lo < c_lo and c_hi < upper:
            return HOLDS
        return FAILS if c_hi <= g_lo or c_lo >= upper else None
    checks = {
        ">": (c_lo > g_hi, c_hi <= g_lo),
        ">=": (c_lo >= g_hi, c_hi < g_lo),
        "<": (c_hi < g_lo, c_lo >= g_hi),
        "<=": (c_hi <= g_lo, c_lo > g_hi),
    }
    if op in checks:
        holds, fails = checks[op]
    else:
        slack = (tolerance or 0.0) + 1e-9 * max(1.0, abs(g_lo), abs(g_hi))
        if op == "=":
            slack = 0.0
        holds = op != "=" and c_hi - g_lo <= slack and g_hi - c_lo <= slack
        fails = c_lo - g_hi > slack or g_lo - c_hi > slack
    return HOLDS if holds else FAILS if fails else None


def _evaluate_rule(
    frames: Frames, claim: Claim, rule: BasisRule, year: int
) -> tuple[Value, Value | None, float | None, float | None, str]:
    computed = measure_value(frames, claim.measure, rule, year)
    target: Value | None = None
    goal_range: tuple[float, float] | None = None
    if claim.than is not None:
        target = measure_value(frames, claim.than, rule, year)
        goal = None if target.value is None else target.value * claim.factor
        if goal is not None:
            assert target.low is not None and target.high is not None
            ends = (target.low * claim.factor, target.high * claim.factor)
            goal_range = (min(ends), max(ends))
        claimed = None
    else:
        claimed = _claimed_in_unit(claim, frames.currency, frames.rates, year)
        goal = claimed
        goal_range = (claimed, claimed)
    tolerance = (
        None
        if goal is None
        else _tolerance_in_unit(claim, goal, frames.currency, frames.rates, year)
    )
    missing = computed.missing + (target.missing if target else [])
    if computed.undecidable or (target is not None and target.undecidable):
        return computed, target, claimed, tolerance, NOT_DECIDABLE
    if missing or computed.value is None or goal_range is None:
        return computed, target, claimed, tolerance, NOT_CHECKABLE
    upper = (
        None
        if claim.upper is None
        else _claimed_in_unit(
            replace(claim, value=claim.upper), frames.currency, frames.rates, year
        )
    )
    assert computed.low is not None and computed.high is not None
    result = decide(claim.op, (computed.low, computed.high), goal_range, tolerance, upper)
    if result is None:
        bounded = computed.bounded + (target.bounded if target else [])
        computed.missing.append(
            "not decidable from the data: "
            + ("; ".join(dict.fromkeys(bounded)) or "the data allow it both ways")
            + ", so the claim may hold or fail"
        )
        return computed, target, claimed, tolerance, NOT_DECIDABLE
    return computed, target, claimed, tolerance, result


def _label(computed: Value, target: Value | None, rule: str) -> str:
    """Whose statistics a row rests on: partner, republic, or mixed."""
    both = computed if target is None else computed.merged(target, None)
    if both.mixed:
        return "mixed"
    sides = both.sides
    if not sides:
        return rule
    return sides.pop() if len(sides) == 1 else "mixed"


def _verdict(rows: list[_Row], unit: str) -> tuple[str, str]:
    """One verdict from the rows of one claim, and the sentence that explains it.

    A verdict rests on like-for-like statistics: rows that mix reporters decide only when no
    other row does, and then the verdict is MIXED. Rows whose bounds allow both answers are
    NOT_DECIDABLE.
    """
    checked = [r for r in rows if r.result in (HOLDS, FAILS)]
    clean = [r for r in checked if r.label != "mixed" or r.computed.compares_sides]
    skipped = "".join(
        f"; {r.result} on {r.label}: {'; '.join(_missing(r))}"
        for r in rows
        if r.result in (NOT_CHECKABLE, NOT_DECIDABLE)
    )
    if not checked:
        undecided = [r for r in rows if r.result == NOT_DECIDABLE]
        reasons = dict.fromkeys(m for r in (undecided or rows) for m in _missing(r))
        partial = [
            f"{check_value(r.computed.value, unit)} on {r.label}"
            for r in rows
            if r.computed.partial and r.computed.value is not None
        ]
        shown = f"; on the part covered: {', '.join(partial)}" if partial else ""
        verdict = NOT_DECIDABLE if undecided else NOT_CHECKABLE
        return verdict, ("; ".join(reasons) or "no figure") + shown

    def on(result: str, among: list[_Row]) -> str:
        return " and ".join(dict.fromkeys(r.label for r in among if r.result == result))

    mixed_note = "".join(
        f"; {r.result} on mixed statistics (not like for like)"
        for r in checked
        if r.label == "mixed"
    )
    if not clean:
        readings = "; ".join(f"{r.result} on the {r.rule} rule's mixed figures" for r in checked)
        return MIXED, (
            f"{readings}: only one reporter's figure set against another's decides it, "
            "not like for like" + skipped
        )
    results = {r.result for r in clean}
    if results == {HOLDS}:
        return HOLDS, f"holds on {on(HOLDS, clean)}{mixed_note}{skipped}"
    if results == {FAILS}:
        return FAILS, f"fails on {on(FAILS, clean)}{mixed_note}{skipped}"
    return DEPENDS, f"holds on {on(HOLDS, clean)}; fails on {on(FAILS, clean)}{mixed_note}{skipped}"


def _years_needed(measure: Measure | None, year: int) -> set[int]:
    """The years a measure reads: its own growth years, else the claim's year."""
    if measure is None:
        return set()
    if measure.kind in GROWTH_KINDS:
        return set(claim_years(measure, year))
    if measure.kind in TIME_KINDS:
        from ca_trade.claims import measures_time

        return measures_time.years_needed(measure, year)
    if measure.kind in ("ratio", "difference"):
        return _years_needed(measure.left, year) | _years_needed(measure.right, year)
    return {year}


def _with_years(measure: Measure, year: int) -> Measure:
    """The measure with its growth years filled in (for describing the test)."""
    if measure.kind in (*GROWTH_KINDS, "change", "avg_growth", "share_change", "growth_rank"):
        start, end = claim_years(measure, year)
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
    claim's, on every row), reporters (in words), reporter_codes (every reporter whose figures
    went in, sorted), mixed (one reporter's figures set against another's), coverage,
    computed_derived, computed_missing_reason,
    computed_source_lines (data-file lines behind the computed and compared values),
    computed_source_years (the year of each of those lines, in the same order: a claim about
    change reads two years, each from its own file; ``compute.explain`` looks each line up in its
    year), quote and
    source_title/author/date/url, note.
    """
    frames = Frames(trade, currency, rates)
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
                    Value(None, missing=[reason], kinds={Why.YEAR}),
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
                codes = computed.codes | (target.codes if target else set())
                # One reporter's statistics give one answer: a rule that used the same
                # reporters as an earlier one is the same row.
                same = next(
                    (
                        r
                        for r in rows
                        if r.label == label
                        and r.computed.codes | (r.target.codes if r.target else set()) == codes
                        and r.result == result
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
                    "reporter_codes": sorted(both.codes),
                    "missing_kinds": sorted(both.kinds) if row.result == NOT_CHECKABLE else [],
                    "mixed": both.mixed,
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
