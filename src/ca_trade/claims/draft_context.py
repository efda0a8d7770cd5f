"""What the drafter knows while reading: drafts, skipped statements, and the running context.

A ``Draft`` is one claim as it will be written (TOML-ready measure tables), with the reasons
for every field that was guessed (each becomes a ``# review:`` comment). A ``Skip`` is a
statement recognised but not expressible, with the reason. ``Context`` remembers the places
named so far (in the paragraph, and in the whole article) and the last measure, so that
"that amount", "its imports" or a sentence naming no country can be read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ca_trade.claims.draft_gazetteer import PARTNERS, REGION, REPUBLICS, Mention

Table = dict[str, Any]


@dataclass
class Draft:
    """One drafted claim. ``reviews`` maps a field name to why it was guessed."""

    quote: str
    measure: Table
    op: str
    value: float | list[float] | None = None
    unit: str | None = None
    tolerance: str | float | None = None
    than: Table | None = None
    year: int | None = None
    note: str | None = None
    reviews: dict[str, list[str]] = field(default_factory=dict)
    sentence: int = 0

    def review(self, key: str, why: str) -> Draft:
        """Mark ``key`` as guessed, saying why; returns self."""
        reasons = self.reviews.setdefault(key, [])
        if why not in reasons:
            reasons.append(why)
        return self


@dataclass(frozen=True)
class Skip:
    """A statement recognised but not expressible (or not read), and why."""

    quote: str
    reason: str
    sentence: int = 0


@dataclass
class Place:
    """A partner or area chosen for a claim, and, when it was not in the sentence, why."""

    code: str
    guessed: str | None = None


@dataclass
class Context:
    """The running context of one article."""

    default_year: int | None
    article_year: int | None
    dominant_partner: str | None
    paragraph: list[Mention] = field(default_factory=list)
    earlier: list[Mention] = field(default_factory=list)  # the paragraphs before this one
    last_measure: Table | None = None
    last_place_text: dict[str, str] = field(default_factory=dict)

    def new_paragraph(self) -> None:
        """Forget the paragraph's measure; its places become the earlier paragraphs'."""
        self.earlier.extend(self.paragraph)
        self.paragraph = []
        self.last_measure = None

    def remember(self, mentions: list[Mention]) -> None:
        """Add a sentence's places to the paragraph's."""
        self.paragraph.extend(m for m in mentions if not m.is_other)

    def recent(self, want: str, *, article: bool = False) -> Mention | None:
        """The latest partner (``want="partner"``) or area named earlier in the paragraph
        (``article``: in the paragraphs before it)."""
        for mention in reversed(self.earlier if article else self.paragraph):
            if (want == "partner" and mention.is_partner) or (want == "area" and mention.is_area):
                return mention
        return None


def dominant_partner(all_mentions: list[Mention]) -> str | None:
    """The partner the article names most (China, the EU or Russia), if any."""
    counts = Counter(m.code for m in all_mentions if m.code in PARTNERS)
    if not counts:
        return None
    (first, n), *rest = counts.most_common(2)
    return first if not rest or rest[0][1] < n else None


def is_area(code: str) -> bool:
    """One of the five, or the five together."""
    return code in REPUBLICS or code == REGION


def flow(kind: str, partner: str, area: str, perspective: str = "partner") -> Table:
    """A flow measure table."""
    table: Table = {"kind": kind, "partner": partner, "area": area}
    if perspective != "partner":
        table["perspective"] = perspective
    return table


def growth(of: Table, start: int | None, end: int | None, kind: str = "growth") -> Table:
    """A growth measure table of a flow, between two years."""
    table: Table = {"kind": kind, "of": {k: v for k, v in of.items() if k != "product"}}
    if start is not None and end is not None:
        table["from_year"], table["to_year"] = start, end
    return table
