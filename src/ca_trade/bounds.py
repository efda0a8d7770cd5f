"""Bounds as data: what a figure computed from lower or upper bounds can still say.

A data row's ``bound`` is null (exact), ``lower`` (the true value is above the figure:
"exceeded $44bn"), ``upper`` (below it: "under") or ``approx`` ("about"). A computed figure
carries a bound too, by interval arithmetic on its ingredients, coded here as a sign: +1 for
``lower``, -1 for ``upper``, 0 for exact or approximate.

- A sum's sign is its terms' signs (a sum of lower bounds is a lower bound); a difference, a
  ratio or a growth rate turns the sign of what it subtracts or divides by (exact - lower is an
  upper bound; lower / exact is a lower bound).
- Terms pulling both ways (lower + upper, lower / lower) leave nothing decidable:
  ``UNDECIDABLE``, and such a figure is shown as missing with that reason.
- ``approx`` does not move a value: the figure is used as stated, and marked approximate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from ca_trade.schema import Bound

UNDECIDABLE = "undecidable"
SIGNS = {Bound.LOWER.value: 1, Bound.UPPER.value: -1}
REASON = "not decidable: it is computed from bounds that leave it open either way"


def sign(bound: pl.Expr) -> pl.Expr:
    """+1 for a lower bound, -1 for an upper bound, 0 otherwise (Int8)."""
    return bound.replace_strict(SIGNS, default=0, return_dtype=pl.Int8).fill_null(0)


def is_approx(bound: pl.Expr) -> pl.Expr:
    """True where the bound is ``approx`` (never null)."""
    return (bound == Bound.APPROX.value).fill_null(False)


def combine(added: Sequence[pl.Expr], subtracted: Sequence[pl.Expr] = ()) -> pl.Expr:
    """The bound of a sum of ``added`` minus (or divided by) ``subtracted`` figures' bounds.

    Returns ``lower``, ``upper``, ``approx``, null (exact) or ``UNDECIDABLE``.
    """
    signs = [sign(b) for b in added] + [-sign(b) for b in subtracted]
    approx = pl.any_horizontal([is_approx(b) for b in (*added, *subtracted)])
    return label(pl.max_horizontal(signs), pl.min_horizontal(signs), approx)


def aggregate(bound: pl.Expr) -> pl.Expr:
    """The bound of the sum of a group's figures (for ``group_by().agg``)."""
    signs = sign(bound)
    return label(signs.max(), signs.min(), is_approx(bound).any())


def label(highest: pl.Expr, lowest: pl.Expr, approx: pl.Expr) -> pl.Expr:
    """A bound from the highest and lowest sign among a figure's terms."""
    return (
        pl.when((highest > 0) & (lowest < 0))
        .then(pl.lit(UNDECIDABLE))
        .when(highest > 0)
        .then(pl.lit(Bound.LOWER.value))
        .when(lowest < 0)
        .then(pl.lit(Bound.UPPER.value))
        .when(approx)
        .then(pl.lit(Bound.APPROX.value))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def interval(value: float, bound: str | None) -> tuple[float, float]:
    """The values a figure allows: exact and approximate figures allow themselves. A lower
    bound is strict ("exceeded $44bn" allows anything above 44bn, not 44bn itself), and an
    upper one too ("under"): the nearest float past the figure stands for the open end."""
    if bound == Bound.LOWER.value:
        return math.nextafter(value, math.inf), math.inf
    if bound == Bound.UPPER.value:
        return -math.inf, math.nextafter(value, -math.inf)
    return value, value


MARKS = {Bound.LOWER.value: "≥", Bound.UPPER.value: "≤", Bound.APPROX.value: "≈"}


def words(bound: str | None) -> str:
    """A bound in words for notes: 'at least', 'at most', 'about', or ''."""
    return {
        Bound.LOWER.value: "more than",
        Bound.UPPER.value: "less than",
        Bound.APPROX.value: "about",
    }.get(bound or "", "")
