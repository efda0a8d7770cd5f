"""The drafter's rules for the measures over time and across sides (docs/claims.md):

- "8% a year since 2015": ``avg_growth`` from 2015 to the claims' year;
- "China's share rose from 17% to 21%": ``share_change`` of 4 points (and the share, 21%);
- "an all-time high", "a record", "the highest since 2015": ``extreme`` = 1;
- "the fastest growth was with Tajikistan": ``growth_rank`` = 1;
- "the Kyrgyz and Chinese figures differ almost fourfold": ``mirror_ratio`` ≈ 4.
"""

from __future__ import annotations

import re

from ca_trade.claims import draft_numbers as num
from ca_trade.claims.draft_context import Table, growth
from ca_trade.claims.draft_gazetteer import REPUBLICS
from ca_trade.claims.draft_read import Sentence, note_for, op_for, tolerance_for
from ca_trade.claims.draft_rules import EXTREME, FLOW_CUE

_SINCE = re.compile(r"\b(?:since|from|after|с)\s+((?:19|20)\d\d)\b")


def _years(s: Sentence) -> tuple[int | None, int | None, bool]:
    """(from, to, guessed) for a change: "since 2015" or two years in the sentence, else the
    year before the claims' year to that year."""
    end = s.year or s.context.default_year
    if s.base_year is not None:
        return s.base_year, end, False
    if len(s.years) >= 2:
        return s.years[0], s.years[-1], False
    if s.year is not None:
        return s.year - 1, s.year, False
    return (end - 1 if end else None), end, True


def average_growth(s: Sentence, pct: num.Percent) -> None:
    """ "has grown 8% a year since 2015": the average annual growth of the sentence's flow."""
    s.take(pct.start, pct.end)
    found = s.flow_measure(pct.start)
    start, end, guessed = _years(s)
    if found is None or start is None or end is None or start >= end:
        s.skip("not read: average annual growth with no flow or no years")
        return
    measure, why = found
    if measure["kind"] == "balance":
        s.skip("not expressible: average growth of a balance")
        return
    before = s.text[max(0, pct.start - 40) : pct.start]
    sign = -1.0 if re.search(r"fell|declin|drop|shr[ai]nk|decreas", before, re.I) else 1.0
    qualifier = num.qualifier(before)
    draft = s.draft(growth(measure, start, end, "avg_growth"), op_for(qualifier))
    draft.value, draft.unit = sign * pct.value, "%"
    draft.note = note_for(qualifier, f"{pct.text} a year") + ", compound"
    if draft.op == "≈":
        draft.tolerance = tolerance_for("growth", qualifier)
    for reason in why:
        draft.review("measure", reason)
    if guessed:
        draft.review("measure", "years: the sentence names none")


def share_change(s: Sentence, share: Table, points: float) -> None:
    """ "rose from 17% to 21%": the share's change in percentage points."""
    start, end, guessed = _years(s)
    of = {k: v for k, v in share.items() if k != "product"}
    measure: Table = {"kind": "share_change", "of": of}
    if start is not None and end is not None:
        measure["from_year"], measure["to_year"] = start, end
    draft = s.draft(measure, "≈", value=round(points, 6), unit="%", tolerance=0.5)
    draft.note = f"a change of {points:g} points (from the two shares the sentence gives)"
    if guessed:
        draft.review("measure", "years: the sentence names none (the year before, to the year)")


def extremes(s: Sentence) -> None:
    """ "hit an all-time high in 2024", "a record", "the lowest since 2015"."""
    match = EXTREME.search(s.text)
    if match is None or not s.free(match.start(), match.end()) or not FLOW_CUE.search(s.text):
        return
    found = s.flow_measure(match.start())
    if found is None:
        s.skip(f"not read: an extreme ({match.group(0)!r}) with no flow")
        return
    measure, why = found
    if "product" in measure or isinstance(measure.get("area"), list):
        s.skip(f"not expressible: an extreme ({match.group(0)!r}) of this figure")
        return
    order = "lowest" if re.search(r"low", match.group(0), re.IGNORECASE) else "highest"
    table: Table = {"kind": "extreme", "of": measure, "order": order}
    since = _SINCE.search(s.text)
    if since:
        table["from_year"] = int(since.group(1))
    draft = s.draft(table, "=", value=1.0)
    draft.note = f"{match.group(0)!r}: the {order} of the years in the data"
    for reason in why:
        draft.review("measure", reason)
    s.take(match.start(), match.end())


_GROWTH_RANK = re.compile(
    r"\b(?:(?P<ord>second|third|fourth|fifth)[- ])?(?:fastest|strongest|highest|biggest|"
    r"largest) (?:growth|increase|rise)\b",
    re.IGNORECASE,
)
_ORD = {"second": 2, "third": 3, "fourth": 4, "fifth": 5}


def growth_ranks(s: Sentence) -> None:
    """ "the fastest growth was with Tajikistan": its rank among the five by growth = 1."""
    for match in _GROWTH_RANK.finditer(s.text):
        if any(p.start >= match.end() and p.start - match.end() < 20 for p in s.percents):
            continue  # "the biggest increase, 12%": a growth figure, read by its own rule
        republics = [m for m in s.places if m.code in REPUBLICS]
        if len({m.code for m in republics}) != 1:
            continue
        partner = s.place("partner", match.start())
        if partner is None:
            continue
        value = _ORD.get((match.group("ord") or "").lower(), 1)
        measure: Table = {"kind": "growth_rank", "partner": partner.code}
        measure["area"] = republics[0].code
        start, end, guessed = _years(s)
        if start is not None and end is not None:
            measure["from_year"], measure["to_year"] = start, end
        draft = s.draft(measure, "=", value=float(value), note=f"{match.group(0)!r}")
        if partner.guessed:
            draft.review("measure", partner.guessed)
        if guessed:
            draft.review("measure", "years: the sentence names none")
        s.take(match.start(), match.end())


def mirror(s: Sentence, match: re.Match[str]) -> None:
    """ "the Kyrgyz and Chinese figures differ almost fourfold": the larger of the two sides'
    figures over the smaller."""
    s.take(match.start(), match.end())
    partners = [m for m in s.places if m.is_partner]
    areas = [m for m in s.places if m.is_area and m.code in REPUBLICS]
    if not partners or not areas:
        s.skip("not read: a mirror ratio without both sides named")
        return
    kind = "turnover"
    cue = FLOW_CUE.search(s.text)
    if cue and cue.group("exports"):
        kind = "exports"
    elif cue and cue.group("imports"):
        kind = "imports"
    qualifier = num.qualifier((match.group("qual") or "").strip())
    measure: Table = {"kind": "mirror_ratio", "partner": partners[0].code}
    measure["area"] = areas[0].code
    if kind != "turnover":
        measure["by"] = kind
    ratio = num.multiple(match)
    draft = s.draft(measure, op_for(qualifier), value=round(ratio, 4), unit="x")
    draft.note = f"{match.group(0).strip()!r}: the larger side's figure ÷ the smaller's"
    if draft.op == "≈":
        draft.tolerance = tolerance_for("ratio", qualifier)
    if kind != "turnover" or cue is None:
        draft.review("measure", "the flow compared")
