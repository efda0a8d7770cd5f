"""An article as paragraphs of sentences: plain text, Markdown or HTML, with its title and date.

HTML is stripped with beautifulsoup4 (imported here only, and only for HTML); Markdown loses
its markup (headings, emphasis, links, list bullets) by a few patterns. A paragraph is a block
separated by blank lines, or each line when the text has no blank lines. Headings (short lines
without a closing full stop) are kept apart: they give context, never claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE_PATTERNS = (
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)(?:-\d\d)?\b"),
    re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTHS})\.?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}},\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b\d{1,2}\.\d{1,2}\.(?P<year>(?:19|20)\d\d)\b"),
)
_DATE_LINE = re.compile(
    r"^(?:date|published|posted|updated|дата|опубликовано)\s*:?\s*(?P<rest>.+)$", re.IGNORECASE
)
_AUTHOR_LINE = re.compile(r"^(?:author\s*:|by\s+)\s*(?P<name>.{2,80})$", re.IGNORECASE)


@dataclass
class Article:
    """An article's text as paragraphs of sentences, and what its head says."""

    paragraphs: list[list[str]]
    headings: list[tuple[int, str]] = field(default_factory=list)  # (before paragraph n, text)
    title: str | None = None
    author: str | None = None
    date: str | None = None
    year: int | None = None  # the year the article is dated


def looks_like_html(text: str, name: str) -> bool:
    """An .html/.htm file, or text that opens with a tag."""
    return name.lower().endswith((".html", ".htm")) or bool(
        re.match(r"\s*<(?:!doctype|html|head|body|article|p|div|h1)\b", text, re.IGNORECASE)
    )


def _from_html(text: str) -> tuple[str, str | None, str | None]:
    """(text with one block per paragraph, title, date) of an HTML page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "aside", "form"]):
        if tag.name == "header" and tag.find(["h1", "time"]):
            continue
        tag.decompose()
    date = None
    for meta in soup.find_all("meta"):
        key = str(meta.get("name") or meta.get("property") or "").lower()
        if key in {"date", "article:published_time", "dc.date", "pubdate"} and meta.get("content"):
            date = str(meta["content"])
            break
    time = soup.find("time")
    if date is None and time is not None:
        date = str(time.get("datetime") or time.get_text(" ", strip=True))
    title_tag = soup.find("h1") or soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    blocks = []
    for block in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "blockquote", "td"]):
        if block.find(["p", "li"]):  # a container: its own blocks are read
            continue
        words = block.get_text(" ", strip=True)
        if words:
            blocks.append(words)
    if not blocks:
        blocks = [soup.get_text("\n", strip=True)]
    return "\n\n".join(blocks), title, date


def _from_markdown(text: str) -> str:
    """Markdown without its markup: headings, emphasis, links, images, bullets, code marks."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.MULTILINE)
    text = re.sub(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    return text


_ABBREVIATIONS = r"(?<!\bU\.S)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bNo)"
_SENTENCE_END = re.compile(_ABBREVIATIONS + r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-ZА-ЯЁ0-9$€])")


def sentences(paragraph: str) -> list[str]:
    """A paragraph split into sentences (a full stop, ! or ? before a capital)."""
    return [part.strip() for part in _SENTENCE_END.split(paragraph) if part.strip()]


def _is_heading(line: str) -> bool:
    return len(line) < 120 and not re.search(r"[.!?:;…\"”]\s*$", line)


def strip_dates(text: str) -> str:
    """``text`` with its full dates ("Feb 12, 2025", "2025-04-04", "15.01.2025") blanked out,
    same length: a dateline's year is not a figure's year."""
    for pattern in _DATE_PATTERNS:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _date_year(text: str) -> int | None:
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if match:
            return int(match.group("year"))
    return None


def read_article(text: str, name: str) -> Article:
    """The article in ``text`` (``name`` tells HTML by its extension), split and with its head.

    The title is the first line (or the page's h1/title); the author a line "Author: ..." or
    "By ..."; the date a line "Date: ..."/"Published ..." or a date in the first lines.
    """
    title = date = None
    if looks_like_html(text, name):
        text, title, date = _from_html(text)
    elif name.lower().endswith((".md", ".markdown")) or re.search(r"^#{1,6} ", text, re.M):
        text = _from_markdown(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "")
    if re.search(r"\n[ \t]*\n", text):
        blocks = [" ".join(b.split()) for b in re.split(r"\n[ \t]*\n", text)]
    else:
        blocks = [" ".join(line.split()) for line in text.split("\n")]
    blocks = [b for b in blocks if b]
    article = Article(paragraphs=[], title=title, date=date)
    for index, block in enumerate(blocks):
        author = _AUTHOR_LINE.match(block)
        dated = _DATE_LINE.match(block)
        if index < 6 and author and len(block) < 90:
            article.author = article.author or author.group("name").strip()
            continue
        if index < 6 and dated and _date_year(dated.group("rest")):
            article.date = article.date or dated.group("rest").strip()
            continue
        if index < 6 and len(block) < 40 and _date_year(block) and article.date is None:
            article.date = block
            continue
        if _is_heading(block):
            if article.title is None and not article.paragraphs:
                article.title = block
            article.headings.append((len(article.paragraphs), block))
            continue
        article.paragraphs.append(sentences(block))
    if article.date is None and article.paragraphs:  # a dateline: "ASTANA, Feb 12, 2025 -"
        opening = article.paragraphs[0][0][:80]
        for pattern in _DATE_PATTERNS:
            match = pattern.search(opening)
            if match:
                article.date = match.group(0)
                break
    if article.date:
        article.year = _date_year(article.date)
    return article
