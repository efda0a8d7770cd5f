"""What every source of ``fetch`` shares: the query, the rows it gives, the figures left out.

A ``Query`` is one GET: its citation URL (never holding a key), the reporters and years it
covers, and how to read its answer. A source turns an answer into ``Parsed``: ``Row``s (one per
published figure, nothing summed or derived) and ``Gap``s (figures the source marks confidential
or missing, or a value that could not be used: listed on stderr, never written as zero).
``data_file_text`` writes the rows in ca-trade's data-file format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ca_trade import schema

SOURCES = ("comtrade", "eurostat", "imf")
TITLES = {"comtrade": "UN Comtrade", "eurostat": "Eurostat Comext", "imf": "IMF IMTS"}


class MalformedAnswer(Exception):
    """An answer that is not in the source's format (raised by a parser, with what is wrong)."""


@dataclass(frozen=True)
class Row:
    """One published figure, in the data file's columns."""

    year: int
    reporter: str
    partner: str
    flow: str  # export or import, from the reporter's side
    value_millions: float
    currency: str
    basis: str
    source: str
    source_url: str
    note: str

    @property
    def key(self) -> tuple[int, str, str, str]:
        """The data file's key: year, reporter, partner, flow."""
        return (self.year, self.reporter, self.partner, self.flow)


@dataclass(frozen=True)
class Gap:
    """A figure the answer names but that is not written, and why (one stderr line)."""

    source: str
    year: int | str
    reporter: str
    partner: str
    flow: str
    why: str

    def line(self) -> str:
        """``comtrade 2024 KAZ->CHN export: confidential (left out)``."""
        return f"{self.source} {self.year} {self.reporter}->{self.partner} {self.flow}: {self.why}"


@dataclass
class Parsed:
    """What one answer gave: its rows and the figures left out."""

    rows: list[Row] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


@dataclass(frozen=True)
class Query:
    """One GET. ``url`` is the exact query, the citation; ``headers`` may hold a secret."""

    source: str
    label: str  # for the progress bar and messages: "comtrade KAZ 2015-2024"
    url: str
    reporters: tuple[str, ...]  # ca-trade codes whose statistics this query asks for
    counterparts: tuple[str, ...]  # and their partners in it
    years: tuple[int, ...]
    parse: Callable[[str, str], Parsed]  # (answer text, retrieval date) -> rows and gaps
    accept: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    empty_statuses: tuple[int, ...] = ()  # HTTP statuses that mean "no data" (IMF: 404)
    # The same query for fewer years (Eurostat, after a 413 "extraction too big"), or None.
    narrower: Callable[[tuple[int, ...]], Query] | None = None


def year_span(years: Iterable[int]) -> str:
    """``2015-2024`` for a run of years, ``2015, 2017`` otherwise."""
    ordered = sorted(set(years))
    if len(ordered) > 1 and ordered[-1] - ordered[0] == len(ordered) - 1:
        return f"{ordered[0]}-{ordered[-1]}"
    return ", ".join(map(str, ordered))


def number(value: float) -> str:
    """A value as the data file writes it: a plain number (``repr``, ``.0`` dropped)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def note(retrieved: str, *flags: str) -> str:
    """The note: the retrieval date, then the source's flags, ``; ``-separated."""
    return "; ".join([f"retrieved {retrieved}", *(f for f in flags if f)])


def merge(parts: Iterable[list[Row]]) -> list[Row]:
    """Rows of several sources as one list, one row per key: the first source's figure is
    kept, and the others' figures are named in its note (nothing is averaged or summed)."""
    kept: dict[tuple[int, str, str, str], Row] = {}
    for rows in parts:
        for row in rows:
            first = kept.get(row.key)
            if first is None:
                kept[row.key] = row
                continue
            if first.source == row.source:  # the same source twice: keep the first answer
                continue
            also = f"also {row.source}: {number(row.value_millions)} {row.currency} m"
            kept[row.key] = _with_note(first, f"{first.note}; {also}")
    return sorted(kept.values(), key=lambda r: (r.year, r.reporter, r.partner, r.flow))


def _with_note(row: Row, text: str) -> Row:
    return Row(
        row.year,
        row.reporter,
        row.partner,
        row.flow,
        row.value_millions,
        row.currency,
        row.basis,
        row.source,
        row.source_url,
        text,
    )


def data_file_text(rows: Iterable[Row]) -> str:
    """The rows as a data file (CSV, the columns of ``schema.COLUMNS``, header first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(schema.COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.year,
                row.reporter,
                row.partner,
                row.flow,
                number(row.value_millions),
                row.currency,
                row.basis,
                row.source,
                row.source_url,
                row.note,
            ]
        )
    return out.getvalue()
