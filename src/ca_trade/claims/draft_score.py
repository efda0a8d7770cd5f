"""How well the drafter reads an article: recall and precision against a hand-written file.

A hand-written claim is **found** when a drafted claim has the same measure (kind, partner,
area, years, ...) and the same value (or the same other measure and factor); a drafted claim
is **correct** when it finds a hand-written one. Recall = found ÷ hand-written; precision =
correct ÷ drafted. The comparison (op) and the tolerance are not scored: they follow the
wording rules and the reviewer sets them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ca_trade.claims.model import AMOUNT_UNITS, Claim, ClaimSet, describe_test


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-6)


def _in_millions(claim: Claim, value: float | None) -> tuple[str, float | None]:
    """An amount as (currency, millions); any other value as (unit, value)."""
    if value is None or claim.unit not in AMOUNT_UNITS:
        return str(claim.unit), value
    currency, factor = AMOUNT_UNITS[claim.unit]
    return currency, value * factor


def same(drafted: Claim, written: Claim) -> bool:
    """The same measure and value (or other measure and factor); amounts compared in
    millions of their currency ($0.5bn is 500 USD m)."""
    mine = (_in_millions(drafted, drafted.value), _in_millions(drafted, drafted.upper))
    theirs = (_in_millions(written, written.value), _in_millions(written, written.upper))
    return (
        drafted.measure == written.measure
        and all(a[0] == b[0] or a[1] is None for a, b in zip(mine, theirs, strict=True))
        and _same_number(mine[0][1], theirs[0][1])
        and _same_number(mine[1][1], theirs[1][1])
        and drafted.than == written.than
        and _same_number(drafted.factor, written.factor)
    )


@dataclass(frozen=True)
class Score:
    """Recall and precision, with the claims behind them."""

    recall: float
    precision: float
    missed: tuple[Claim, ...]  # hand-written claims no drafted claim finds
    wrong: tuple[Claim, ...]  # drafted claims that find no hand-written claim
    written: int
    drafted: int

    def lines(self) -> list[str]:
        """The score in words, one line each: the numbers, then the misses and the wrong."""
        found = self.written - len(self.missed)
        correct = self.drafted - len(self.wrong)
        out = [
            f"recall {self.recall:.1%} ({found} of {self.written} hand-written claims drafted)",
            f"precision {self.precision:.1%} ({correct} of {self.drafted} drafted claims correct)",
        ]
        out += [f"missed {c.id}: {describe_test(c)}" for c in self.missed]
        out += [f"wrong {c.id}: {describe_test(c)}" for c in self.wrong]
        return out


def score(drafted: ClaimSet, written: ClaimSet) -> Score:
    """Score ``drafted`` against the hand-written ``written``."""
    missed = tuple(w for w in written.claims if not any(same(d, w) for d in drafted.claims))
    wrong = tuple(d for d in drafted.claims if not any(same(d, w) for w in written.claims))
    n_written, n_drafted = len(written.claims), len(drafted.claims)
    return Score(
        recall=(n_written - len(missed)) / n_written if n_written else 1.0,
        precision=(n_drafted - len(wrong)) / n_drafted if n_drafted else 1.0,
        missed=missed,
        wrong=wrong,
        written=n_written,
        drafted=n_drafted,
    )
