"""Tables that read in any terminal: every table at 80-200 columns, a real terminal, Markdown.

Each command's blocks are captured from a real CLI run (``render.emit`` is intercepted), then
drawn by a Rich console of each width. The numbers a table must show are the command's own
CSV numbers, formatted here by hand at the table's precision (not by the table's code).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from ca_trade import render
from ca_trade.cli import app
from ca_trade.tables import draw as drawing
from ca_trade.tables import layout
from conftest import DATA

WIDTHS = (80, 100, 120, 160, 200)
BAD_FILE = DATA / "bad" / "negative.csv"


def bn2(v: float) -> str:
    """Millions as billions, 2 decimals, thousands grouped: 94820.0 -> '94.82'."""
    return f"{abs(v) / 1000:,.2f}"


def pct1(v: float) -> str:
    return f"{abs(v):.1f}%"


def fixed2(v: float) -> str:
    return f"{v:.2f}"


def times2(v: float) -> str:
    return f"{v:.2f}×"


def whole(v: float) -> str:
    return f"{v:.0f}"


def millions0(v: float) -> str:
    return f"{v:,.0f}"


def millions1(v: float) -> str:
    return f"{v:,.1f}"


def check_value(unit: str) -> Callable[[float], str]:
    """The check table's units, by hand: usd_m -> '$94.82bn', pct -> '20.91%', ratio -> '1.622×'."""

    def fmt(v: float) -> str:
        if unit.endswith("_m"):
            return f"{abs(v) / 1000:,.2f}bn"
        if unit == "pct":
            return f"{v:.2f}%"
        if unit == "ratio":
            return f"{v:.3f}×"
        return f"#{v:.0f}"

    return fmt


# Per command: the arguments, the CSV numbers the table shows (column -> format), and the CSV
# numbers it does not show, with the reason. Every numeric CSV column is in one of the two,
# so a new numeric column makes this test fail until someone decides where it is shown.
CASES: dict[str, dict[str, Any]] = {
    "compare": {
        "args": ["compare"],
        "shown": {
            "year": whole,
            "rank": whole,
            "turnover_usd_m": bn2,
            "exports_usd_m": bn2,
            "imports_usd_m": bn2,
            "balance_usd_m": bn2,
            "turnover_ratio_to_chn": times2,
            "turnover_ratio_to_eu27": times2,
            "turnover_ratio_to_rus": times2,
            "turnover_fx_rate": str,  # the legend: "converted from EUR at 1.0824 USD per EUR"
            "imports_fx_rate": str,  # the EU's own imports from UZB in 2024 (R4001), in EUR
            "balance_fx_rate": str,
        },
        "not_shown": {},
    },
    "compare-kgz-republic": {
        "args": ["compare", "--republic", "KGZ", "--basis", "republic"],
        "shown": "compare",
        "not_shown": {},
    },
    "compare-explain": {
        "args": ["compare", "--explain"],
        "shown": {"line": whole, "value_millions": millions0},
        "not_shown": {},
    },
    "shares": {
        "args": ["shares"],
        "shown": {
            "year": whole,
            "trade_share_pct": pct1,
            "imports_share_pct": pct1,
            "exports_share_pct": pct1,
        },
        "not_shown": {  # the money behind each share: compare and balance show it
            c: "numerator or denominator of a share"
            for m in ("trade", "imports", "exports")
            for c in (f"{m}_usd_m", f"world_{m}_usd_m")
        },
    },
    "balance": {
        "args": ["balance"],
        "shown": {
            "year": whole,
            "exports_usd_m": bn2,
            "imports_usd_m": bn2,
            "turnover_usd_m": bn2,
            "balance_usd_m": bn2,
            "balance_pct_of_turnover": pct1,
            "exports_pct_of_turnover": pct1,
            "turnover_fx_rate": str,
            "imports_fx_rate": str,
            "balance_fx_rate": str,
        },
        "not_shown": {},
    },
    "balance-chn": {"args": ["balance", "--partner", "CHN"], "shown": "balance", "not_shown": {}},
    "mirror": {
        "args": ["mirror"],
        "shown": {
            "year": whole,
            "partner_reported_usd_m": bn2,
            "republic_reported_usd_m": bn2,
            "gap_usd_m": bn2,
            "ratio": times2,
            "gap_index": fixed2,
        },
        "not_shown": {},
    },
    "sources": {
        "args": ["sources", "--top", "1000"],
        "shown": {"line": whole, "year": whole, "value_millions": millions1},
        "not_shown": {},
    },
    "check": {
        "args": ["check"],
        "shown": {"claim_id": str},  # verdicts first: the values are in --details and the CSV
        "not_shown": dict.fromkeys(
            (
                "claim_index",
                "year",
                "claimed_value",
                "computed_value",
                "tolerance_value",
                "than_value",
                "claimed_upper_value",
            ),
            "check --details shows it",
        ),
    },
    "check-details": {
        "args": ["check", "--details"],
        "shown": {
            "claim_id": str,
            "computed_value": "unit",
            "claimed_value": "unit",
            "than_value": "unit",
        },
        "not_shown": {
            "claim_index": "the claim's position; the table shows its ID",
            "year": "the claim's year is in its test",
            "tolerance_value": "shown as ± in the claimed cell (pp for percentages)",
            "claimed_upper_value": "a range claim's upper bound, in its test",
        },
    },
    "growth": {
        "args": ["growth"],
        "rows": lambda row: row["change_usd_m"] != "",  # the figures with no change: listed
        "shown": {
            "from_year": whole,
            "to_year": whole,
            "value_from_usd_m": bn2,
            "value_to_usd_m": bn2,
            "change_usd_m": bn2,
            "change_pct": lambda v: f"{abs(v):,.2f}%" if abs(v) < 1000 else f"{abs(v):,.0f}%",
            "currency_effect_pct": lambda v: f"{abs(v):.2f}%",  # in the legend
        },
        "not_shown": {
            "from_fx_rate": "rate of a converted figure (growth's own legend)",
            "to_fx_rate": "rate of a converted figure (growth's own legend)",
            "annual_rate_pct": "over one year it is change_pct; a column over longer spans",
        },
    },
    "growth-span": {
        "args": ["growth", "--from", "2018", "--to", "2022"],
        "rows": lambda row: row["change_usd_m"] != "",
        "shown": {
            "from_year": whole,
            "to_year": whole,
            "value_from_usd_m": bn2,
            "value_to_usd_m": bn2,
            "change_usd_m": bn2,
            "change_pct": lambda v: f"{abs(v):,.2f}%" if abs(v) < 100 else f"{abs(v):,.0f}%",
            "annual_rate_pct": lambda v: f"{abs(v):,.2f}%",
            "currency_effect_pct": lambda v: f"{abs(v):.2f}%",  # in the legend
        },
        "not_shown": {
            "from_fx_rate": "rate of a converted figure (growth's own legend)",
            "to_fx_rate": "rate of a converted figure (growth's own legend)",
        },
    },
    "series": {
        "args": ["series", "--partner", "CHN"],
        "shown": {
            "year": whole,
            "value_usd_m": bn2,
            "change_pct": lambda v: f"{v:+.1f}%",
        },
        "not_shown": {
            "change_usd_m": "the change in %; the money change is in the CSV",
            "fx_rate": "rate of a converted figure (the legend)",
        },
    },
    "validate": {
        "args": ["validate", str(BAD_FILE)],
        "shown": {"line": whole},
        "not_shown": {},
    },
}


@cache
def captured(name: str) -> tuple[list[layout.Block], str]:
    """The command's table blocks and its CSV text, from one real CLI run."""
    seen: dict[str, Any] = {}

    def emit(frame: Any, fmt: Any, *, build_tables: Any, **kwargs: Any) -> None:
        seen["frame"], seen["build"] = frame, build_tables

    with mock.patch.object(render, "emit", emit):
        result = CliRunner().invoke(app, [*CASES[name]["args"], "-f", "table"])
    assert "build" in seen, result.stderr
    return list(seen["build"]()), render.csv_text(seen["frame"])


def draw(blocks: Sequence[layout.Block], width: int) -> str:
    console = Console(
        file=io.StringIO(), width=width, color_system=None, force_terminal=False, emoji=False
    )
    for item in drawing.blocks_to_renderables(blocks, width):
        console.print(item)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def appears(text: str, shown: str) -> bool:
    """``shown`` in ``text`` as a whole number (not inside a longer one)."""
    return re.search(rf"(?<![\d.,]){re.escape(shown)}(?![\d])", text) is not None


def numbers_of(name: str, csv_text: str) -> list[tuple[str, str]]:
    """(column, text the table must show) for every number of the CSV it shows."""
    case = CASES[name]
    shown = case["shown"]
    if isinstance(shown, str):
        shown = CASES[shown]["shown"]
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    wanted = []
    for row in filter(case.get("rows", bool), rows):
        for column, value in row.items():
            if not re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", value or ""):
                continue
            if column.endswith(("_source_lines", "_source_years")):
                continue  # the data rows behind a figure: --explain lists them, with sources
            assert column in shown or column in case["not_shown"], (
                f"{name}: numeric CSV column {column!r} is neither shown nor listed as not shown"
            )
            if column not in shown:
                continue
            fmt = shown[column]
            if fmt == "unit":
                fmt = check_value(row["unit"])
            wanted.append((column, fmt(float(value)) if fmt is not str else value))
    return wanted


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_table_fits_cuts_nothing_and_shows_every_number(name: str, width: int) -> None:
    blocks, csv_text = captured(name)
    text = draw(blocks, width)
    lines = text.splitlines()
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width}: {too_wide[0]!r}"
    assert "…" not in text
    missing = [(c, s) for c, s in numbers_of(name, csv_text) if not appears(text, s)]
    assert not missing, f"not in the table at {width} columns: {missing[:5]}"


def test_a_narrow_table_says_what_moved_and_keeps_provenance() -> None:
    blocks, _ = captured("compare")
    text = draw(blocks, 80)
    assert "China" in text and "CHN customs · official" in text  # basis of China's figures
    assert "5/5 republics" in text  # coverage, moved to a keyed note
    assert "--wide or --format csv" in " ".join(text.split())
    wide = draw(blocks, 400)
    assert "Basis (whose statistics)" in wide and "Coverage" in wide
    assert "moved" not in wide and "notes below" not in wide


def test_full_layout_is_one_line_per_row() -> None:
    blocks, _ = captured("compare")
    text = drawing.blocks_text(blocks, None)
    china = [line for line in text.splitlines() if "China " in line and "94.82" in line]
    assert (
        len(china) == 1
        and "CHN customs · official" in china[0]
        and "published region total" in china[0]
    )


# ---------------------------------------------------------------- layout, unit by unit


def grid(*widths: int) -> layout.Grid:
    columns = [layout.Column("key", "code")] + [
        layout.Column(f"c{i}", "number") for i in range(len(widths))
    ]
    g = layout.Grid("t", columns)
    g.add_row("k", *["9" * w for w in widths])
    return g


def test_table_width_matches_what_rich_draws() -> None:
    for widths in [(2,), (5, 7), (3, 3, 3, 10)]:
        g = grid(*widths)
        expected = layout.table_width([3, *widths])  # headers: "key" 3, "c0" 2 wide
        drawn = draw([g], 500).splitlines()[1]  # the top rule of the table
        assert cell_len(drawn) == expected


def test_columns_that_never_leave_stack_when_they_do_not_fit() -> None:
    g = grid(30, 30, 30)  # 3 + 90 + 3 * 4 - 1 = 104 wide
    assert layout.fit(g, 104) is not None
    assert layout.fit(g, 103) is None  # stacked
    text = draw([g], 60)
    assert "one block per row" in text
    assert all(cell_len(line) <= 60 for line in text.splitlines())
    assert text.count("9" * 30) == 3


def test_prose_wraps_at_spaces_only() -> None:
    g = layout.Grid("t", [layout.Column("id", "code"), layout.Column("text", "prose")])
    g.add_row("a", "alpha beta gamma delta epsilon")
    text = draw([g], 20)
    body = [line.strip("│ ") for line in text.splitlines() if line.startswith("│")]
    words = " ".join(part.split("│")[-1].strip() for part in body).split()
    assert words == ["alpha", "beta", "gamma", "delta", "epsilon"]


def test_rows_with_the_same_moved_cells_share_a_key() -> None:
    columns = [
        layout.Column("name", "code"),
        layout.Column("n", "number"),
        layout.Column("basis", "provenance", priority=1),
    ]
    g = layout.Grid("t", columns)
    g.add_row("alpha", "1", "CHN customs official figures here")
    g.add_row("beta", "2", "CHN customs official figures here")
    g.add_row("gamma", "3", "UZB statistics official figures there")
    fitted = layout.fit(g, 20)
    assert fitted is not None
    assert fitted.keys == ["ᵃ", "ᵃ", "ᵇ"]
    assert [text for _, text in fitted.notes] == [
        "basis: CHN customs official figures here",
        "basis: UZB statistics official figures there",
    ]


# ---------------------------------------------------------------- a real terminal


def _in_a_terminal(args: list[str], columns: int) -> str:
    """Run ``ca-trade ARGS`` on a pseudo-terminal ``columns`` wide; its output, no escapes."""
    script = shutil.which("script")
    if script is None:
        pytest.skip("needs script(1) for a pseudo-terminal")
    command = f"stty cols {columns} rows 50; {sys.executable} -m ca_trade {' '.join(args)}"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env |= {"NO_COLOR": "1", "TERM": "xterm-256color"}
    done = subprocess.run(
        [script, "-q", "-e", "-c", command, "/dev/null"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        timeout=120,
    )
    text = done.stdout.decode("utf-8", errors="replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "")
    assert "Traceback" not in text
    return text


def test_compare_at_80_columns_in_a_real_terminal() -> None:
    text = _in_a_terminal(["compare"], 80)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert "…" not in text
    # By hand from data/trade_2024.csv ($ bn at two decimals): China's customs with the five
    # 43820 + 22710 + 3860 + 10650 + 13780 = 94820; the EU's EUR 54bn x 1.0824; Russia 45000;
    # China's exports 28000 + 19900 + 3500 + 1000 + 11800 = 64200 (KGZ 'over 19.9bn' and TJK
    # 3.5bn published: R4033, R4034), balance 64200 - 30650 = 33550.
    figures = (
        43820 + 22710 + 3860 + 10650 + 13780,
        54000 * 1.0824,
        45000,
        28000 + 19900 + 3500 + 1000 + 11800,
        64200 - 30650,
    )
    expected = [f"{value / 1000:.2f}" for value in figures]
    assert expected == ["94.82", "58.45", "45.00", "64.20", "33.55"]
    # The default year is 2024; 2025 is partial, and a line on stderr says so.
    assert "2025 is partial (China's customs; KGZ, UZB statistics): --year 2025" in text
    for shown in (*expected, "China", "Russia"):
        assert appears(text, shown), shown
    assert "CHN customs · official" in text  # whose statistics: never lost
    assert "--wide or --format csv" in " ".join(text.split())


def test_check_at_80_columns_in_a_real_terminal() -> None:
    text = _in_a_terminal(["check"], 80)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert "…" not in text
    summary = [line for line in lines if re.match(r"\d+ claims: ", line)]
    assert summary, text[-2000:]
    claims = int(summary[0].split()[0])
    rows = [line for line in lines if re.match(r"│\S+ ", line)]
    assert len(rows) == claims  # one row per claim, the ID on its first line
    assert len([line for line in lines if line.startswith("│")]) <= 2 * claims  # two at most
    # The verdict, with its bases, whole on the claim's first line: never wrapped.
    claim_1 = next(line for line in rows if line.startswith("│1 "))
    assert claim_1.split("│")[-2].strip() == "depends: ✓ partner ✗ republic"
    continued = [line for line in lines if line.startswith("│ ") and line not in rows]
    assert all(line.split("│")[-2].strip() == "" for line in continued)


# ---------------------------------------------------------------- Markdown


def _markdown_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if not line.startswith("| "):
            continue
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([re.sub(r"\\(.)", r"\1", c.strip()) for c in cells])
    return rows


def test_markdown_rows_are_the_tables_own_numbers() -> None:
    result = CliRunner().invoke(app, ["compare", "-f", "md"])
    assert result.exit_code == 0, result.stderr
    header, align, *body = _markdown_rows(result.stdout)
    assert header[:7] == [
        "#",
        "Partner",
        "Turnover",
        "Exports",
        "Imports",
        "Balance",
        "Turnover vs others",
    ]
    assert set(align[2:6]) == {"---:"}
    csv_rows = list(
        csv.DictReader(io.StringIO(CliRunner().invoke(app, ["compare", "-f", "csv"]).stdout))
    )
    assert [r[1] for r in body] == ["China", "EU", "Russia"]
    cell = re.compile(
        r"^(?P<bound>[≥≤≈]?)(?P<number>[\d,.]+)(?P<marks>[*†€~◐]*)(<br>(?P<only>.*) only)?$"
    )
    for md, row in zip(body, csv_rows, strict=True):
        for i, measure in ((2, "turnover"), (3, "exports"), (4, "imports")):
            found = cell.match(md[i])
            assert found, md[i]
            assert found["number"] == f"{float(row[measure + '_usd_m']) / 1000:,.2f}"
            # each marker exactly where the CSV's flags say, in the table's order
            expected = "".join(
                mark
                for mark, flag in (
                    ("*", row[f"{measure}_derived"] == "true"),
                    ("†", row[f"{measure}_basis"] == "unstated"),
                    ("€", row[f"{measure}_fx_rate"] != ""),
                    ("~", row[f"{measure}_partial"] == "true"),
                    ("◐", row[f"{measure}_mixed"] == "true"),
                )
                if flag
            )
            assert found["marks"] == expected, (md[i], measure)
            bound = {"lower": "≥", "upper": "≤", "approx": "≈"}.get(row[f"{measure}_bound"], "")
            assert found["bound"] == bound
            covers = row[f"{measure}_covers"].replace(" ", "+")
            assert found["only"] == (covers if row[f"{measure}_partial"] == "true" else None)
    # the same cells as the table draws them
    blocks, _ = captured("compare")
    table = next(b for b in blocks if isinstance(b, layout.Grid))
    numbers = [i for i, c in enumerate(table.columns) if c.kind == "number"]
    drawn = [[r.cells[i].plain.replace("\n", "<br>") for i in numbers] for r in table.rows]
    assert [[md[i] for i in (0, 2, 3, 4, 5)] for md in body] == drawn
    assert "- * derived from the same reporter's" in result.stdout.replace("\\*", "*")


def test_markdown_in_a_pipe_is_asked_for_the_default_stays_csv() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ca_trade", "compare"], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.startswith("year,area,partner,")


def test_markdown_cells_escape_pipes() -> None:
    g = layout.Grid("t", [layout.Column("a", "code")])
    g.add_row("x | y")
    assert "| x \\| y |" in drawing.markdown([g])


def test_every_command_with_a_table_takes_wide_and_md(tmp_path: Path) -> None:
    for args in (["compare"], ["check"], ["mirror"], ["sources"], ["balance"], ["shares"]):
        wide = CliRunner().invoke(app, [*args, "--wide", "-f", "md"])
        assert wide.exit_code in (0, 1), (args, wide.stderr)
        assert wide.stdout.startswith("**"), args


def test_markdown_nests_bullet_notes_under_the_note_before() -> None:
    from ca_trade.tables.draw import markdown
    from ca_trade.tables.layout import Lines

    text = markdown([Lines(["No change for:", "• 2023 from UZB, 2024 from CHN: CHN–UZB exports"])])
    assert text == "- No change for:\n  - 2023 from UZB, 2024 from CHN: CHN–UZB exports\n"
