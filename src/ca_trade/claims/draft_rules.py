"""The drafter's word lists: cue words for flows, ranks, change, and what the data do not hold.

Every list here is a documented rule (docs/claims.md, "Drafting claims"); change a list, change
the page.
"""

from __future__ import annotations

import re

# A flow word, and the measure kind it names.
FLOW_CUE = re.compile(
    r"\b(?:(?P<turnover>trade turnover|turnover|foreign trade|trade volume|volume of trade|"
    r"bilateral trade|trade|traded|commerce|trading|volume|товарооборот\w*|торгов\w*|"
    r"внешнеторгов\w*)"
    r"|(?P<exports>exports?|exported|shipments|export|экспорт\w*)"
    r"|(?P<imports>imports?|imported|purchases|импорт\w*)"
    r"|(?P<balance>surplus|deficit|trade balance|balance|сальдо|профицит\w*|дефицит\w*))\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:and|but|while|whereas)\b|\s—\s|\s–\s")


def flow_kind(text: str, at: int, *, strict: bool = False) -> str | None:
    """The kind of flow a figure at ``at`` is: the nearest flow word, before it in its clause
    first, then after it; ``turnover`` for a figure in a sentence that speaks of trade at all.

    ``strict``: only a flow word within 60 characters of the figure (else None).
    """
    best: tuple[int, str] | None = None
    for match in FLOW_CUE.finditer(text):
        kind = next(k for k, v in match.groupdict().items() if v)
        if match.end() <= at:
            between = text[match.end() : at]
            distance = at - match.end() + (100 if _CLAUSE_BREAK.search(between) else 0)
        else:
            distance = match.start() - at + 30  # a word after the figure counts for less
        if strict and distance > 90:
            continue
        if best is None or distance < best[0]:
            best = (distance, kind)
    return best[1] if best else None


# Statements about what the data do not hold (merchandise trade, annual, by partner).
NOT_TRADE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), why)
    for pattern, why in (
        (r"\binvest\w*|инвестиц\w*|\bFDI\b", "investment"),
        (r"\bloans?\b|\bcredits?\b|\blending\b|кредит\w*", "loans"),
        (r"\bservices\b|услуг\w*", "trade in services"),
        (r"\bremittances?\b|денежн\w+ перевод\w*", "remittances"),
        (r"\btouris\w*", "tourism"),
        (r"\bGDP\b|ВВП", "GDP"),
        (
            r"\b(?:agreements?|deals?|contracts?|memorand\w*|portfolio)\b[^.]{0,30}\bworth\b|"
            r"\bsigned\b|соглашени\w*|контракт\w*",
            "agreements signed",
        ),
        (r"\bproduction\b|\boutput\b|производств\w*|добыч\w*", "production"),
        (r"\breserves\b|\bdebt\b|\bbudget\b|\bgrants?\b|\baid\b", "finance"),
        (r"\bmarket (?:value|capitali[sz]ation)\b", "market value"),
    )
)

PART_YEAR = re.compile(
    r"\b(?:January|Jan\.?)\s*[-–—]\s*(?:February|March|April|May|June|July|August|September|"
    r"October|November|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov)\b|"
    r"\bfirst (?:half|quarter|(?:two|three|four|five|six|seven|eight|nine|ten|eleven) months)\b|"
    r"\b(?:H1|H2|Q[1-4]|9M|1H)\b|\b(?:six|nine|eleven|three|five|seven|eight|ten) months\b|"
    r"\bmonth of\b|\byear[- ]to[- ]date\b|январ\w*\s*[-–—]\s*\w+|полугоди\w*|"
    r"(?:первые|за) \w+ месяц\w*|квартал\w*",
    re.IGNORECASE,
)

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "two": 2, "three": 3, "four": 4, "five": 5,
}  # fmt: skip
RANK = re.compile(
    r"(?P<ord>first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)[- ](?:largest|biggest|"
    r"leading|most important|main|top)?\s*(?:trading |trade |economic |commercial )?"
    r"(?:partner|place|position|spot)"
    r"|(?:rounds? out|completes?|closes?) the top (?P<top>two|three|four|five)"
    r"|(?P<one>(?:largest|biggest|leading|main|top|principal|number[- ]one|No\. ?1) "
    r"(?:single[- ]country )?(?:trading |trade |economic |commercial )?partner"
    r"|(?:undisputed |clear |absolute )?leader (?:in trade|among))",
    re.IGNORECASE,
)


def rank_value(match: re.Match[str]) -> int | None:
    """The rank a ``RANK`` match states."""
    if match.group("ord"):
        return _ORDINALS[match.group("ord").lower()]
    if match.group("top"):
        return _ORDINALS[match.group("top").lower()]
    return 1 if match.group("one") else None


_PRODUCTS: tuple[tuple[str, str], ...] = (
    (r"natural gas|\bgas\b|blue fuel|газ\w*", "natural gas"),
    (r"crude oil|\boil\b|petroleum|нефт\w*", "crude oil"),
    (r"uranium|уран\w*", "uranium"),
    (r"cotton|хлоп\w*", "cotton"),
    (r"\bwheat\b|\bgrain\b|зерн\w*|пшениц\w*", "grain"),
    (r"copper|медь|меди", "copper"),
    (r"\bgold\b|золот\w*", "gold"),
    (r"electricity|электроэнерги\w*", "electricity"),
    (r"\bcars\b|vehicles|автомобил\w*", "vehicles"),
)


def product_near(text: str, at: int, span: int = 45) -> str | None:
    """A product named within ``span`` characters before ``at`` ("oil exports of $5bn"), if
    any; a product named after a figure ("$30bn, mostly oil") describes it, it is not it."""
    window = text[max(0, at - span) : at]
    for pattern, name in _PRODUCTS:
        if re.search(pattern, window, re.IGNORECASE):
            return name
    return None


# Change without a figure: each reading is a documented rule.
STEADY_GROWTH = re.compile(
    r"(?<!future )(?<!further )(?<!potential )\b(?:steady|continued|continuous|sustained|"
    r"consistent|strong|rapid) growth in (?:commerce|trade|turnover|bilateral trade)"
    r"|\b(?:trade|turnover|commerce) (?:has )?(?:grown|grew|rose|increased) steadily",
    re.IGNORECASE,
)
MINOR_DIP = re.compile(
    r"\b(?:minor|slight|small|modest) (?:dip|decline|decrease|drop|fall|contraction)"
    r"(?P<object> in [^,.;]{0,40})?",
    re.IGNORECASE,
)
STAGNATION = re.compile(
    r"\b(?:signs of stagnation|stagnat\w+|(?:trade|turnover) (?:was|remained|stayed) "
    r"(?:flat|unchanged|stable))",
    re.IGNORECASE,
)
GROWTH_PCT = re.compile(
    r"\b(?P<verb>rose|risen|grew|grown|increased|climbed|jumped|went up|was up|were up|up|"
    r"expanded|gained|fell|fallen|dropped|declined|decreased|shrank|slipped|went down|was down|"
    r"were down|down|"
    r"contracted|вырос\w*|увеличил\w*|снизил\w*|сократил\w*|упал\w*)\s+(?:by\s+|на\s+)?"
    r"(?P<qual>(?:about|around|almost|nearly|over|more than|roughly|some|approximately|less "
    r"than|около|почти|более чем)\s+)?$"
    r"|\b(?P<noun>increase|growth|rise|gain|decrease|decline|drop|fall|рост\w*|снижени\w*)"
    r"\s+(?:of\s+)?(?P<qual2>(?:about|around|almost|nearly|over|more than|roughly)\s+)?$",
    re.IGNORECASE,
)
GROWTH_AFTER = re.compile(
    r"^\s*(?:year[- ]on[- ]year\s+)?(?P<noun>increase|growth|rise|gain|jump|decrease|decline|"
    r"drop|fall)\b",
    re.IGNORECASE,
)
FALLING = re.compile(r"fell|dropped|declin|decreas|shrank|slipped|down|contract|снизил|сократил|"
                     r"упал|снижени|fall|drop", re.IGNORECASE)  # fmt: skip
ANNUAL = re.compile(r"\b(?:a year|per year|annually|per annum|average annual|a year on average)\b")
EXTREME = re.compile(
    r"\b(?:all[- ]time (?:high|low)|(?:a |new )?record(?: high| low)?\b|highest|lowest|"
    r"peak(?:ed)?)\b",
    re.IGNORECASE,
)
