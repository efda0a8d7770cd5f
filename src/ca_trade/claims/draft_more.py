"""More of the drafter's rules: balances, bracketed figures, multiples, comparisons, shares,
growth. Each function reads one kind of statement from a ``Sentence`` (see ``draft_read``)."""

from __future__ import annotations

import re

from ca_trade.claims import draft_numbers as num
from ca_trade.claims.draft_context import Table, flow, growth
from ca_trade.claims.draft_gazetteer import REGION, REPUBLICS
from ca_trade.claims.draft_read import Sentence, note_for, op_for, tolerance_for
from ca_trade.claims.draft_rules import (
    ANNUAL,
    FALLING,
    GROWTH_AFTER,
    GROWTH_PCT,
    MINOR_DIP,
    STAGNATION,
    STEADY_GROWTH,
    product_near,
)

_NAME = r"(?P<name>[A-Z][\w.\- ]{1,40}?)"
_ONLY = re.compile(
    r"\bonly (?:country|republic|one|state|nation)\b[^.]{0,30}?\b(?:positive (?:trade )?balance|"
    r"(?:trade )?surplus)\s+with\s+" + _NAME + r"\s+(?:is|was)\s+(?P<who>[A-Z][\w]+)"
)
_SURPLUS = re.compile(
    r"\b(?:enjoys|enjoyed|runs|ran|has|had|posts|posted|records|recorded|maintains|maintained|"
    r"keeps|kept)\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:trade\s+)?(?P<sign>surplus|deficit)"
    r"\s+(?:with|in trade with)\s+",
)
_OF_TURNOVER = re.compile(
    r"\baccounting for\s+(?P<qual>about |around |approximately |nearly |almost |over )?"
    r"(?P<pct>\d+(?:\.\d+)?)\s?%\s+of\s+(?:the\s+)?(?:total\s+)?(?:trade|turnover)"
)


def only_surplus(s: Sentence) -> None:
    """ "The only country with a surplus with China is Turkmenistan": its balance (as it
    reports it) > 0, and each of the other four's <= 0."""
    match = _ONLY.search(s.text)
    if not match:
        return
    partner = next((m for m in s.places if m.start >= match.start("name") and m.is_partner), None)
    who = next((m for m in s.places if m.start >= match.start("who") and m.is_area), None)
    if partner is None or who is None or who.code not in REPUBLICS:
        return
    note = "the only one with a surplus: its balance > 0, each of the others' <= 0"
    for code in REPUBLICS:
        measure = flow("balance", partner.code, code, "republic")
        op = ">" if code == who.code else "<="
        s.draft(measure, op, value=0.0, unit="USD bn", note=note)
    s.take(match.start(), match.end())


def surplus(s: Sentence) -> None:
    """ "China enjoys a trade surplus with the region": the balance's sign; and "accounting
    for about 70% of the total trade" after it, in its two readings (surplus ÷ turnover, and
    the surplus side's exports ÷ turnover)."""
    match = _SURPLUS.search(s.text)
    if not match:
        return
    owner = [m for m in s.places if m.end <= match.start() and not m.is_other]
    other = [m for m in s.places if m.start >= match.end() and not m.is_other]
    if not owner:
        return
    who = owner[-1]
    against = other[0].code if other else None
    why = None
    if against is None:
        place = s.place("area" if who.is_partner else "partner", match.end())
        if place is None:
            return
        against, why = place.code, place.guessed
    if who.is_partner and against in (*REPUBLICS, REGION):
        measure = flow("balance", who.code, against)
    elif who.is_area and not (against in REPUBLICS or against == REGION):
        measure = flow("balance", against, who.code, "republic")
    else:
        return
    positive = match.group("sign") == "surplus"
    if any(a.start >= match.end() and a.start - match.end() < 40 for a in s.amounts):
        return  # "a surplus of $5bn": the amount rule reads it
    draft = s.draft(measure, ">" if positive else "<", value=0.0, unit="USD bn")
    draft.note = f"a {match.group('sign')}: the balance {'>' if positive else '<'} 0"
    if why:
        draft.review("measure", why)
    s.take(match.start(), match.end())
    ratio = _OF_TURNOVER.search(s.text, match.end())
    if ratio is None or not positive:
        return
    qualifier = num.qualifier(ratio.group("qual") or "")
    value = float(ratio.group("pct"))
    turnover = dict(measure, kind="turnover")
    turnover.pop("perspective", None)
    exports = dict(turnover, kind="exports")
    if measure.get("perspective") == "republic":
        exports["perspective"] = "republic"
    for reading, of in (("the surplus is", measure), ("the exports are", exports)):
        draft = s.draft(
            {"kind": "ratio", "of": of, "to": turnover},
            op_for(qualifier),
            value=value,
            unit="%",
            note=f"reading: {reading} {value:g}% of turnover",
        )
        if draft.op == "≈":
            draft.tolerance = tolerance_for("ratio", qualifier)
        draft.review("measure", "two readings of the sentence: keep the one meant")
    for p in s.percents:
        if ratio.start() <= p.start < ratio.end():
            s.take(p.start, p.end)


def _main_measure(s: Sentence) -> Table | None:
    """The sentence's first flow drafted, or the one before it in the paragraph."""
    for draft in s.drafts:
        if draft.measure["kind"] in ("turnover", "exports", "imports", "balance"):
            return draft.measure
    return s.context.last_measure


def _swap(measure: Table, code: str) -> Table:
    """The same measure for another partner or area."""
    key = "area" if code in REPUBLICS or code == REGION else "partner"
    return {k: v for k, v in dict(measure, **{key: code}).items() if k != "product"}


def bracketed(s: Sentence) -> None:
    """ "the EU's ($60 billion)": that name's figure of the sentence's measure."""
    for amount in s.amounts:
        if not s.free(amount.start, amount.end):
            continue
        head = s.text[max(0, amount.start - 30) : amount.start]
        if not re.search(r"['’]s?\s*\(\s*(?:about |around |nearly |over )?$", head):
            continue
        name = [m for m in s.places if m.end <= amount.start and amount.start - m.end <= 20]
        main = _main_measure(s)
        if not name or main is None or name[-1].is_other:
            continue
        qualifier = num.qualifier(head.rstrip("( "))
        measure = _swap(main, name[-1].code)
        draft = s.draft(
            measure, op_for(qualifier), value=amount.value, unit=amount.unit,
            note=note_for(qualifier, amount.text) + f"; {name[-1].text} figure in brackets",
        )  # fmt: skip
        if draft.op == "≈":
            draft.tolerance = tolerance_for("amount", qualifier)
        s.take(amount.start, amount.end)


def multiples(s: Sentence) -> None:
    """ "over a third larger than the EU's", "more than double Russia's": a ratio of the
    sentence's measure to that name's same measure."""
    for match in num.MULTIPLE.finditer(s.text):
        if re.search(r"\bdiffer", s.text[max(0, match.start() - 30) : match.start()]):
            from ca_trade.claims.draft_time import mirror

            mirror(s, match)
            continue
        after = [m for m in s.places if m.start >= match.end() and m.start - match.end() <= 6]
        main = _main_measure(s)
        if not after or main is None or after[0].is_other:
            continue
        ratio = num.multiple(match)
        qualifier = num.qualifier((match.group("qual") or "").strip())
        measure = {"kind": "ratio", "of": main, "to": _swap(main, after[0].code)}
        draft = s.draft(measure, op_for(qualifier), value=round(ratio, 4), unit="x")
        draft.note = f"{match.group(0).strip()!r}: the ratio {op_for(qualifier)} {ratio:.4g}"
        if draft.op == "≈":
            draft.tolerance = tolerance_for("ratio", qualifier)
        s.take(match.start(), match.end())


_COMPARE = re.compile(
    r"\b(?:that amount|that figure|this figure|this|that|it)\s+(?:is|was)\s+"
    r"(?:(?P<size>slightly|just|a little|far|much|considerably|significantly)\s+)?"
    r"(?P<dir>more|greater|larger|higher|less|smaller|lower)\s+than\s+",
)
_DIFFERENCE = re.compile(
    r"\b(?:that amount|that figure|this figure|this|that|it)\s+(?:is|was)\s+"
    r"(?P<amount>.{3,45}?)\s+(?P<dir>more|less|lower|higher)\s+than\s+"
)


def comparisons(s: Sentence) -> None:
    """ "that amount is slightly more than Russia's total trade with all five": the previous
    measure > Russia's; "this is tens of billions of dollars less than Kazakhstan's figure":
    Kazakhstan's − this ≥ $20bn."""
    main = s.context.last_measure or _main_measure(s)
    if main is None:
        return
    for match in _DIFFERENCE.finditer(s.text):
        vague = num.VAGUE_AMOUNT.fullmatch(match.group("amount").strip())
        amounts = num.amounts(match.group("amount"))
        names = [m for m in s.places if m.start >= match.end() and m.start - match.end() <= 6]
        if not names or names[0].is_other or not (vague or amounts):
            continue
        other = _swap(main, names[0].code)
        bigger = match.group("dir") in ("more", "higher")
        measure = {"kind": "difference", "of": main if bigger else other}
        measure["minus"] = other if bigger else main
        if vague:
            value, unit, op = num.VAGUE_VALUES[vague.group("what")], "USD bn", ">="
            note = f"{vague.group('what')}: at least {value:g} USD bn"
        else:
            value, unit = amounts[0].value, amounts[0].unit
            qualifier = num.qualifier(match.group("amount")[: amounts[0].start])
            op, note = op_for(qualifier), note_for(qualifier, amounts[0].text)
        draft = s.draft(measure, op, value=value, unit=unit, note=note)
        if op == "≈":
            draft.tolerance = "5%"
        s.take(match.start(), match.end())
        for a in s.amounts:
            if match.start() <= a.start < match.end():
                s.take(a.start, a.end)
        return
    for match in _COMPARE.finditer(s.text):
        if not s.free(match.start(), match.end()):
            continue
        names = [m for m in s.places if m.start >= match.end() and m.start - match.end() <= 6]
        if not names or names[0].is_other:
            continue
        tail = s.text[names[0].end : names[0].end + 80]
        area_after = [m for m in s.places if m.start > names[0].end and m.is_area]
        than = _swap(main, names[0].code)
        if names[0].is_partner and area_after and area_after[0].start - names[0].end < 80:
            than = _swap(than, area_after[0].code)
        kind = re.match(r"\s*(?:total\s+)?(trade|turnover|exports|imports)", tail)
        if kind:
            than["kind"] = "turnover" if kind.group(1) in ("trade", "turnover") else kind.group(1)
        op = ">" if match.group("dir") in ("more", "greater", "larger", "higher") else "<"
        draft = s.draft(main, op, than=than, note=f"{match.group(0).strip()!r} read as {op}")
        if match.group("size") in ("slightly", "just", "a little"):
            draft.review("op", f"'{match.group('size')}' is not tested: only the direction")
        s.take(match.start(), match.end())


_SHARE_OF = re.compile(
    r"(?P<pct>\d+(?:[.,]\d+)?)\s?(?:%|per\s?cent|percent)\s+of\s+(?P<whose>(?:the country's|"
    r"the region's|its|their|[A-Z][\w ]{1,30}?['’]s?)\s+)(?P<mid>(?:[\w\"“”'-]+\s+){0,4}?)"
    r"(?P<of>trade|turnover|imports|exports|foreign trade)\b"
)
_SHARE_WORD = re.compile(
    r"(?P<partner>\b[A-Z][\w]+)['’]s share (?:of|in) (?P<whose>the region['’]s|its|"
    r"[A-Z][\w ]{1,30}?['’]s?)?\s*(?P<mid>(?:[\w\"“”'-]+\s+){0,4}?)"
    r"(?P<of>trade|turnover|imports|exports)\b"
)


_SHARE_RU = re.compile(
    r"\b[Дд]ол[яиюе]\s+(?P<partner>[А-ЯЁ]\w+)\s+(?:в|во)\s+(?:\w+\s+){0,2}?"
    r"(?P<of>товарооборот\w*|оборот\w*|торговл\w*|экспорт\w*|импорт\w*)\s+(?P<whose>[А-ЯЁ]\w+)"
)
_RU_OF = {"това": "trade", "обор": "trade", "торг": "trade", "эксп": "exports", "импо": "imports"}


def shares(s: Sentence) -> None:
    """ "18.9% of Uzbekistan's total trade", "China's share of the region's trade was 40%":
    the partner's share of the area's trade, imports or exports."""
    found: list[tuple[int, int, str, str, float, int, str]] = []
    changes: dict[int, float] = {}  # a share's change in points, by where its phrase starts
    for match in _SHARE_OF.finditer(s.text):
        pct = num.number(match.group("pct"))
        whose, of = match.group("whose"), match.group("of")
        found.append((match.start(), match.end(), whose, of, pct, match.start("pct"), ""))
    for match in _SHARE_WORD.finditer(s.text):
        after = [p for p in s.percents if p.start >= match.end() and p.start - match.end() < 60]
        if len(after) >= 2 and re.search(
            r"\bfrom\s+$", s.text[max(0, after[0].start - 8) : after[0].start]
        ):  # "rose from 17% to 21%": the share now is the second, and its change in points
            changes[match.start()] = after[1].value - after[0].value
            s.take(after[0].start, after[0].end)
            after = after[1:]
        if after:
            whose, of, name = match.group("whose") or "", match.group("of"), match["partner"]
            found.append((match.start(), after[0].end, whose, of, after[0].value, after[0].start,
                          name))  # fmt: skip
    for match in _SHARE_RU.finditer(s.text):
        after = [p for p in s.percents if p.start >= match.end() and p.start - match.end() < 40]
        if after:
            of = _RU_OF[match.group("of")[:4].lower()]
            found.append((match.start(), after[0].end, match.group("whose"), of, after[0].value,
                          after[0].start, match.group("partner")))  # fmt: skip
    for start, end, whose, of, value, pct_at, partner_name in found:
        subject_at = start
        if not s.free(pct_at, pct_at + 1):
            continue
        names = [m for m in s.places if m.start >= start + (0 if partner_name else 1)]
        whose_at = s.text.find(whose, start) if whose else -1
        area: str | None
        if whose.lower().startswith(("its", "the country", "their")) or not whose:
            area = s.whose(whose_at if whose_at >= 0 else start)
        elif whose.lower().startswith("the region"):
            area = REGION
        else:
            named = [m for m in names if m.start >= whose_at and m.is_area]
            area = named[0].code if named else None
            if area is None and any(m.is_other for m in names if m.start >= whose_at):
                s.skip("not expressible: area not in the data")
                continue
        partner_place = s.place("partner", subject_at)
        if area is None or partner_place is None:
            continue
        share_of = {"trade": "trade", "turnover": "trade", "foreign trade": "trade"}.get(of, of)
        measure: Table = {"kind": "share", "partner": partner_place.code, "area": area}
        measure["of"] = share_of
        product = _product_in(s.text[start:end])
        if product:
            measure["product"] = product
        qualifier = num.qualifier(s.text[max(0, pct_at - 40) : pct_at])
        draft = s.draft(measure, op_for(qualifier), value=value, unit="%")
        draft.note = note_for(qualifier, f"{value:g}%")
        if draft.op == "≈":
            draft.tolerance = tolerance_for("share", qualifier)
        if partner_place.guessed:
            draft.review("measure", partner_place.guessed)
        s.take(pct_at, end)
        if start in changes:
            from ca_trade.claims.draft_time import share_change

            share_change(s, measure, changes[start])


def _product_in(text: str) -> str | None:
    """A product named anywhere in ``text`` (the words of a share: "70% of its gas exports")."""
    return product_near(text, len(text), span=len(text))


def growth_percent(s: Sentence) -> None:
    """ "rose by 12%", "fell 3%", "a 12% increase": the growth of the sentence's flow, from the
    year before to the sentence's year. "8% a year since 2015" is not expressible (yet)."""
    for pct in s.percents:
        if not s.free(pct.start, pct.end):
            continue
        before = s.text[max(0, pct.start - 40) : pct.start]
        verb = GROWTH_PCT.search(before)
        after = GROWTH_AFTER.match(s.text[pct.end :])
        if verb is None and after is None:
            continue
        if ANNUAL.search(s.text[pct.end : pct.end + 40]):
            from ca_trade.claims.draft_time import average_growth

            average_growth(s, pct)
            continue
        found = s.flow_measure(pct.start)
        if found is None:
            continue
        measure, why = found
        if measure.pop("product", None) or product_near(s.text, pct.start):
            s.skip(f"not expressible: the growth of one product ({pct.text})")
            s.take(pct.start, pct.end)
            continue
        word = (verb.group(0) if verb else after.group(0) if after else "").strip()
        sign = -1.0 if FALLING.search(word) else 1.0
        qualifier = num.qualifier(before)
        end = s.year or s.context.default_year
        start = s.base_year or (end - 1 if end else None)
        draft = s.draft(growth(measure, start, end), op_for(qualifier), value=sign * pct.value)
        draft.unit, draft.note = "%", note_for(qualifier, f"{word} {pct.text}")
        if draft.op == "≈":
            draft.tolerance = tolerance_for("growth", qualifier)
        if sign < 0 and draft.op in (">", ">=", "<", "<="):
            draft.op = {">": "<", ">=": "<=", "<": ">", "<=": ">="}[draft.op]
        for reason in why:
            draft.review("measure", reason)
        if s.year is None:
            draft.review("measure", "years: the year before the claims' year, to that year")
        s.take(pct.start, pct.end)


def change_words(s: Sentence) -> None:
    """Change without a figure: "steady growth in commerce" (> 0), "a minor dip" (between −5%
    and 0), "signs of stagnation" (|change| < 3%); each of the year before to the year."""
    for pattern, kind, op, value, reading in (
        (STEADY_GROWTH, "growth", ">", 0.0, "growth: it rose (one year's change)"),
        (MINOR_DIP, "growth", "between", [-5.0, 0.0], "a minor dip: it fell, by less than 5%"),
        (STAGNATION, "abs_growth", "<", 3.0, "stagnation: a change of less than 3% either way"),
    ):
        match = pattern.search(s.text)
        if match is None or not s.free(match.start(), match.end()):
            continue
        target = match.groupdict().get("object") or ""
        if re.search(r"production|output|investment|prices?", target, re.IGNORECASE):
            s.skip(f"not expressible: {match.group(0)!r} is not about trade")
            continue
        found = s.flow_measure(match.start(), kind="turnover")
        if found is None:
            continue
        measure, why = found
        end = s.year or s.context.default_year
        start = end - 1 if end else None
        draft = s.draft(growth(measure, start, end, kind), op, value=value, unit="%")
        draft.note = "reading: " + reading
        draft.review("op", f"{match.group(0)!r} read by a fixed rule ({reading})")
        for reason in why:
            draft.review("measure", reason)
        s.take(match.start(), match.end())
