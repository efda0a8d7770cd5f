"""Names of places in an article, as codes: the gazetteer of ``ca-trade claims draft``.

Country names come from the maintained ISO 3166 list (``pycountry``'s data file, read through
``ca_trade.codes``); the region's own names, demonyms, capitals and groupings are added here:
Central Asia and the five (``CA5``), the EU (``EU27``), China (PRC, Beijing, Chinese, Sino-),
Russia (Moscow, Russian), Kazakh, Kyrgyz, Tajik, Turkmen, Uzbek (and their capitals), with the
Russian spellings of each. A country that is none of ca-trade's is kept as ``other:XXX`` so a
sentence about it is reported as "partner not in the data", not read as about someone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ca_trade import codes, schema

REGION = schema.REGION  # "CA5"
REPUBLICS = schema.REPUBLICS
PARTNERS = schema.PARTNERS

# (pattern, code). Patterns are regular expressions matched case-sensitively at word starts.
_OWN: tuple[tuple[str, str], ...] = (
    (r"(?:the )?People'?s Republic of China|PRC|China|Chinese|Beijing|Sino(?=-)", "CHN"),
    (r"Кита[йяюеи]\w*|Пекин\w*|КНР", "CHN"),
    (r"(?:the )?Russian Federation|Russia|Russian|Moscow", "RUS"),
    (r"Росси\w*|Москв\w*|РФ", "RUS"),
    (r"(?:the )?European Union|(?:the )?EU(?:27|-27)?|Brussels|(?:the )?European bloc", "EU27"),
    (r"Евросоюз\w*|Европейск\w+ союз\w*|ЕС", "EU27"),
    (r"Kazakhstan[i]?|Kazakh|Astana|Almaty", "KAZ"),
    (r"Казахстан\w*|Астан\w*", "KAZ"),
    (r"Kyrgyzstan[i]?|(?:the )?Kyrgyz Republic|Kyrgyz|Kirghizia|Bishkek", "KGZ"),
    (r"Кыргызстан\w*|Киргизи\w*|Бишкек\w*", "KGZ"),
    (r"Tajikistan[i]?|Tajik|Dushanbe", "TJK"),
    (r"Таджикистан\w*|Душанбе", "TJK"),
    (r"Turkmenistan[i]?|Turkmen|Ashgabat", "TKM"),
    (r"Туркменистан\w*|Туркмени\w*|Ашхабад\w*", "TKM"),
    (r"Uzbekistan[i]?|Uzbek|Tashkent", "UZB"),
    (r"Узбекистан\w*|Ташкент\w*", "UZB"),
    (
        r"(?:the )?(?:five )?Central Asian (?:region|countries|states|republics|nations|"
        r"economies)|Central Asia|(?:the )?(?:five|5) (?:Central Asian )?republics|"
        r"(?:all|the) five|C5|CA5|(?:the )?region(?=\b)",
        REGION,
    ),
    (r"Центральн\w+ Ази\w*|стран\w* Центральной Азии|регион\w*", REGION),
    (r"(?:the )?U\.S\.(?:A\.)?|(?:the )?US(?![$\w])|(?:the )?United States|America", "other:USA"),
    (r"Turkey|Türkiye|Turkish", "other:TUR"),
    (r"South Korea|Korea|Korean", "other:KOR"),
    (r"Iran|Iranian", "other:IRN"),
    (r"Germany|German", "other:DEU"),
    (r"Japan|Japanese", "other:JPN"),
    (r"India|Indian", "other:IND"),
)


@dataclass(frozen=True)
class Mention:
    """A place named in the text: its code, where, and whether it is possessive ("China's")."""

    code: str
    start: int
    end: int
    text: str
    possessive: bool

    @property
    def is_partner(self) -> bool:
        """China, the EU or Russia."""
        return self.code in PARTNERS

    @property
    def is_area(self) -> bool:
        """One of the five, or the five together."""
        return self.code in REPUBLICS or self.code == REGION

    @property
    def is_other(self) -> bool:
        """A country that is none of ca-trade's."""
        return self.code.startswith("other:")


@cache
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every name (longest first), and the code of each group."""
    pairs = list(_OWN)
    own = {code for _, code in _OWN}
    for entry in codes._pycountry_json("iso3166-1.json", "3166-1"):
        code = entry["alpha_3"]
        if code in own or f"other:{code}" in own:
            continue
        for key in ("name", "common_name", "official_name"):
            name = entry.get(key)
            if name and "," not in name and "(" not in name:
                pairs.append((re.escape(name), f"other:{code}"))
    groups: dict[str, str] = {}
    alternatives = []
    for index, (pattern, code) in enumerate(sorted(pairs, key=lambda p: -len(p[0]))):
        name = f"g{index}"
        groups[name] = code
        alternatives.append(f"(?P<{name}>{pattern})")
    regex = r"(?<![\w$])(?:" + "|".join(alternatives) + r")(?![\w])(?P<poss>['’]s?(?!\w))?"
    return re.compile(regex), groups


def mentions(text: str) -> list[Mention]:
    """Every place named in ``text``, in order."""
    regex, groups = _pattern()
    found: list[Mention] = []
    for match in regex.finditer(text):
        code = next(
            groups[name] for name, value in match.groupdict().items() if value and name != "poss"
        )
        possessive = match.group("poss") is not None
        found.append(Mention(code, match.start(), match.end(), match.group(0), possessive))
    return found
