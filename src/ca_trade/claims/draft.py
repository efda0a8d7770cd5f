"""``ca-trade claims draft``: an article's figure statements as a claims file to review.

``draft_claims`` reads the article (``draft_sentences``), runs the rules on each sentence
(``draft_read``, ``draft_more``) and returns the drafts and the statements it could not
express; ``to_toml`` writes them as a claims file in the format of docs/claims.md, with a
``# review:`` comment on every guessed field and the skipped statements as comments. No
network, no model: every reading is a rule in docs/claims.md ("Drafting claims").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ca_trade.claims import draft_more as more
from ca_trade.claims import draft_time
from ca_trade.claims.draft_context import Context, Draft, Skip, Table, dominant_partner
from ca_trade.claims.draft_gazetteer import mentions
from ca_trade.claims.draft_read import Sentence, read_amounts, read_ranks
from ca_trade.claims.draft_rules import PART_YEAR
from ca_trade.claims.draft_sentences import Article, read_article, strip_dates

_FIGURE = re.compile(
    r"\d|\b(?:double|twice|triple|fold|leader|leading|largest|biggest|second|third|top|"
    r"surplus|deficit|growth|dip|stagnat|only|tens of|hundreds of|than|record|highest|lowest|"
    r"all-time|peak|differ|fastest|strongest)\w*",
    re.IGNORECASE,
)


@dataclass
class Drafted:
    """What the drafter read from one article."""

    article: Article
    drafts: list[Draft]
    skips: list[Skip]
    default_year: int | None
    year_why: str | None


def _default_year(article: Article) -> tuple[int | None, str | None]:
    """The claims' year: for a dated article, the year before its date (the latest full year of
    annual figures when it appeared); for an undated one, the latest year its figure sentences
    name (part-year figures aside). A sentence that names its own year keeps it."""
    if article.year is not None:
        return article.year - 1, f"the year before the article's date ({article.date})"
    years: set[int] = set()
    for paragraph in article.paragraphs:
        for sentence in paragraph:
            if PART_YEAR.search(sentence):
                continue
            if re.search(r"[$€%]|billion|million|bn\b|млрд|млн", sentence):
                found = re.findall(r"\b((?:19|20)\d\d)\b", strip_dates(sentence))
                years.update(int(y) for y in found)
    if years:
        return max(years), f"the latest year the article's figures name ({max(years)})"
    return None, None


def draft_claims(text: str, name: str) -> Drafted:
    """Read the article in ``text`` (``name``: its file name, for HTML and Markdown) and draft
    its claims."""
    article = read_article(text, name)
    every = [m for p in article.paragraphs for s in p for m in mentions(s)]
    default_year, year_why = _default_year(article)
    context = Context(default_year, article.year, dominant_partner(every))
    drafts: list[Draft] = []
    skips: list[Skip] = []
    number = 0
    for paragraph in article.paragraphs:
        context.new_paragraph()
        for text_ in paragraph:
            number += 1
            sentence = Sentence(text_, number, context)
            if _FIGURE.search(text_):
                _read(sentence)
            drafts += sentence.drafts
            skips += sentence.skips
            context.remember(sentence.places)
    return Drafted(article, drafts, skips, default_year, year_why)


def _read(s: Sentence) -> None:
    """Run every rule on a sentence, in order."""
    if PART_YEAR.search(s.text) and (s.amounts or s.percents):
        s.skip("not expressible: part-year figure (the data are annual)")
        return
    more.only_surplus(s)
    more.surplus(s)
    more.comparisons(s)
    first = [a for a in s.amounts if not re.search(r"\(\s*$", s.text[: a.start])]
    if first:  # the sentence's own figure first: bracketed ones and multiples refer to it
        keep = s.amounts
        s.amounts = first[:1]
        read_amounts(s)
        s.amounts = keep
    more.bracketed(s)
    more.multiples(s)
    read_ranks(s)
    draft_time.growth_ranks(s)
    more.shares(s)
    more.growth_percent(s)
    read_amounts(s)
    more.change_words(s)
    draft_time.extremes(s)
    for pct in s.percents:
        if s.free(pct.start, pct.end):
            s.skip(f"not read: {pct.text} (no rule for this wording)")


# ------------------------------------------------------------------------------- writing


def _toml_value(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())


def _ids(drafts: list[Draft]) -> list[str]:
    """'4' for a sentence's only claim, '4a', '4b', ... for several."""
    per_sentence = Counter(d.sentence for d in drafts)
    seen: Counter[int] = Counter()
    ids = []
    for draft in drafts:
        if per_sentence[draft.sentence] == 1:
            ids.append(str(draft.sentence))
        else:
            ids.append(f"{draft.sentence}{chr(ord('a') + seen[draft.sentence] % 26)}")
            seen[draft.sentence] += 1
    return ids


def to_toml(drafted: Drafted, source_name: str) -> str:
    """The drafts as a claims file (docs/claims.md), ready to review and to check."""
    article = drafted.article
    lines = [
        f"# Claims drafted by `ca-trade claims draft` from {source_name}.",
        "# Read by fixed rules (docs/claims.md, 'Drafting claims'), not by a person: check every",
        "# claim against its quote, and each field marked '# review:' first.",
        f"# {len(drafted.drafts)} claim(s) drafted; {len(drafted.skips)} statement(s) not "
        "expressible or not read (listed at the end).",
        "",
    ]
    if drafted.default_year is not None:
        lines.append(f"year = {drafted.default_year}  # review: {drafted.year_why}")
        lines.append("")
    lines.append("[source]")
    lines.append(f"title = {_toml_value(article.title or source_name)}")
    if article.author:
        lines.append(f"author = {_toml_value(article.author)}")
    if article.date:
        lines.append(f"date = {_toml_value(article.date)}")
    else:
        lines.append('date = "undated"  # review: the article gives no date')
    for claim_id, draft in zip(_ids(drafted.drafts), drafted.drafts, strict=True):
        lines += ["", "[[claim]]", f"id = {_toml_value(claim_id)}"]
        lines.append(f"quote = {_toml_value(draft.quote)}")
        fields: list[tuple[str, object]] = [
            ("year", draft.year),
            ("measure", draft.measure),
            ("op", draft.op),
            ("value", draft.value),
            ("unit", draft.unit),
            ("than", draft.than),
            ("tolerance", draft.tolerance),
            ("note", draft.note),
        ]
        for key, value in fields:
            if value is None:
                continue
            line = f"{key} = {_toml_value(value)}"
            if key in draft.reviews:
                line += "  # review: " + _comment("; ".join(draft.reviews[key]))
            lines.append(line)
    if drafted.skips:
        lines += ["", "# Statements recognised but not expressible, or not read:"]
        for skip in drafted.skips:
            lines.append(f"# - sentence {skip.sentence}: {_comment(skip.reason)}")
            lines.append(f"#   {_comment(skip.quote)}")
    return "\n".join(lines) + "\n"


def draft_file(path: Path) -> tuple[Drafted, str]:
    """Draft the claims of the article at ``path``: (what was read, the claims file's text).

    Raises ``InputError`` (missing, unreadable) or ``DataError`` (not text)."""
    from ca_trade import load
    from ca_trade.errors import DataError

    data = load.read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(
            f"is not UTF-8 text (byte {err.start})", path=str(path), hint="save it as UTF-8"
        ) from None
    drafted = draft_claims(text, path.name)
    return drafted, to_toml(drafted, path.name)


def measure_text(measure: Table) -> str:
    """A measure table as one line of TOML (for messages and the scorer's misses)."""
    return _toml_value(measure)
