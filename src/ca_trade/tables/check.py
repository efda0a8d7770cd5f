"""The check table: verdicts first (one line per claim), or per-basis rows with ``--details``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ca_trade.claims.model import check_value
from ca_trade.schema import REPUBLICS
from ca_trade.tables.cells import MISSING, cell
from ca_trade.tables.layout import Block, Column, Grid, Lines
from ca_trade.tables.sources import check_explain_table

if TYPE_CHECKING:
    import polars as pl

VERDICT_STYLE = {
    "holds": "bold green",
    "fails": "bold red",
    "depends on basis": "bold yellow",
    "mixed reporters": "bold yellow",
    "not decidable": "bold dim",
    "not checkable": "bold dim",
}
_PLURAL = {"holds": "hold", "fails": "fail", "depends on basis": "depend on basis"}
_OP_SYMBOLS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "approx": "≈", "eq": "="}
_RESULT_STYLE = {"holds": "green", "fails": "red", "not checkable": "dim", "not decidable": "dim"}

# Display order; priority: 0 stays, higher numbers leave the table first.
COLUMNS = (
    Column("ID", "code", style="bold"),
    Column("Claim", "prose", min_width=20),
    Column("Verdict", "code"),
)
DETAIL_COLUMNS = (
    Column("ID", "code", style="bold"),
    Column("Test", "prose", min_width=16),
    Column("Basis", "code", marks=True),
    Column("Claimed", "number", wrap=True, min_width=10),
    Column("Computed", "number"),
    Column("Result", "code"),
    Column("Whose figures", "provenance", priority=1, short="whose figures"),
    Column("Verdict", "prose", min_width=16),
)
STATISTICS = (
    "basis (whose statistics): partner = the partner's (China's customs, the EU's, Russia's); "
    "republic = the republics' own; mixed = both sides in one calculation "
    "(e.g. China's customs figure ÷ a republic's own world total)"
)


def _claims(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    """The first row of each claim, by claim ID, in order."""
    first: dict[str, dict[str, object]] = {}
    for row in rows:
        first.setdefault(str(row["claim_id"]), row)
    return first


def summary_line(rows: list[dict[str, object]]) -> str:
    """'27 claims: 12 hold, 3 fail, 10 depend on basis, 2 not checkable'."""
    verdicts = [str(r["verdict"]) for r in _claims(rows).values()]
    counts = {v: verdicts.count(v) for v in VERDICT_STYLE}
    return f"{len(verdicts)} claim{'s' if len(verdicts) != 1 else ''}: " + ", ".join(
        f"{n} {_PLURAL.get(v, v) if n > 1 else v}" for v, n in counts.items() if n
    )


_MARK = {"holds": "✓", "fails": "✗", "not checkable": "?", "not decidable": "≟"}
VERDICT_LEGEND = (
    "✓ holds, ✗ fails on that basis; ? not checkable, ≟ not decidable there (why: below); "
    "a verdict rests on like-for-like statistics, mixed ones only when nothing else decides"
)


def _by_claim(rows: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    """Each claim's rows (one per basis), by claim ID, in order."""
    out: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        out.setdefault(str(row["claim_id"]), []).append(row)
    return out


def _basis_label(row: dict[str, object], rows: list[dict[str, object]]) -> str:
    """'partner', 'republic', 'mixed'; 'mixed (partner)' when both rules mix, differently."""
    statistics = str(row["statistics"])
    if sum(1 for r in rows if r["statistics"] == statistics) > 1:
        return f"{statistics} ({str(row['basis_rule']).split(',')[0]})"
    return statistics


def _verdict(rows: list[dict[str, object]]) -> Text:
    """The verdict with the bases it rests on, short enough never to wrap at 80 columns:
    'holds: partner, mixed', 'depends: ✓ partner ✗ republic', 'holds: partner; mixed ?'.
    Built from the rows' ``statistics`` and ``result`` columns (one row per basis)."""
    verdict = str(rows[0]["verdict"])
    style = VERDICT_STYLE.get(verdict, "")
    results = {_basis_label(r, rows): str(r["result"]) for r in rows}
    if verdict in ("not checkable", "not decidable"):
        return Text(f"{verdict} (why: below)", style)
    if verdict == "depends on basis":
        text = Text("depends:", style=style)
        text.append("".join(f" {_MARK.get(r, r)} {basis}" for basis, r in results.items()))
        return text
    if verdict == "mixed reporters":  # every reading mixes: name the rules instead
        text = Text("mixed:", style=style)
        for r in rows:
            rule = str(r["basis_rule"]).replace(",", "+")
            text.append(f" {_MARK.get(str(r['result']), str(r['result']))} {rule}")
        return text
    same = [basis for basis, r in results.items() if r == verdict]
    unknown = [
        f"{basis} {_MARK[r]}"
        for basis, r in results.items()
        if r in ("not checkable", "not decidable")
    ]
    text = Text(verdict, style=style)
    text.append(": " + ", ".join(same) + (f"; {', '.join(unknown)}" if unknown else ""))
    return text


def _reasons(claim_id: str, rows: list[dict[str, object]]) -> list[str]:
    """Why a claim, or one basis of it, could not be checked or decided (for the notes)."""
    verdict = str(rows[0]["verdict"])
    if verdict in ("not checkable", "not decidable"):
        return [f"{claim_id}: {rows[0]['verdict_detail']}"]
    return [
        f"{claim_id} on {_basis_label(r, rows)}: {r['computed_missing_reason']}"
        for r in rows
        if r["result"] in ("not checkable", "not decidable") and r["computed_missing_reason"]
    ]


def check_tables(
    frame: pl.DataFrame,
    *,
    claims_name: str,
    explain: pl.DataFrame | None = None,
    details: bool = False,
    tally: list[str] | None = None,
) -> list[Block]:
    """The check table (``claims.evaluate`` columns): a line per claim, or per basis (details).

    ``tally``: the lines saying why claims could not be checked (``claims.tally``), last."""
    rows = frame.to_dicts()
    if not rows:
        return [Lines(["no claims"], style="")]
    title = f"Claims checked against the data: {claims_name}"
    grid = _detail_grid(rows, title) if details else _verdict_grid(rows, title)
    grid.notes.extend(tally or [])
    out: list[Block] = [grid]
    if explain is not None:
        out.extend(check_explain_table(explain))
    return out


def _verdict_grid(rows: list[dict[str, object]], title: str) -> Grid:
    claims = _by_claim(rows)
    why = [reason for claim_id, group in claims.items() for reason in _reasons(claim_id, group)]
    grid = Grid(
        title,
        COLUMNS,
        notes=[
            summary_line(rows),
            VERDICT_LEGEND,
            *(["not checkable or not decidable:", *why] if why else []),
            "each claim is tested with the partner's statistics first and with the "
            "republics' first; " + STATISTICS.removeprefix("basis (whose statistics): "),
            "--details shows the claimed and computed values on each basis; --explain the "
            "data rows behind them; exit status 0 only when every checkable claim holds",
        ],
    )
    for claim_id, group in claims.items():
        grid.add_row(cell(claim_id), cell(group[0]["test"]), _verdict(group))
    return grid


def _detail_grid(rows: list[dict[str, object]], title: str) -> Grid:
    grid = Grid(
        title,
        DETAIL_COLUMNS,
        notes=[
            summary_line(rows),
            STATISTICS,
            "a claim is tested with each basis rule (partner first, republic first); rows "
            "that use the same statistics and give the same value are shown once",
            "verdict: holds / fails on every basis with the figures; depends on basis; "
            "not checkable (the figure is missing or covers only part of the five)",
            "* derived figure; exit status 0 only when every checkable claim holds",
        ],
    )
    previous = None
    for row in rows:
        claim_id = str(row["claim_id"])
        first = claim_id != previous
        if first and previous is not None:
            grid.add_section()
        previous = claim_id
        unit = str(row["unit"])
        than, claimed = row["than_value"], row["claimed_value"]
        target = than if than is not None else claimed
        shown_target = check_value(target if isinstance(target, float) else None, unit)
        upper = row.get("claimed_upper_value")
        if isinstance(upper, float):  # op between: both ends, excluded
            claimed_text = f"{shown_target} to {check_value(upper, unit)}"
        else:
            claimed_text = f"{_OP_SYMBOLS.get(str(row['op']), str(row['op']))} {shown_target}"
        tolerance = row["tolerance_value"]
        if isinstance(tolerance, float):
            shown = f"{tolerance:.2f}pp" if unit == "pct" else check_value(tolerance, unit)
            claimed_text += f" ±{shown.lstrip('#')}"
        value = row["computed_value"]
        computed = Text(check_value(value if isinstance(value, float) else None, unit))
        if value is not None and row["computed_derived"]:
            computed.append("*", style="yellow")
        test = Text(str(row["test"]))
        if first:
            test.append("\n" + str(row["quote"]), style="dim italic")
        verdict = Text("")
        if first:
            verdict = Text(str(row["verdict"]), style=VERDICT_STYLE.get(str(row["verdict"]), ""))
            verdict.append("\n" + str(row["verdict_detail"]), style="")
        result = str(row["result"])
        grid.add_row(
            cell(claim_id, style="" if first else "dim"),
            test if first else Text(""),
            cell(row["statistics"]),
            cell(claimed_text),
            computed,
            cell(result, style=_RESULT_STYLE.get(result, "")),
            cell(whose(row["reporter_codes"])),
            verdict,
        )
    return grid


def whose(codes: object) -> str:
    """The reporters of a check row (its typed ``reporter_codes``): 'CHN / EU27'; the five
    republics together: 'sum of 5'."""
    if not isinstance(codes, list) or not codes:
        return MISSING
    named = [str(c) for c in codes]
    republics = set(REPUBLICS)
    if republics <= set(named):
        named = ["sum of 5", *(c for c in named if c not in republics)]
    return " / ".join(named)
