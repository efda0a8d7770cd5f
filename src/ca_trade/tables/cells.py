"""Cells shared by the command tables: number formats, markers, bars, whose statistics.

Every function returns text or ``rich.text.Text``; nothing here decides widths (``layout`` does).
"""

from __future__ import annotations

import math
from pathlib import PurePath

from rich.text import Text

from ca_trade.bounds import MARKS
from ca_trade.tables.layout import MISSING, as_text

KIND_OF_REPORTER = {
    "CHN": "customs",
    "EU27": "statement",
    "RUS": "officials",
    "CA5": "compilation",
}


def bn(value: float | None, digits: int = 2) -> str:
    """Millions to billions at fixed precision, '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{value / 1000:,.{digits}f}"


def pct(value: float | None, digits: int = 1) -> str:
    """A percentage at fixed precision, '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{value:.{digits}f}%"


def num(value: object) -> float | None:
    """``value`` when it is a float (or int), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def bar(value: float | None, largest: float | None, width: int = 20) -> Text:
    """A bar of block characters proportional to value / largest."""
    if value is None or not largest or value <= 0:
        return Text("")
    eighths = round(width * 8 * min(value / largest, 1.0))
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if rest else ""
    return Text("█" * full + partial, style="cyan")


def cell(value: object, style: str = "") -> Text:
    """A table cell that prints its text literally (no markup), '—' for None."""
    return as_text(None if value is None else str(value), style)


def line_ref(row: dict[str, object]) -> str | None:
    """Where a data row is: ``file:line`` (file name only) when the row names its file."""
    line = row.get("line")
    if line is None:
        return None
    file = row.get("file")
    if isinstance(file, str) and file:
        return f"{PurePath(file.removesuffix(' (bundled)')).name}:{line}"
    return str(line)


def who(reporters: object, basis: object) -> str:
    """Whose statistics, short: 'CHN customs · official', 'KAZ+KGZ statistics · compiled'.

    ``reporters`` is a typed ``*_reporters`` list cell."""
    if not isinstance(reporters, list) or not reporters:
        return MISSING
    codes = [str(c) for c in reporters]
    if len(codes) == 1:
        text = f"{codes[0]} {KIND_OF_REPORTER.get(codes[0], 'statistics')}"
    else:
        text = f"{'+'.join(codes) if len(codes) < 5 else 'the five republics'}' statistics"
    return f"{text} · {basis}" if isinstance(basis, str) and basis else text


def by_measure(values: dict[str, str]) -> str:
    """One line when turnover, exports and imports agree; else a line per group."""
    turnover, exports, imports = values["turnover"], values["exports"], values["imports"]
    if turnover == exports == imports:
        return turnover
    if exports == imports:
        return f"turnover: {turnover}\nex/im: {exports}"
    return f"turnover: {turnover}\nexports: {exports}\nimports: {imports}"


def marked(row: dict[str, object], measure: str, unit: str) -> Text:
    """A figure in bn with its markers (see ``flagged``)."""
    return with_markers(num(row[measure + unit]), row, measure)


def labelled(row: dict[str, object], measure: str, unit: str) -> Text:
    """A figure with its markers and, when it covers only some republics, which ("UZB only"):
    a partial figure must not read as the whole row's."""
    text = marked(row, measure, unit)
    covers = row.get(f"{measure}_covers")
    if row.get(f"{measure}_partial") and isinstance(covers, list) and covers:
        text.append("\n" + "+".join(str(c) for c in covers) + " only", style="red")
    return text


def with_markers(value: float | None, row: dict[str, object], prefix: str) -> Text:
    """``value`` in bn, marked from the row's ``{prefix}_*`` provenance columns."""
    return flagged(bn(value), value, row, prefix)


def flagged(shown: str, value: float | None, row: dict[str, object], prefix: str) -> Text:
    """``shown`` with the markers of the row's typed ``{prefix}_*`` columns: ≥ ≤ ≈ (bound,
    before the number), * derived, † unstated basis, € converted, ~ partial, ◐ mixed reporters.
    A missing value gets none."""
    if value is None:
        return Text(shown)
    text = Text(MARKS.get(str(row.get(f"{prefix}_bound")), ""), style="bold red")
    text.append(shown)
    if row.get(f"{prefix}_derived"):
        text.append("*", style="yellow")
    if row.get(f"{prefix}_basis") == "unstated":
        text.append("†", style="red")
    if row.get(f"{prefix}_fx_rate") is not None:
        text.append("€", style="magenta")
    if row.get(f"{prefix}_partial"):
        text.append("~", style="red")
    if row.get(f"{prefix}_mixed"):
        text.append("◐", style="red")
    return text


MARKER_NOTES = {
    "*": "* derived from the same reporter's other two flows (export = total − import, "
    "total = export + import)",
    "†": "† a statement with no stated statistical basis (used only as a last resort)",
    "~": "~ partial: not every republic has this figure (see coverage)",
    "◐": "◐ mixed: the figure combines more than one reporter's statistics",
    "≥": "≥ ≤ a bound: the source says only 'more than' (≥) or 'less than' (≤); ≈ 'about'",
}


def figure_notes(rates_used: dict[int, float]) -> list[str]:
    """The legend for figure markers, with the exchange rate when one was used."""
    notes = [
        *MARKER_NOTES.values(),
        "— missing: not published, and not derivable (never counted as zero)",
    ]
    for year, rate in sorted(rates_used.items()):
        notes.append(f"€ converted from EUR at {rate} USD per EUR (ECB {year} annual average)")
    return notes


def rates_used(rows: list[dict[str, object]]) -> dict[int, float]:
    """The EUR/USD rates the rows' figures were converted at, by year (``*_fx_rate``)."""
    return {
        int(str(row["year"])): float(value)
        for row in rows
        for name, value in row.items()
        if name.endswith("_fx_rate") and isinstance(value, float)
    }


def top_rows(
    rows: list[dict[str, object]], top: int | None
) -> tuple[list[dict[str, object]], list[str]]:
    """The first ``top`` rows, and the line that says how many were left out."""
    if top is None or len(rows) <= top:
        return rows, []
    return rows[:top], [
        f"showing {top} of {len(rows)} rows; --top N shows more, --format csv prints them all"
    ]


def unit_of(currency: str) -> tuple[str, str]:
    """The column suffix and the symbol of a currency: ('_usd_m', '$')."""
    return f"_{currency.lower()}_m", "$" if currency == "USD" else "€"


__all__ = [
    "MISSING",
    "bar",
    "bn",
    "by_measure",
    "cell",
    "figure_notes",
    "flagged",
    "labelled",
    "line_ref",
    "marked",
    "num",
    "pct",
    "rates_used",
    "top_rows",
    "unit_of",
    "who",
]
