"""Why claims could not be checked, counted in one place: the tally under ``check``.

Two sources: claims whose verdict is *not checkable* (``evaluate``'s rows), each given one
reason (``REASONS``); and, for ``check --article``, the statements the drafter recognised but
could not express (part-year, services, investment, partner not in the data...). The tally tells
a user which data would answer the rest.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ca_trade.claims.model import MIXED, NOT_CHECKABLE, NOT_DECIDABLE, Claim, ClaimSet, Measure, Why

if TYPE_CHECKING:
    import polars as pl

# The reasons a claim is not checkable, in the order they are tested.
PRODUCT = "no product data (merchandise totals only)"
YEAR = "year not in the data"
UNLIKE = "not like with like (the two years' figures from different reporters)"
PART = "covers only part of the five"
MISSING = "figure not published"
BOUNDS = "not decidable (the data give only bounds)"
ONLY_MIXED = "only mixed reporters' figures (not like for like)"


def _has_product(measure: Measure | None) -> bool:
    if measure is None:
        return False
    return measure.product is not None or _has_product(measure.left) or _has_product(measure.right)


_BY_KIND = (
    (Why.PRODUCT, PRODUCT),
    (Why.YEAR, YEAR),
    (Why.UNLIKE, UNLIKE),
    (Why.PARTIAL, PART),
    (Why.BOUNDS, BOUNDS),
)


def reason(claim: Claim, rows: list[dict[str, object]]) -> str:
    """The one reason a claim that could not be checked is counted under, from its verdict
    and its rows' typed ``missing_kinds``."""
    verdict = rows[0].get("verdict") if rows else None
    if verdict == NOT_DECIDABLE:
        return BOUNDS
    if verdict == MIXED:
        return ONLY_MIXED
    if _has_product(claim.measure) or _has_product(claim.than):
        return PRODUCT
    kinds: set[str] = set()
    for row in rows:
        found = row.get("missing_kinds")
        if isinstance(found, list):
            kinds.update(str(k) for k in found)
    return next((words for kind, words in _BY_KIND if kind in kinds), MISSING)


def not_checkable(result: pl.DataFrame, claim_set: ClaimSet) -> Counter[str]:
    """How many claims are not checkable, not decidable or only on mixed reporters' figures,
    by reason (``evaluate``'s frame and its claims)."""
    by_id = {c.id: c for c in claim_set.claims}
    rows: dict[str, list[dict[str, object]]] = {}
    unchecked = result["verdict"].is_in([NOT_CHECKABLE, NOT_DECIDABLE, MIXED])
    for row in result.filter(unchecked).to_dicts():
        rows.setdefault(str(row["claim_id"]), []).append(row)
    return Counter(reason(by_id[claim_id], found) for claim_id, found in rows.items())


def not_expressible(reasons: Iterable[str]) -> Counter[str]:
    """The drafter's skipped statements, by reason ("part-year figure", "investment"...)."""
    counts: Counter[str] = Counter()
    for text in reasons:
        head = text.removeprefix("not expressible: ").removeprefix("not read: ")
        kind = "not read" if text.startswith("not read") else head.split(" (")[0]
        kind = re.sub(r" \(.*$|: .*$", "", kind)
        if text.startswith("not expressible: partner not in the data"):
            kind = "partner not in the data"
        counts[kind] += 1
    return counts


def lines(checkable: Counter[str], skipped: Counter[str] | None = None) -> list[str]:
    """The tally as note lines; none when every claim was checkable and nothing skipped."""
    out = []
    if checkable:
        total = sum(checkable.values())
        parts = ", ".join(f"{n} {why}" for why, n in checkable.most_common())
        out.append(f"could not be checked, why: {parts} ({total} claim{'s' if total != 1 else ''})")
    if skipped:
        total = sum(skipped.values())
        parts = ", ".join(f"{n} {why}" for why, n in skipped.most_common())
        out.append(
            f"not expressible as claims, why: {parts} ({total} statement"
            f"{'s' if total != 1 else ''}, listed in the drafted file)"
        )
    return out
