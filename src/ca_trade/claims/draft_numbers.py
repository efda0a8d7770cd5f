"""Reading figures in an article's words: amounts of money, percentages, multiples, qualifiers.

Rule-based and explainable (the rules are listed in docs/claims.md, "Drafting claims"):

- an **amount** is a number with a currency *and* a scale or currency word: ``$94.8 billion``,
  ``94.8 bn USD``, ``€54bn``, ``US$13.7 billion``, ``USD 5.2 bn``, ``13,7 млрд долларов``.
  A number without a currency is never an amount ("24 agreements", "94.8 billion").
- a **percentage**: ``18.9%``, ``12 per cent``, ``21,5 процента``;
- a **qualifier** just before the figure gives the comparison (``QUALIFIERS``).

Pure functions on text; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ------------------------------------------------------------------------------- numbers

# 1,234.5 / 1 234,5 / 13,7 / 94.8 / 2024-free: a comma followed by exactly three digits is a
# thousands separator (English), any other comma is a decimal comma (Russian style).
_NUMBER = r"\d{1,3}(?:(?:,|[ \u00a0\u202f])\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
_SCALES = {
    "trillion": 1_000_000.0,
    "tn": 1_000_000.0,
    "трлн": 1_000_000.0,
    "billion": 1000.0,
    "billions": 1000.0,
    "bn": 1000.0,
    "bln": 1000.0,
    "b": 1000.0,
    "млрд": 1000.0,
    "milliard": 1000.0,
    "million": 1.0,
    "millions": 1.0,
    "mn": 1.0,
    "mln": 1.0,
    "m": 1.0,
    "млн": 1.0,
}
_SCALE = (
    r"(?P<scale{n}>trillion|billions?|millions?|milliard|bln|bn|tn|mln|mn|b|m|трлн|млрд|млн)"
    r"(?:\.(?=\s*[a-zа-я,]))?"
)
_CURRENCY_BEFORE = r"(?P<cur1>US\$|\$|€|USD|EUR|US dollars?)"
_CURRENCY_AFTER = (
    r"(?P<cur2>USD|EUR|US dollars|dollars?|euros?|долл(?:аров|ара|ар)?\.?(?: США)?|евро)"
)
AMOUNT = re.compile(
    rf"(?:{_CURRENCY_BEFORE}\s?(?P<num1>{_NUMBER})(?:\s?{_SCALE.format(n=1)}(?![\w]))?"
    rf"|(?P<num2>{_NUMBER})\s?{_SCALE.format(n=2)}\s?(?:of\s)?{_CURRENCY_AFTER}(?!\w))"
)
PERCENT = re.compile(
    rf"(?P<num>{_NUMBER})\s?(?:%|per\s?cent\b|percent\b|процент\w*|п\.п\.|percentage points?)"
)
# "tens of billions of dollars": a size, not a figure (documented: at least $20bn).
VAGUE_AMOUNT = re.compile(
    r"(?P<what>tens of billions|hundreds of millions|billions)(?: of (?:US )?dollars)?"
)
VAGUE_VALUES = {"tens of billions": 20.0, "hundreds of millions": 0.2, "billions": 2.0}


def number(text: str) -> float:
    """'1,234.5' -> 1234.5, '13,7' -> 13.7, '1 234,5' -> 1234.5, '94.8' -> 94.8."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?: \d{3})+(?:,\d+)?", text):
        return float(text.replace(" ", "").replace(",", "."))
    return float(text.replace(" ", "").replace(",", "."))


@dataclass(frozen=True)
class Amount:
    """Money read from the text: ``value`` in ``unit`` (``USD bn``, ``USD m``, ``EUR bn``...)."""

    value: float
    unit: str
    start: int
    end: int
    text: str


def _currency(symbol: str) -> str:
    return "EUR" if symbol.startswith(("€", "EUR", "eur", "евро")) else "USD"


def amounts(text: str) -> list[Amount]:
    """Every amount of money in ``text``, in order. Billions and more are given in ``bn``,
    anything smaller in ``m`` (a figure with no scale word is in units: $500,000 = 0.5 USD m)."""
    found: list[Amount] = []
    for match in AMOUNT.finditer(text):
        if match.group("num1") is not None:
            raw, scale_word, symbol = match.group("num1"), match.group("scale1"), match["cur1"]
        else:
            raw, scale_word, symbol = match.group("num2"), match.group("scale2"), match["cur2"]
        millions = number(raw) * (_SCALES[scale_word.lower()] if scale_word else 1e-6)
        big = millions >= 1000.0
        value = round(millions / 1000.0, 6) if big else round(millions, 6)
        unit = f"{_currency(symbol)} {'bn' if big else 'm'}"
        found.append(Amount(value, unit, match.start(), match.end(), match.group(0)))
    return found


@dataclass(frozen=True)
class Percent:
    """A percentage read from the text."""

    value: float
    start: int
    end: int
    text: str


def percents(text: str) -> list[Percent]:
    """Every percentage in ``text``, in order."""
    return [
        Percent(number(m.group("num")), m.start(), m.end(), m.group(0))
        for m in PERCENT.finditer(text)
    ]


# ------------------------------------------------------------------------------- qualifiers


@dataclass(frozen=True)
class Qualifier:
    """How a figure is stated: ``op`` and the rule's name (for the ``# review`` comment)."""

    op: str
    word: str


# The words before a figure, and the comparison each one means (docs/claims.md). The same
# words as the data file's ``bound`` column: lower, upper, approx.
_QUALIFIER_WORDS: tuple[tuple[str, str], ...] = (
    (r"just over|slightly more than|a little over|more than|over|above|exceeded|exceeding|"
     r"exceeds|exceed|surpassed|topped|in excess of|upwards of|better than|"
     r"более|свыше|больше|превысил\w*|превышает", ">"),
    (r"at least|no less than|не менее", ">="),
    (r"less than|under|below|fewer than|менее|меньше|ниже", "<"),
    (r"up to|at most|no more than|не более", "<="),
    (r"about|around|approximately|approx\.|roughly|some|nearly|almost|close to|an estimated|"
     r"~|около|примерно|почти|порядка|приблизительно|более чем", "≈"),
)  # fmt: skip
_QUALIFIER = re.compile(
    r"(?:^|[\s(])(?P<word>"
    + "|".join(f"(?:{words})" for words, _ in _QUALIFIER_WORDS)
    + r")\s*(?:of\s+|at\s+|by\s+)?$",
    re.IGNORECASE,
)


def qualifier(before: str) -> Qualifier | None:
    """The qualifier ending ``before`` (the text just before a figure), if any."""
    match = _QUALIFIER.search(before[-40:])
    if match is None:
        return None
    word = match.group("word").lower()
    for words, op in _QUALIFIER_WORDS:
        if re.fullmatch(words, word, re.IGNORECASE):
            return Qualifier(op, word)
    return None  # pragma: no cover - every alternative is in the table


# ------------------------------------------------------------------------------- multiples

_FRACTIONS = {
    "a third": 1 / 3,
    "one third": 1 / 3,
    "a quarter": 0.25,
    "one quarter": 0.25,
    "a half": 0.5,
    "half": 0.5,
    "two thirds": 2 / 3,
    "a fifth": 0.2,
}
_TIMES = {
    "double": 2.0,
    "twice": 2.0,
    "triple": 3.0,
    "three times": 3.0,
    "threefold": 3.0,
    "four times": 4.0,
    "fourfold": 4.0,
    "five times": 5.0,
    "fivefold": 5.0,
}
# "over a third larger than X's", "more than double X's", "twice as large as X's", "3 times X's"
MULTIPLE = re.compile(
    r"(?P<qual>(?:just |slightly )?(?:over|more than|almost|nearly|about|around|roughly|"
    r"less than|at least)\s+)?"
    r"(?:(?P<frac>a third|one third|a quarter|one quarter|a half|half|two thirds|a fifth|"
    r"(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per\s?cent))\s+(?:larger|bigger|higher|greater|more)"
    r"|(?P<times>double|twice|triple|three times|threefold|four times|fourfold|five times|"
    r"fivefold|(?P<n>\d+(?:\.\d+)?)\s?(?:times|-fold|fold))"
    r"(?:\s+(?:as (?:large|big|much|high) as|larger|bigger|higher|greater|more|that of))?)"
    r"(?:\s+(?:than\s+|that of\s+)?|(?=[.,;]))",
    re.IGNORECASE,
)


def multiple(match: re.Match[str]) -> float:
    """The ratio a ``MULTIPLE`` match states: 'a third larger' = 4/3, 'double' = 2."""
    if match.group("pct"):
        return 1.0 + float(match.group("pct")) / 100.0
    if match.group("frac"):
        return 1.0 + _FRACTIONS[match.group("frac").lower()]
    if match.group("n"):
        return float(match.group("n"))
    return _TIMES[match.group("times").lower()]
