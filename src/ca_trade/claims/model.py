"""The claims model: what a claim says, in the tool's own measures, and how to say it in words.

A claims file (TOML, format in docs/claims.md) becomes a ``ClaimSet`` of
``Claim`` objects (``ca_trade.claims.parse``); ``ca_trade.claims.checking`` tests them.
Constants, dataclasses and descriptions only: no I/O, no polars.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ca_trade.schema import WORLD  # a republic's own world totals (growth claims only)

Basis = Literal["partner", "republic"]

BUILTIN_NAME = "dragons_soft_power.toml"

FLOW_KINDS = ("turnover", "exports", "imports", "balance")
OPERAND_KINDS = (*FLOW_KINDS, "share")
GROWTH_KINDS = ("growth", "abs_growth")
GROWTH_OF = ("turnover", "exports", "imports")
# Measures over time and across sides (claims/measures_time.py; docs/claims.md):
TIME_KINDS = ("change", "avg_growth", "share_change", "extreme", "growth_rank", "mirror_ratio")
TIME_VALUES = {
    "change": "amount",
    "avg_growth": "growth",
    "share_change": "share",
    "extreme": "rank",
    "growth_rank": "rank",
    "mirror_ratio": "ratio",
}
KINDS = (*FLOW_KINDS, "share", "ratio", "difference", "rank", *GROWTH_KINDS, *TIME_KINDS)
SHARE_OF = ("trade", "imports", "exports")
OPS = (">", ">=", "<", "<=", "≈", "=", "between")
OP_CODES = {">": "gt", ">=": "ge", "<": "lt", "<=": "le", "≈": "approx", "=": "eq"}
OP_CODES |= {"between": "between"}
OP_ALIASES = {"~": "≈", "~=": "≈", "approx": "≈", "==": "=", "≥": ">=", "≤": "<="}
OP_ALIASES |= {"in": "between"}
AMOUNT_UNITS = {"USD bn": ("USD", 1000.0), "USD m": ("USD", 1.0)}
AMOUNT_UNITS |= {"EUR bn": ("EUR", 1000.0), "EUR m": ("EUR", 1.0)}
RULES: tuple[Basis, ...] = ("partner", "republic")

HOLDS, FAILS, DEPENDS, NOT_CHECKABLE = "holds", "fails", "depends on basis", "not checkable"
# A claim the data allow both ways (a bound in the data), and one that only mixed statistics
# (one side's figure against the other's) could decide.
NOT_DECIDABLE, MIXED = "not decidable", "mixed reporters"
VERDICTS = (HOLDS, FAILS, DEPENDS, MIXED, NOT_DECIDABLE, NOT_CHECKABLE)


class Why:
    """Why a value is missing, as typed kinds (the tally counts claims by these)."""

    YEAR = "year"  # a year the data do not hold
    PRODUCT = "product"  # goods the data do not break out
    UNLIKE = "unlike"  # two years' figures from different reporters or coverage
    PARTIAL = "partial"  # only part of the five
    MISSING = "missing"  # a figure nobody published
    BOUNDS = "bounds"  # computed from bounds that leave it open


# ------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Measure:
    """One of the tool's measures. Which fields matter depends on ``kind``.

    Flows (turnover, exports, imports, balance): ``partner``, ``area``, ``perspective``
    (``partner``: the partner's exports/imports/balance, as everywhere in ca-trade; ``republic``:
    the republic's). Share: ``partner``'s share of ``area``'s ``share_of`` (trade, imports,
    exports). Ratio and difference: ``left`` ÷ or − ``right``. Rank: ``partner`` among the
    partners for ``area`` (``among="partners"``) or ``area`` among the five for ``partner``
    (``among="republics"``), by ``by``. ``product`` names goods the data do not break out.
    Growth and abs_growth: the change in % of ``left`` (a turnover, exports or imports; partner
    WLD for a republic's own world totals) from ``from_year`` to ``to_year`` (None: the
    claim's year, and the year before it); abs_growth is its size, for "about flat".
    """

    kind: str
    partner: str | None = None
    area: str | None = None
    perspective: str = "partner"
    share_of: str | None = None
    among: str | None = None
    by: str = "turnover"
    product: str | None = None
    left: Measure | None = None
    right: Measure | None = None
    percent: bool = False  # ratio expressed in % rather than as a plain ratio
    from_year: int | None = None
    to_year: int | None = None
    order: str | None = None  # extreme: "highest" or "lowest"


@dataclass(frozen=True)
class Source:
    """Where a claim was published."""

    title: str
    author: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Tolerance:
    """For ``≈``: ``amount`` in the claim's unit (absolute) or percent of the target (relative)."""

    amount: float
    relative: bool
    text: str


@dataclass(frozen=True)
class Claim:
    """One testable claim: ``measure op value`` (in ``unit``) or ``measure op factor × than``.

    ``op="between"``: ``value`` < measure < ``upper`` (both bounds excluded).
    """

    id: str
    index: int
    quote: str
    source: Source
    measure: Measure
    op: str
    value: float | None = None
    unit: str | None = None
    than: Measure | None = None
    factor: float = 1.0
    tolerance: Tolerance | None = None
    year: int | None = None
    note: str | None = None
    upper: float | None = None


@dataclass(frozen=True)
class ClaimSet:
    """The claims of one file, and the file's name for messages."""

    path: str
    claims: tuple[Claim, ...]


def is_share(measure: Measure) -> bool:
    """True for a share, or a difference of shares."""
    return measure.kind == "share" or (
        measure.kind == "difference" and measure.left is not None and is_share(measure.left)
    )


def value_kind(measure: Measure) -> str:
    """What a measure's value is: ``amount``, ``share``, ``ratio``, ``rank`` or ``growth``."""
    if measure.kind in GROWTH_KINDS:
        return "growth"
    if measure.kind in TIME_VALUES:
        return TIME_VALUES[measure.kind]
    if measure.kind in FLOW_KINDS:
        return "amount"
    if measure.kind == "difference":
        return "share" if is_share(measure) else "amount"
    return measure.kind if measure.kind != "share" else "share"


def a_noun(noun: str) -> str:
    """'an amount', 'a share'."""
    return ("an " if noun[0] in "aeiou" else "a ") + noun


# ------------------------------------------------------------------------------- describing


_FLOW_WORDS = {"exports": "exports to", "imports": "imports from", "balance": "balance with"}


def describe(measure: Measure) -> str:
    """A measure in words, e.g. 'CHN–CA5 turnover', 'CHN share of UZB imports'."""
    product = f" ({measure.product})" if measure.product else ""
    if measure.kind == "turnover" and measure.partner == WORLD:
        return f"{measure.area}–world turnover{product}"
    if measure.kind == "turnover":
        return f"{measure.partner}–{measure.area} turnover{product}"
    if measure.kind in FLOW_KINDS and measure.partner == WORLD:
        return f"{measure.area} {_FLOW_WORDS[measure.kind]} the world{product}"
    if measure.kind in FLOW_KINDS:
        subject, other = measure.partner, measure.area
        if measure.perspective == "republic":
            subject, other = other, subject
        return f"{subject} {_FLOW_WORDS[measure.kind]} {other}{product}"
    if measure.kind == "share":
        return f"{measure.partner} share of {measure.area} {measure.share_of}{product}"
    if measure.kind in TIME_KINDS:
        from ca_trade.claims.measures_words import describe_time

        return describe_time(measure, describe)
    if measure.kind in GROWTH_KINDS:
        assert measure.left is not None
        start = measure.from_year or "year before"
        end = measure.to_year or "claim year"
        text = f"growth of {describe(measure.left)} {start}→{end}"
        return f"|{text}|" if measure.kind == "abs_growth" else text
    if measure.kind in ("ratio", "difference"):
        assert measure.left is not None and measure.right is not None
        sign = "÷" if measure.kind == "ratio" else "−"
        return f"({describe(measure.left)}) {sign} ({describe(measure.right)})"
    if measure.among == "partners":
        return f"rank of {measure.partner} among CHN/EU27/RUS for {measure.area} by {measure.by}"
    if measure.among == "countries":
        return (
            f"rank of {measure.partner} among the countries in the data for {measure.area} "
            f"by {measure.by}"
        )
    return f"rank of {measure.area} among the five for {measure.partner} by {measure.by}"


def describe_test(claim: Claim) -> str:
    """The claim's test in words, e.g. 'CHN–CA5 turnover ≈ 95 USD bn (±5%)'."""
    tolerance = f" ({claim.tolerance.text})" if claim.tolerance else ""
    if claim.than is not None:
        times = "" if claim.factor == 1 else f"{claim.factor:g} × "
        return f"{describe(claim.measure)} {claim.op} {times}{describe(claim.than)}{tolerance}"
    assert claim.value is not None
    if claim.measure.kind == "rank":
        return f"{describe(claim.measure)} {claim.op} {claim.value:g}"
    unit = "" if claim.unit in (None, "%", "x") else " " + str(claim.unit)
    symbol = {"%": "%", "x": "×"}.get(claim.unit or "", "")
    if claim.op == "between":
        assert claim.upper is not None
        return (
            f"{claim.value:g}{symbol}{unit} < {describe(claim.measure)} < "
            f"{claim.upper:g}{symbol}{unit}"
        )
    return f"{describe(claim.measure)} {claim.op} {claim.value:g}{symbol}{unit}{tolerance}"


def check_value(value: float | None, unit: str) -> str:
    """A check value in its unit: '$94.82bn', '18.82%', '1.622×', '#2'; '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit.endswith("_m"):
        symbol = "$" if unit.startswith("usd") else "€"
        sign = "−" if value < 0 else ""
        return f"{sign}{symbol}{abs(value) / 1000:,.2f}bn"
    if unit == "pct":
        return f"{value:.2f}%"
    if unit == "ratio":
        return f"{value:.3f}×"
    if unit == "rank":
        return f"#{value:.0f}"
    return f"{value:g}"
