"""The Rich tables people read: one builder per command, and the house style.

The only module that imports rich (with ``progress``, which shows a bar). ``render.emit`` imports
it only for the table format. Each builder takes the command's result frame (the columns its
compute function returns) and returns renderables; nothing here prints except
``print_tables``.

- Table cells are ``rich.text.Text``: data never acts as markup.
- When stdout is not a terminal, tables have no colour and are not cut to 80 columns.
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from ca_trade.output_common import machine_frame, stdout_is_terminal

if TYPE_CHECKING:
    import polars as pl

MISSING = "—"
PIPE_WIDTH = 400  # table width when stdout is not a terminal: wide enough never to cut a column


def _table_console(file: io.StringIO | None = None) -> Console:
    if file is not None or not stdout_is_terminal():
        return Console(
            file=file or sys.stdout,
            width=PIPE_WIDTH,
            no_color=True,
            color_system=None,
            highlight=False,
            force_terminal=False,
            emoji=False,
        )
    return Console(highlight=False, emoji=False)


def table_text(renderables: Iterable[RenderableType]) -> str:
    """Render tables as plain text (no colour, no width limit), for --output files."""
    buffer = io.StringIO()
    console = _table_console(buffer)
    for item in renderables:
        console.print(item)
    return buffer.getvalue()


def print_tables(renderables: Iterable[RenderableType]) -> None:
    """Print to the terminal, in colour and at its width."""
    console = _table_console()
    for item in renderables:
        console.print(item)


# ---------------------------------------------------------------- table helpers


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
    return Text(MISSING if value is None else str(value), style=style)


def new_table(title: str, caption: str | None = None) -> Table:
    """A table in the house style."""
    return Table(
        title=title,
        caption=caption,
        caption_justify="left",
        title_justify="left",
        header_style="bold",
        show_lines=False,
        pad_edge=False,
    )


def add_number_column(table: Table, header: str) -> None:
    """A right-aligned column that never wraps."""
    table.add_column(header, justify="right", no_wrap=True)


def note_lines(lines: Iterable[str]) -> Text:
    """Notes under a table, printed literally."""
    return Text("\n".join(lines), style="dim")


def generic_table(
    frame: pl.DataFrame, title: str, *, limit: int | None = None
) -> list[Table | Text]:
    """Any frame as a table, numbers right-aligned; capped at ``limit`` rows with a hint."""
    table = new_table(title)
    numeric = {n for n, t in frame.schema.items() if t.is_numeric()}
    for name in frame.columns:
        if name in numeric:
            add_number_column(table, name)
        else:
            table.add_column(name, overflow="fold")
    shown = frame if limit is None else frame.head(limit)
    for row in machine_frame(shown, formula_safe=False).iter_rows():
        table.add_row(*[cell(_plain(v)) for v in row])
    out: list[Table | Text] = [table]
    if limit is not None and frame.height > limit:
        out.append(
            note_lines(
                [
                    f"showing {limit} of {frame.height} rows; --top N shows more, "
                    "--format csv prints them all"
                ]
            )
        )
    return out


def _plain(value: object) -> object:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return value


# ---------------------------------------------------------------- command tables

_MEASURES = ("turnover", "exports", "imports", "balance")


_KIND_OF_REPORTER = {
    "CHN": "customs",
    "EU27": "statement",
    "RUS": "officials",
    "CA5": "compilation",
}


def _who(reporter: str | None, basis: str | None) -> str:
    """Whose statistics, short: 'CHN customs · official', 'KAZ+KGZ+… statistics · compiled'."""
    if reporter is None:
        return MISSING
    codes = reporter.split(",")
    if len(codes) == 1:
        who = f"{codes[0]} {_KIND_OF_REPORTER.get(codes[0], 'statistics')}"
    else:
        who = f"{'+'.join(codes) if len(codes) < 5 else 'the five republics'}' statistics"
    return f"{who} · {basis}" if basis else who


def _by_measure(values: dict[str, str]) -> str:
    """One line when turnover, exports and imports agree; else a line per group."""
    turnover, exports, imports = values["turnover"], values["exports"], values["imports"]
    if turnover == exports == imports:
        return turnover
    if exports == imports:
        return f"turnover: {turnover}\nex/im: {exports}"
    return f"turnover: {turnover}\nexports: {exports}\nimports: {imports}"


def _marked(row: dict[str, object], measure: str, unit: str) -> Text:
    value = row[measure + unit]
    text = Text(bn(value if isinstance(value, float) else None))
    if value is None:
        return text
    if row.get(f"{measure}_derived"):
        text.append("*", style="yellow")
    if row.get(f"{measure}_basis") == "unstated":
        text.append("†", style="red")
    if row.get(f"{measure}_fx_rate") is not None:
        text.append("€", style="magenta")
    coverage = row.get(f"{measure}_coverage")
    if isinstance(coverage, str) and "partial" in coverage:
        text.append("~", style="red")
    return text


def _versus(row: dict[str, object], partners: Sequence[str]) -> str:
    from ca_trade.schema import NAMES

    parts = []
    for other in partners:
        ratio = row.get(f"turnover_ratio_to_{other.lower()}")
        if other != row["partner"] and isinstance(ratio, float):
            parts.append(f"{ratio:.2f}× {NAMES[other]}")
    return "\n".join(parts) if parts else MISSING


def figure_notes(rates_used: dict[int, float]) -> list[str]:
    """The legend for figure markers, with the exchange rate when one was used."""
    notes = [
        "* derived from the same reporter's other two flows (export = total − import, "
        "total = export + import)",
        "† a statement with no stated statistical basis (used only as a last resort)",
        "~ partial: not every republic has this figure (see coverage)",
        "— missing: not published, and not derivable (never counted as zero)",
    ]
    for year, rate in sorted(rates_used.items()):
        notes.append(f"€ converted from EUR at {rate} USD per EUR (ECB {year} annual average)")
    return notes


def compare_tables(
    frame: pl.DataFrame,
    *,
    currency: str,
    basis_rule: str,
    explain: pl.DataFrame | None = None,
) -> list[RenderableType]:
    """The compare table: partners ranked by turnover, with basis and coverage per figure."""
    from ca_trade.schema import NAMES, PARTNERS

    unit = f"_{currency.lower()}_m"
    symbol = "$" if currency == "USD" else "€"
    rows = frame.to_dicts()
    if not rows:
        return [Text("no rows")]
    area, year = rows[0]["area"], rows[0]["year"]
    rule = (
        "partner's statistics first, then the republic's; unstated statements last"
        if basis_rule == "partner"
        else "republics' statistics first, then the partner's; unstated statements last"
    )
    rates = {
        int(str(year)): float(value)
        for row in rows
        for name, value in row.items()
        if name.endswith("_fx_rate") and isinstance(value, float)
    }
    caption_lines = [
        f"{year} · basis: {rule} · balance = partner's exports − imports",
        *figure_notes(rates),
    ]
    if not rates:
        caption_lines.append("no currency conversion was needed for these figures")
    table = new_table(
        f"China, the EU and Russia in trade with {NAMES.get(area, area)}, {year} ({symbol} bn)",
        caption="\n".join(caption_lines),
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Partner", no_wrap=True)
    add_number_column(table, "Turnover")
    table.add_column("", no_wrap=True)
    add_number_column(table, "Exports")
    add_number_column(table, "Imports")
    add_number_column(table, "Balance")
    table.add_column("Turnover vs others", no_wrap=True)
    table.add_column("Basis (whose statistics)", ratio=3)
    table.add_column("Coverage", ratio=2)
    largest = max((r["turnover" + unit] or 0.0) for r in rows)
    for row in rows:
        measures = ("turnover", "exports", "imports")
        basis_text = _by_measure(
            {m: _who(row[f"{m}_reporter"], row[f"{m}_basis"]) for m in measures}
        )
        coverage_text = _by_measure({m: str(row[f"{m}_coverage"] or MISSING) for m in measures})
        balance = row["balance" + unit]
        balance_cell = _marked(row, "balance", unit)
        balance_cell.stylize(
            "green" if isinstance(balance, float) and balance >= 0 else "red",
            0,
            len(bn(balance if isinstance(balance, float) else None)),
        )
        table.add_row(
            cell(row["rank"]),
            cell(NAMES.get(str(row["partner"]), row["partner"]), style="bold"),
            _marked(row, "turnover", unit),
            bar(row["turnover" + unit], largest, width=12),
            _marked(row, "exports", unit),
            _marked(row, "imports", unit),
            balance_cell,
            cell(_versus(row, PARTNERS)),
            cell(basis_text),
            cell(coverage_text),
            end_section=True,
        )
    out: list[RenderableType] = [table]
    if explain is not None:
        out.extend(explain_tables(explain))
    return out


def _sources_table(title: str, first: str) -> Table:
    """An empty table for the data rows behind figures: ``first`` names what they are behind."""
    table = new_table(title)
    for name in (first, "line", "row", "basis", "source"):
        table.add_column(name, overflow="fold", justify="right" if name == "line" else "left")
    return table


def _add_source_row(table: Table, figure: str, row: dict[str, Any]) -> None:
    """One explain row (``compute.explain`` columns): the data row used, or why it is missing."""
    if row["line"] is None:
        table.add_row(cell(figure), cell(MISSING), cell(f"missing: {row['missing_reason']}"))
        return
    table.add_row(
        cell(figure),
        cell(row["line"]),
        cell(
            f"{row['reporter']}→{row['counterpart']} {row['flow']} "
            f"{row['value_millions']:,.0f} m {row['currency']}"
        ),
        cell(row["basis"]),
        cell(f"{row['source']} {row['source_url']}"),
    )


def explain_tables(explain: pl.DataFrame) -> list[RenderableType]:
    """The data rows behind each figure, grouped by figure, for citing."""
    table = _sources_table("Where each figure comes from (line = line in the data file)", "figure")
    keys = [c for c in explain.columns if c in ("partner", "area", "republic")]
    for row in explain.iter_rows(named=True):
        figure = " ".join(str(row[k]) for k in keys) + f" {row['measure']}"
        if row.get("derived"):
            figure += " (derived)"
        _add_source_row(table, figure, row)
    return [table]


def _top(
    rows: list[dict[str, object]], top: int | None
) -> tuple[list[dict[str, object]], list[str]]:
    if top is None or len(rows) <= top:
        return rows, []
    return rows[:top], [
        f"showing {top} of {len(rows)} rows; --top N shows more, --format csv prints them all"
    ]


def shares_tables(
    frame: pl.DataFrame,
    *,
    basis_rule: str,
    explain: pl.DataFrame | None = None,
) -> list[RenderableType]:
    """The shares table: per area, each partner's share of trade, imports and exports."""
    from ca_trade.schema import NAMES

    rows = frame.to_dicts()
    if not rows:
        return [Text("no rows")]
    year = rows[0]["year"]
    mixed_any = any(
        row.get(f"{m}_mixed_basis") for row in rows for m in ("trade", "imports", "exports")
    )
    caption = [
        f"{year} · share of the republic's own world total (partner WLD in its statistics)",
        "numerators: "
        + (
            "the republic's own statistics first"
            if basis_rule == "republic"
            else "the partner's statistics first"
        ),
        "◐ mixed basis: numerator and denominator come from different reporters"
        + (" — such shares are not like-for-like" if mixed_any else ""),
        "* derived figure; — missing (the reason is in --format json, *_missing_reason)",
        "Rest of world = 100% − the partners' shares; it includes any partner with no figure",
    ]
    table = new_table(f"Partners' shares of each republic's trade, {year}", "\n".join(caption))
    table.add_column("Area")
    table.add_column("Partner")
    for header in ("Trade", "", "Imports", "Exports"):
        if header:
            add_number_column(table, header)
        else:
            table.add_column("", no_wrap=True)
    table.add_column("Coverage (trade)")
    previous = None
    for row in rows:
        area = str(row["area"])
        if previous is not None and area != previous:
            table.add_section()
        previous = area

        def share(measure: str, row: dict[str, object] = row) -> Text:
            value = row[f"{measure}_share_pct"]
            text = Text(pct(value if isinstance(value, float) else None))
            if value is None:
                return text
            if row.get(f"{measure}_mixed_basis"):
                text.append("◐", style="red")
            if row.get(f"{measure}_derived") and row["partner"] != "ROW":
                text.append("*", style="yellow")
            return text

        trade_share = row["trade_share_pct"]
        table.add_row(
            cell(NAMES.get(area, area), style="bold"),
            cell("Rest of world" if row["partner"] == "ROW" else NAMES.get(str(row["partner"]))),
            share("trade"),
            bar(trade_share if isinstance(trade_share, float) else None, 100.0, width=15),
            share("imports"),
            share("exports"),
            cell(row.get("trade_coverage") or row.get("trade_missing_reason")),
        )
    out: list[RenderableType] = [table]
    if explain is not None:
        out.extend(explain_tables(explain))
    return out


def balance_tables(
    frame: pl.DataFrame,
    summary: pl.DataFrame,
    *,
    currency: str,
    basis_rule: str,
    top: int | None = None,
    explain: pl.DataFrame | None = None,
) -> list[RenderableType]:
    """The balance table, partner by area, with who holds the surplus and a summary line."""
    from ca_trade.schema import NAMES

    unit = f"_{currency.lower()}_m"
    symbol = "$" if currency == "USD" else "€"
    rows, notes = _top(frame.to_dicts(), top)
    if not rows:
        return [Text("no rows")]
    year = rows[0]["year"]
    perspective = rows[0]["perspective"]
    who = "partner's" if perspective == "partner" else "republic's"
    table = new_table(
        f"Trade balances, {year} ({symbol} bn; exports, imports and balance are the {who})",
        caption="\n".join(
            [
                "basis: "
                + (
                    "partner's statistics first"
                    if basis_rule == "partner"
                    else "republics' statistics first"
                )
                + "; exporters report FOB, importers CIF: a balance across reporters mixes both",
                *figure_notes({}),
            ]
        ),
    )
    table.add_column("Partner")
    table.add_column("Area")
    for header in ("Exports", "Imports", "Turnover", "Balance", "Bal. % turn.", "Exp. % turn."):
        add_number_column(table, header)
    table.add_column("Surplus with")
    table.add_column("Valuation")
    previous = None
    for row in rows:
        if previous is not None and row["partner"] != previous:
            table.add_section()
        previous = row["partner"]
        balance_value = row["balance" + unit]
        balance_cell = _marked(row, "balance", unit)
        if isinstance(balance_value, float):
            balance_cell.stylize("green" if balance_value >= 0 else "red")
        bal_pct, exp_pct = row["balance_pct_of_turnover"], row["exports_pct_of_turnover"]
        holder = row["surplus_holder"]
        table.add_row(
            cell(NAMES.get(str(row["partner"]), row["partner"]), style="bold"),
            cell(NAMES.get(str(row["area"]), row["area"])),
            _marked(row, "exports", unit),
            _marked(row, "imports", unit),
            _marked(row, "turnover", unit),
            balance_cell,
            cell(pct(bal_pct if isinstance(bal_pct, float) else None)),
            cell(pct(exp_pct if isinstance(exp_pct, float) else None)),
            cell(NAMES.get(str(holder), holder) if holder else MISSING),
            cell(row["valuation"] or MISSING, style="red" if row["mixed_reporters"] else "dim"),
        )
    lines = []
    for item in summary.iter_rows(named=True):
        partner = NAMES.get(item["partner"], item["partner"])
        with_surplus = [NAMES.get(c, c) for c in item["republics_with_surplus"]]
        counted = item["republics_with_balance"]
        if counted == 0:
            lines.append(f"{partner}: no republic has both exports and imports, so no balance")
            continue
        named = ", ".join(with_surplus) if with_surplus else "none"
        lines.append(
            f"Republics with a surplus with {partner}: {named} (of {counted} with a balance)"
        )
    out: list[RenderableType] = [table, note_lines(notes + lines)]
    if explain is not None:
        out.extend(explain_tables(explain))
    return out


def mirror_tables(frame: pl.DataFrame, *, currency: str, top: int | None) -> list[RenderableType]:
    """Both sides' figures for the same flow, the gap, and a bar for the gap index."""
    from ca_trade.schema import NAMES

    unit = f"_{currency.lower()}_m"
    symbol = "$" if currency == "USD" else "€"
    rows, notes = _top(frame.to_dicts(), top)
    if not rows:
        return [Text("no pair and flow is reported by both sides")]
    table = new_table(
        f"Mirror statistics: the same flow as each side reports it, {rows[0]['year']} "
        f"({symbol} bn), largest gap first",
        caption="\n".join(
            [
                "flow is the partner's: export = partner's exports = the republic's imports",
                "gap index = |a − b| / (a + b): 0 when the sides agree, 1 when one reports nothing",
                "* derived from the same reporter's other two flows",
                "Gaps come from CIF/FOB valuation (importers add freight and insurance), "
                "re-exports and transit (goods counted by origin on one side, by the "
                "trading country on the other), timing, and unrecorded or informal trade.",
            ]
        ),
    )
    table.add_column("Partner")
    table.add_column("Area")
    table.add_column("Flow")
    for header in ("Partner says", "Republic says", "Gap", "Ratio", "Gap index"):
        add_number_column(table, header)
    table.add_column("", no_wrap=True)
    for row in rows:
        a, b = row["partner_reported" + unit], row["republic_reported" + unit]
        a_text = Text(bn(a if isinstance(a, float) else None))
        b_text = Text(bn(b if isinstance(b, float) else None))
        if row["partner_derived"]:
            a_text.append("*", style="yellow")
        if row["republic_derived"]:
            b_text.append("*", style="yellow")
        ratio, index = row["ratio"], row["gap_index"]
        gap = row["gap" + unit]
        table.add_row(
            cell(f"{NAMES.get(str(row['partner']))} ({row['partner_reporter']})"),
            cell(f"{NAMES.get(str(row['area']))} ({row['republic_reporter']})"),
            cell(row["flow"]),
            a_text,
            b_text,
            cell(bn(gap if isinstance(gap, float) else None)),
            cell(
                f"{ratio:.2f}×" if isinstance(ratio, float) else MISSING,
                style="bold red" if isinstance(ratio, float) and (ratio > 2 or ratio < 0.5) else "",
            ),
            cell(f"{index:.2f}" if isinstance(index, float) else MISSING),
            bar(index if isinstance(index, float) else None, 1.0, width=20),
        )
    return [table, note_lines(notes)] if notes else [table]


def sources_tables(frame: pl.DataFrame, *, top: int | None) -> list[RenderableType]:
    """The data rows with their sources."""
    rows, notes = _top(frame.to_dicts(), top)
    table = new_table("Data rows and their sources (line = line in the data file)")
    add_number_column(table, "line")
    for name in ("row",):
        table.add_column(name, no_wrap=True)
    add_number_column(table, "value (m)")
    table.add_column("basis")
    table.add_column("source", overflow="fold")
    table.add_column("note", overflow="fold")
    for row in rows:
        table.add_row(
            cell(row["line"]),
            cell(f"{row['year']} {row['reporter']}→{row['partner']} {row['flow']}"),
            cell(f"{row['value_millions']:,.1f} {row['currency']}"),
            cell(row["basis"]),
            cell(f"{row['source']}\n{row['source_url']}"),
            cell(row["note"] or ""),
        )
    return [table, note_lines(notes)] if notes else [table]


# ---------------------------------------------------------------- check


_VERDICT_STYLE = {
    "holds": "bold green",
    "fails": "bold red",
    "depends on basis": "bold yellow",
    "not checkable": "bold dim",
}
_OP_SYMBOLS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "approx": "≈", "eq": "="}
_RESULT_STYLE = {"holds": "green", "fails": "red", "not checkable": "dim"}


def check_value(value: float | None, unit: str) -> str:
    """A check value in its unit: '$94.82bn', '18.82%', '1.622×', '#2'; '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if unit.endswith("_m"):
        symbol = "$" if unit.startswith("usd") else "€"
        sign = "−" if value < 0 else ""
        return f"{sign}{symbol}{abs(value) / 1000:,.2f}bn"
    if unit == "pct":
        return f"{value:.2f}%"
    if unit == "ratio":
        return f"{value:.3f}×"
    if unit == "rank":
        return f"#{value:.0f}"
    return f"{value:g}"


def check_tables(
    frame: pl.DataFrame,
    *,
    claims_name: str,
    explain: pl.DataFrame | None = None,
) -> list[RenderableType]:
    """The check table: per claim, the test, each basis's computed value and result, the verdict."""
    rows = frame.to_dicts()
    if not rows:
        return [Text("no claims")]
    verdicts: dict[str, str] = {}
    for row in rows:
        verdicts.setdefault(str(row["claim_id"]), str(row["verdict"]))
    plural = {"holds": "hold", "fails": "fail", "depends on basis": "depend on basis"}
    counts = {v: list(verdicts.values()).count(v) for v in _VERDICT_STYLE}
    summary = f"{len(verdicts)} claims: " + ", ".join(
        f"{n} {plural.get(v, v) if n > 1 else v}" for v, n in counts.items() if n
    )
    table = new_table(
        f"Claims checked against the data: {claims_name}",
        caption="\n".join(
            [
                summary,
                "statistics: partner = the partner's (China's customs, the EU's, Russia's); "
                "republic = the republics' own; mixed = both sides in one calculation "
                "(e.g. China's customs figure ÷ a republic's own world total)",
                "a claim is tested with each basis rule (partner first, republic first); rows "
                "that use the same statistics and give the same value are shown once",
                "verdict: holds / fails on every basis with the figures; depends on basis; "
                "not checkable (the figure is missing or covers only part of the five)",
                "* derived figure; exit status 0 only when every checkable claim holds",
            ]
        ),
    )
    table.add_column("ID", no_wrap=True)
    table.add_column("Test", ratio=5, overflow="fold")
    table.add_column("Statistics", no_wrap=True)
    add_number_column(table, "Claimed")
    add_number_column(table, "Computed")
    table.add_column("Result", no_wrap=True)
    table.add_column("Whose figures", ratio=1, overflow="fold")
    table.add_column("Verdict", ratio=3, overflow="fold")
    previous = None
    for row in rows:
        claim_id = str(row["claim_id"])
        first = claim_id != previous
        if first and previous is not None:
            table.add_section()
        previous = claim_id
        unit = str(row["unit"])
        than, claimed = row["than_value"], row["claimed_value"]
        target = than if than is not None else claimed
        claimed_text = f"{_OP_SYMBOLS.get(str(row['op']), row['op'])} {check_value(target, unit)}"
        tolerance = row["tolerance_value"]
        if tolerance is not None:
            shown = f"{tolerance:.2f}pp" if unit == "pct" else check_value(tolerance, unit)
            claimed_text += f" ±{shown.lstrip('#')}"
        computed = Text(check_value(row["computed_value"], unit))
        if row["computed_value"] is not None and row["computed_derived"]:
            computed.append("*", style="yellow")
        test = Text(str(row["test"]))
        if first:
            test.append("\n" + str(row["quote"]), style="dim italic")
        verdict = Text("")
        if first:
            verdict = Text(str(row["verdict"]), style=_VERDICT_STYLE.get(str(row["verdict"]), ""))
            verdict.append("\n" + str(row["verdict_detail"]), style="")
        result = str(row["result"])
        table.add_row(
            cell(claim_id if first else "", style="bold"),
            test if first else Text(""),
            cell(row["statistics"]),
            cell(claimed_text),
            computed,
            cell(result, style=_RESULT_STYLE.get(result, "")),
            cell(_whose(row["reporters"]), style="dim"),
            verdict,
        )
    out: list[RenderableType] = [table]
    if explain is not None:
        out.append(check_explain_table(explain))
    return out


def _whose(reporters: object) -> str:
    """'CHN–CA5 turnover: CHN; EU27–CA5 turnover: EU27' -> 'CHN / EU27'; all five: 'sum of 5'."""
    if not isinstance(reporters, str) or not reporters:
        return MISSING
    parts = []
    for part in reporters.split("; "):
        codes = part.rsplit(": ", 1)[-1]
        parts.append("sum of 5" if codes == "KAZ,KGZ,TJK,TKM,UZB" else codes)
    return " / ".join(dict.fromkeys(parts))


def check_explain_table(explain: pl.DataFrame) -> Table:
    """The data rows behind each claim's computed values, by claim and basis, for citing."""
    table = _sources_table(
        "Where each computed value comes from (line = line in the data file)", "claim"
    )
    for row in explain.iter_rows(named=True):
        _add_source_row(table, f"{row['claim_id']} · {row['statistics']}", row)
    return table
