"""The growth table: each figure in both years, the change in money and in %, a bar.

Rows are the changes computed like with like (``compute.growth``'s ``comparable`` rows); the
figures with no change follow as lines grouped by the reason (a year missing, another reporter,
other republics), and pairs with no figure in either year are counted, not listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text

from ca_trade.bounds import MARKS
from ca_trade.schema import WORLD
from ca_trade.tables.cells import MISSING, bn, cell, num, unit_of, with_markers
from ca_trade.tables.layout import Block, Column, Grid, Lines

if TYPE_CHECKING:
    import polars as pl

BAR_HALF = 4  # cells each side of the axis
BAR_CAP = 25.0  # % at which the bar is full, unless every change is smaller

# Display order; priority: 0 stays, higher numbers leave the table first (the bar goes first).
# The from/to headers are set per call (the years).
_COLUMNS = (
    Column("Pair", "code", style="bold", marks=True),
    Column("Flow", "code"),
    Column("{from}", "number"),
    Column("{to}", "number"),
    Column("Change", "number"),
    Column("%", "number"),
    Column("", "extra", priority=9, bar=True),
    Column("By", "provenance", priority=1, short="by"),
)


# Over more than one year: the average annual rate takes the bar's place (a bar of a change over
# many years says less, and the table keeps its width).
_ANNUAL = Column("a year", "number")


def _columns(start: object, end: object) -> tuple[Column, ...]:
    columns = [replace(c, header=c.header.format(**{"from": start, "to": end})) for c in _COLUMNS]
    if _span(start, end) > 1:
        columns[6] = _ANNUAL
    return tuple(columns)


def _span(start: object, end: object) -> int:
    return int(str(end)) - int(str(start))


def _pair(row: dict[str, object]) -> str:
    """'CHN–KAZ', and 'KAZ–world' for a republic's own world totals."""
    if row["partner"] == WORLD:
        return f"{row['area']}–WLD"
    return f"{row['partner']}–{row['area']}"


def _figure(row: dict[str, object], year: str, unit: str) -> Text:
    """One year's figure in bn with its markers: * derived, † unstated, € converted, ~ partial."""
    return with_markers(num(row[f"value_{year}{unit}"]), row, year)


def _signed(value: float | None, text: str) -> Text:
    """A change, green up and red down; ``text`` already carries its sign."""
    if value is None:
        return Text(MISSING)
    return Text(text, style="green" if value > 0 else "red" if value < 0 else "")


def change_text(value: float | None) -> str:
    """'+2.82', '−0.22' (bn from millions), '—' when missing."""
    if value is None:
        return MISSING
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + bn(abs(value))


def change_pct_text(value: float | None) -> str:
    """'+6.15%', '−1.57%', '+3400%' (no decimals from 100% up), '—' when missing."""
    if value is None:
        return MISSING
    digits = 2 if abs(value) < 100 else 0
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{abs(value):,.{digits}f}%"


def change_bar(value: float | None, full: float, half: int = BAR_HALF) -> Text:
    """A bar either side of an axis: growth to the right, a fall to the left.

    ``full`` is the % that fills one side; a larger change fills it and ends in an arrow.
    Half-cell resolution: '█' and '▌' to the right, '█' and '▐' to the left.
    """
    if value is None:
        return Text("")
    steps = half * 2
    size = min(round(abs(value) / full * steps), steps) if full > 0 else 0
    clipped = abs(value) > full
    body = "█" * (size // 2)
    if value >= 0:
        right = body + ("▌" if size % 2 else "")
        if clipped:
            right = right[:-1] + "▶"
        text = Text(" " * half + "│", style="dim")
        text.append(right.ljust(half), style="green")
        return text
    left = ("▐" if size % 2 else "") + body
    if clipped:
        left = "◀" + left[1:]
    text = Text(left.rjust(half), style="red")
    text.append("│" + " " * half, style="dim")
    return text


def _who(row: dict[str, object]) -> str:
    reporters = row.get("from_reporters")
    if not isinstance(reporters, list) or not reporters:
        return MISSING
    codes = [str(c) for c in reporters]
    return "+".join(codes) if len(codes) < 5 else "the five"


def _short_reason(row: dict[str, object], start: object, end: object) -> str:
    """The reason in a few words, for grouping: the full text is in the CSV and JSON."""
    for year, prefix in ((start, "from"), (end, "to")):
        if not any(name.startswith(f"value_{prefix}_") and row[name] is not None for name in row):
            return f"no {year} figure"
    return str(row["no_change_reason"] or "")


def _grouped(rows: Iterable[dict[str, object]], start: object, end: object) -> list[str]:
    """'reason: CHN–UZB exports, imports; EU27–UZB turnover' lines, in first-seen order."""
    groups: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        pairs = groups.setdefault(_short_reason(row, start, end), {})
        pairs.setdefault(_pair(row), []).append(str(row["measure"]))
    return [
        f"• {reason}: " + "; ".join(f"{pair} {', '.join(flows)}" for pair, flows in pairs.items())
        for reason, pairs in groups.items()
    ]


def growth_tables(frame: pl.DataFrame, *, currency: str, basis_rule: str) -> list[Block]:
    """The growth table (``compute.growth`` columns), then the figures with no change."""
    unit, symbol = unit_of(currency)
    rows = frame.to_dicts()
    if not rows:
        return [Lines(["no rows"], style="")]
    start, end = rows[0]["from_year"], rows[0]["to_year"]
    changed = [r for r in rows if r["comparable"]]
    unchanged = [
        r
        for r in rows
        if not r["comparable"]
        and (r[f"value_from{unit}"] is not None or r[f"value_to{unit}"] is not None)
    ]
    empty = len(rows) - len(changed) - len(unchanged)
    largest = max((abs(num(r["change_pct"]) or 0.0) for r in changed), default=0.0)
    full = min(largest, BAR_CAP) or 1.0
    rule = (
        "the partner's statistics first, then the republic's"
        if basis_rule == "partner"
        else "the republics' statistics first, then the partner's"
    )
    bar_note = f"bar: the change in %, a fall to the left; a full side is ±{full:.0f}%" + (
        " (▶ ◀ beyond)" if largest > full else ""
    )
    notes = [
        f"{start} → {end} · basis: {rule}; unstated statements last",
        "a change is computed only like with like: the same reporter in both years and, for "
        "CA5, the same republics",
        "Pair: partner–area; X–WLD: a republic's own trade with the world (its exports and "
        "imports). By: whose statistics, both years",
        "* derived from the same reporter's other two flows (marked in each year it is) · "
        "† no stated statistical basis · ~ partial: only some of the five (the same both years)",
        "≥ ≤ a bound: the source says only 'more than' or 'less than', and so does the change "
        "computed from it; ≈ 'about'",
    ]
    if _span(start, end) > 1:
        notes.insert(
            3,
            f"a year: the average annual rate over the {_span(start, end)} years, "
            "(to / from)^(1/years) − 1, only when both ends come from the same reporter",
        )
    else:
        notes.insert(3, bar_note)
    notes.extend(_currency_notes(rows, currency, start, end))
    grid = Grid(
        f"Change {start}→{end}: China, the EU and Russia with Central Asia, and the republics "
        f"with the world ({symbol} bn)",
        _columns(start, end),
        notes=notes,
    )
    previous = None
    for row in changed:
        if previous is not None and row["partner"] != previous:
            grid.add_section()
        previous = row["partner"]
        change = num(row[f"change{unit}"])
        pct = num(row["change_pct"])
        annual = num(row.get("annual_rate_pct"))
        bound = MARKS.get(str(row.get("change_bound")), "")  # a change from a bound is one
        cells = [
            cell(_pair(row)),
            cell(row["measure"]),
            _figure(row, "from", unit),
            _figure(row, "to", unit),
            _signed(change, bound + change_text(change)),
            _signed(pct, bound + change_pct_text(pct)),
            change_bar(pct, full),
            cell(_who(row)),
        ]
        if _span(start, end) > 1:
            cells[6] = _signed(annual, bound + change_pct_text(annual))
        grid.add_row(*cells)
    out: list[Block] = [grid]
    lines = []
    for year, prefix in ((start, "from"), (end, "to")):
        absent = f"the data hold no {year} figures"
        if all(r[f"{prefix}_missing_reason"] == absent for r in rows):
            return [
                Lines(
                    [f"No change {start}→{end} to show: {absent}; --data can add a {year} file"],
                    style="",
                )
            ]
    if unchanged:
        lines.append("No change computed for these figures (the CSV and JSON say why in full):")
        lines.extend(_grouped(unchanged, start, end))
        other = "republic" if basis_rule == "partner" else "partner"
        lines.append(
            f"--basis {other} puts the other side's statistics first: some of these pairs have "
            "them in both years"
        )
    if empty:
        lines.append(
            f"{empty} more pairs and flows have no figure in either year (--format csv lists "
            "them with the reasons)"
        )
    if lines:
        out.append(Lines(lines, style=""))
    return out


def _currency_notes(
    rows: list[dict[str, object]], currency: str, start: object, end: object
) -> list[str]:
    """Which rates converted the figures, and what the rate alone did to a change."""
    rates = {
        year: rate
        for row in rows
        for year, key in ((start, "from_fx_rate"), (end, "to_fx_rate"))
        if isinstance(rate := row.get(key), float)
    }
    if not rates:
        return []
    effects = [num(r["currency_effect_pct"]) for r in rows if r["currency_effect_pct"] is not None]
    other = "EUR" if currency == "USD" else "USD"
    text = (
        f"€ converted from {other} at each year's own rate (ECB annual averages, USD per EUR: "
        + ", ".join(f"{year} {rate}" for year, rate in sorted(rates.items(), key=str))
        + ")"
    )
    if effects and (effect := effects[0]) is not None:
        text += (
            f"; the rate alone moves a converted figure by {change_pct_text(effect)}"
            f" (currency_effect_pct in the CSV)"
        )
    return [text]


__all__ = ["change_bar", "change_pct_text", "change_text", "growth_tables"]
