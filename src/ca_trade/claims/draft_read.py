"""The drafter's rules, one sentence at a time: figures and cue words to claims.

Each rule is a pattern with a fixed reading, listed in docs/claims.md ("Drafting claims").
Rules run in order and each takes the figures it reads, so a figure is read once: the
statement "only X has a surplus with P", surpluses and deficits, a figure in brackets after a
name ("the EU's ($60 billion)"), multiples ("more than double Russia's"), comparisons ("that
amount is more than Russia's total trade"), ranks ("second-largest partner"), shares ("18.9% of
Uzbekistan's trade"), growth ("rose by 12%"), the remaining amounts, and the words for change
without a figure ("steady growth", "a minor dip", "stagnation").
"""

from __future__ import annotations

import re

from ca_trade.claims import draft_numbers as num
from ca_trade.claims.draft_context import Context, Draft, Place, Skip, Table, flow, growth
from ca_trade.claims.draft_gazetteer import REGION, REPUBLICS, Mention, mentions
from ca_trade.claims.draft_rules import (
    FALLING,
    FLOW_CUE,
    NOT_TRADE,
    RANK,
    flow_kind,
    product_near,
    rank_value,
)
from ca_trade.claims.draft_sentences import strip_dates

_YEAR = re.compile(r"(?<![\d$€.,])((?:19|20)\d\d)(?![\d%.,]\d)")
_BASE_YEAR = re.compile(
    r"\b(?:compared (?:with|to)|against|versus|vs\.?|from|since|over|по сравнению с)\s+"
    r"(?:the same period of\s+|the end of\s+)?((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_LAST_YEAR = re.compile(r"\blast year\b|\bin the past year\b|в прошлом году", re.IGNORECASE)
_PAREN_AMOUNT = re.compile(r"\(\s*(?:about |around |approximately |nearly |over )?[$€U][^)]*\)")


class Sentence:
    """One sentence being read: its text, places, figures, and the spans already read."""

    def __init__(self, text: str, number: int, context: Context) -> None:
        self.text = text
        self.number = number
        self.context = context
        self.places = mentions(text)
        self.amounts = num.amounts(text)
        self.percents = num.percents(text)
        self.used: list[tuple[int, int]] = []
        self.drafts: list[Draft] = []
        self.skips: list[Skip] = []
        plain = strip_dates(text)
        years = sorted({int(y) for y in _YEAR.findall(plain)})
        self.years = years
        base = _BASE_YEAR.search(plain)
        self.base_year = int(base.group(1)) if base else None  # "compared with 2023"
        own = [y for y in years if y != self.base_year]
        self.year: int | None = own[-1] if own else None
        self.year_why: str | None = None
        if self.year is None and _LAST_YEAR.search(text) and context.article_year:
            self.year = context.article_year - 1
        elif self.year is None and _LAST_YEAR.search(text):
            self.year = context.default_year
            self.year_why = "'last year' read as the article's year of figures"

    # -- bookkeeping

    def take(self, start: int, end: int) -> None:
        """Mark a span as read."""
        self.used.append((start, end))

    def free(self, start: int, end: int) -> bool:
        """True when no rule has read this span yet."""
        return all(end <= a or start >= b for a, b in self.used)

    def draft(self, measure: Table, op: str, **fields: object) -> Draft:
        """A new draft on this sentence, with its year."""
        result = Draft(quote=self.text, measure=measure, op=op, sentence=self.number)
        for key, value in fields.items():
            setattr(result, key, value)
        if self.year is not None and self.year != self.context.default_year:
            result.year = self.year
        if self.year_why:
            result.review("year", self.year_why)
        self.drafts.append(result)
        return result

    def skip(self, reason: str) -> None:
        """Report the sentence as recognised but not expressible."""
        if all(s.reason != reason for s in self.skips):
            self.skips.append(Skip(self.text, reason, self.number))

    # -- places

    def place(self, want: str, at: int, *, prefer_before: bool = True) -> Place | None:
        """The partner or area nearest ``at``: before it in the sentence, then after it, then
        earlier in the paragraph, then (partner) the article's main partner."""

        def ok(mention: Mention) -> bool:
            return mention.is_partner if want == "partner" else mention.is_area

        before = [m for m in self.places if ok(m) and m.end <= at]
        after = [m for m in self.places if ok(m) and m.start >= at]
        if before and prefer_before:
            return Place(before[-1].code)
        if after:
            return Place(after[0].code)
        if before:
            return Place(before[-1].code)
        recent = self.context.recent(want)
        if recent is not None:
            return Place(recent.code, f"{want} from the context ({recent.text!r})")
        if want == "partner" and self.context.dominant_partner:
            code = self.context.dominant_partner
            return Place(code, f"partner: the article's main partner ({code})")
        earlier = self.context.recent(want, article=True)
        if earlier is not None:
            return Place(earlier.code, f"{want} from an earlier paragraph ({earlier.text!r})")
        return None

    def other_country(self, at: int) -> Mention | None:
        """A country none of ca-trade's named nearer ``at`` than any partner (before it)."""
        before = [m for m in self.places if m.end <= at and (m.is_partner or m.is_other)]
        if before and before[-1].is_other:
            return before[-1]
        if not any(m.is_partner for m in self.places):
            return next((m for m in self.places if m.is_other), None)
        return None

    def flow_measure(self, at: int, kind: str | None = None) -> tuple[Table, list[str]] | None:
        """The flow measure for a figure at ``at``: kind from the nearest cue word, partner
        and area from the nearest names; the reasons for what was guessed."""
        why: list[str] = []
        kind_found = kind or flow_kind(self.text, at)
        if kind_found is None:
            return None
        partner = self.place("partner", at)
        area = self.place("area", at)
        if partner is None or area is None:
            return None
        why += [p.guessed for p in (partner, area) if p.guessed]
        perspective = "partner"
        if kind_found in ("exports", "imports", "balance"):
            perspective = self._owner(at, kind_found, partner.code, area.code)
        table = flow(kind_found, partner.code, area.code, perspective)
        return table, why

    def _owner(self, at: int, kind: str, partner: str, area: str) -> str:
        """Whose exports/imports/balance: the name just before the cue word ("Kazakhstan's
        exports"), else the side after "from"/"to" read the other way, else the partner's."""
        cue = None
        for match in FLOW_CUE.finditer(self.text):
            if flow_kind(match.group(0), 0) == kind and (cue is None or match.start() < at):
                cue = match
        if cue is None:
            return "partner"
        if re.match(r"[а-яё]", cue.group(0), re.IGNORECASE):  # Russian: "экспорт Узбекистана в"
            after = [m for m in self.places if 0 <= m.start - cue.end() <= 12]
            if after:
                preposition = re.match(r"\s*(из|в|во|с|со)\s", self.text[cue.end() :])
                owner_is_area = after[0].is_area != bool(preposition)
                return "republic" if owner_is_area else "partner"
        owner = [m for m in self.places if m.end <= cue.start() and cue.start() - m.end <= 25]
        if owner and (owner[-1].is_area or owner[-1].is_partner):
            return "republic" if owner[-1].is_area else "partner"
        tail = self.text[cue.end() : cue.end() + 40]
        direction = re.match(r"\s*(?:\w+\s)?(to|into|from|with)\s", tail)
        if direction:
            other = [m for m in self.places if m.start >= cue.end()]
            if other:
                is_area = other[0].is_area
                if direction.group(1) == "from" and kind == "exports":
                    return "republic" if is_area else "partner"
                return "partner" if is_area else "republic"
        return "partner"

    def whose(self, at: int) -> str | None:
        """The area an "its", "the country's" or "the region's" at ``at`` refers to."""
        word = self.text[at : at + 20].lower()
        if word.startswith("the region"):
            return REGION
        before = [m for m in self.places if m.is_area and m.end <= at and m.code in REPUBLICS]
        if before:
            return before[-1].code
        recent = self.context.recent("area")
        return recent.code if recent else None


def tolerance_for(value_kind: str, qualifier: num.Qualifier | None) -> str | float:
    """≈'s tolerance: 5% for amounts, ratios and "about" anything; half a point for a bare
    percentage (a share or growth rounded to what the text gives)."""
    if value_kind in ("amount", "ratio") or qualifier is not None:
        return "5%"
    return 0.5


def op_for(qualifier: num.Qualifier | None) -> str:
    """The comparison a qualifier means; none: ≈."""
    return qualifier.op if qualifier else "≈"


def note_for(qualifier: num.Qualifier | None, what: str) -> str:
    """The note saying how the figure's wording was read."""
    if qualifier is None:
        return f"{what}: no qualifier, read as ≈"
    return f"{what}: {qualifier.word!r} read as {qualifier.op}"


def read_amounts(s: Sentence) -> None:
    """Every amount not read by an earlier rule: a flow, or a statement not expressible."""
    for amount in s.amounts:
        if not s.free(amount.start, amount.end):
            continue
        window = s.text[max(0, amount.start - 70) : amount.end + 25]
        not_trade = next((why for pattern, why in NOT_TRADE if pattern.search(window)), None)
        if not_trade:
            s.skip(f"not expressible: {not_trade} (the data hold merchandise trade)")
            continue
        before = s.text[max(0, amount.start - 30) : amount.start]
        change = _CHANGE_BY.search(before)
        group = _group_before(s, amount.start)
        other = s.other_country(amount.start)
        if other is not None:
            s.skip(f"not expressible: partner not in the data ({other.text})")
            continue
        found = s.flow_measure(amount.start)
        if found is None:
            s.skip(f"not read: {amount.text} names no trade flow, partner or area")
            continue
        measure, why = found
        qualifier = num.qualifier(before[: change.start()] if change else before)
        value = amount.value
        op = op_for(qualifier)
        if group:
            measure["area"] = group
            why = [w for w in why if not w.startswith("area")]
        if change:
            if measure["kind"] == "balance" or group:
                what = "a group of republics" if group else "a balance"
                s.skip(f"not expressible: a change in money of {what} ({amount.text})")
                continue
            end = s.year or s.context.default_year
            start = s.base_year or (end - 1 if end else None)
            measure = growth(measure, start, end, "change")
            if FALLING.search(change.group(0)):
                value = -value
                op = {">": "<", ">=": "<=", "<": ">", "<=": ">="}.get(op, op)
            if s.year is None:
                why.append("years: the year before the claims' year, to that year")
        if re.search(r"deficit|дефицит", window, re.IGNORECASE) and measure["kind"] == "balance":
            value = -value
            op = {">": "<", ">=": "<=", "<": ">", "<=": ">="}.get(op, op)
        product = product_near(s.text, amount.start)
        if product and measure["kind"] != "change":
            measure["product"] = product
        draft = s.draft(
            measure, op, value=value, unit=amount.unit, note=note_for(qualifier, amount.text)
        )
        if op == "≈":
            draft.tolerance = tolerance_for("amount", qualifier)
        for reason in why:
            draft.review("measure", reason)
        if flow_kind(s.text, amount.start, strict=True) is None:
            draft.review("measure", "kind: no flow word next to the figure, read as turnover")
        s.take(amount.start, amount.end)
        s.context.last_measure = measure


_CHANGE_BY = re.compile(
    r"(?:rose|grew|increased|fell|declined|dropped|decreased|went up|went down|up|down|jumped|"
    r"climbed|slipped|вырос\w*|увеличил\w*|снизил\w*|сократил\w*)\s+(?:by|на)\s+"
    r"(?:\w+\s+){0,2}$|(?:increase|decrease|rise|growth|decline|drop|fall|gain)\s+of\s+"
    r"(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def _group_before(s: Sentence, at: int) -> list[str] | None:
    """Two to four republics listed together before ``at`` ("Kazakhstan, Uzbekistan and
    Tajikistan together", "Kazakhstan and Kyrgyzstan"): a group the claims format has no area
    for. A list ends with "and" (a comma alone is not a list: "After Kazakhstan, Uzbekistan")."""
    republics = [m for m in s.places if m.end <= at and m.code in REPUBLICS]
    run: list[Mention] = []
    for mention in republics:
        gap = s.text[run[-1].end : mention.start] if run else ""
        if run and re.fullmatch(r"\s*(?:,|,?\s*and|,?\s*и)\s*", gap):
            run.append(mention)
            if re.search(r"and|и", gap) and len({m.code for m in run}) < len(REPUBLICS):
                return sorted({m.code for m in run})
        else:
            run = [mention]
    return None


def read_ranks(s: Sentence) -> None:
    """ "X is P's second-largest partner", "X holds second place", "X is the leader"."""
    for match in RANK.finditer(s.text):
        value = rank_value(match)
        if value is None:
            continue
        frame = [m for m in s.places if m.possessive and 0 <= match.start() - m.end <= 3]
        head = s.text[: match.start()]
        verb = list(
            re.finditer(
                r"\b(?:is|was|has been|remains|remained|holds|held|takes|"
                r"took|ranks|ranked|rounds out|became|becomes|overtook|overtaken|replaced|"
                r"surpassed)\b",
                head,
            )
        )
        self_verb = match.group("top") is not None  # "rounds out the top three"
        if not verb and not self_verb:
            continue
        until = match.start() if self_verb else verb[-1].start()
        subjects = [m for m in s.places if m.end <= until and not m.is_other]
        if not subjects:
            continue
        subject = subjects[-1]
        rest = [m for m in s.places if m.start >= match.end() and not m.is_other]
        partner: str | None
        area: str | None
        guessed: list[str] = []
        other: Mention | None = rest[0] if rest else None
        if frame and frame[-1] is not subject:
            other = frame[-1]
        if subject.is_area and subject.code in REPUBLICS:
            among = "republics"
            area = subject.code
            partner = other.code if other is not None and other.is_partner else None
            if partner is None:
                place = s.place("partner", match.start())
                partner = place.code if place else None
                if place and place.guessed:
                    guessed.append(place.guessed)
        elif subject.is_partner:
            among, partner = "partners", subject.code
            area = other.code if other is not None and other.is_area else None
            if area is None:
                recent = s.context.recent("area")
                area = recent.code if recent else REGION
                guessed.append(
                    f"area from the context ({recent.text!r})" if recent else "area: the five"
                )
        else:
            continue
        if partner is None:
            continue
        if among == "partners" and re.search(r"single", match.group(0), re.IGNORECASE):
            among = "countries"  # "largest single-country partner": the EU is not one
        measure = {"kind": "rank", "partner": partner, "area": area, "among": among}
        draft = s.draft(measure, "=", value=float(value), note=f"rank: {match.group(0)!r}")
        for reason in guessed:
            draft.review("measure", reason)
        if among == "partners":
            draft.review("measure", "rank among CHN, EU27 and RUS only")
        s.take(match.start(), match.end())
