"""Which cells carry which marker, on the bundled data, in the table and in Markdown.

Two checks. Every figure cell of compare, shares, balance and growth carries exactly the
markers its row's typed flags in JSON call for (so a marker drawn too often, too rarely or
for the wrong flag fails). And a few cells are worked out here from the data rows themselves,
read with the csv module, not with ca-trade's loader.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_trade.cli import app

DATA = Path(__file__).resolve().parent.parent / "data"
CELL = re.compile(
    r"^(?P<bound>[≥≤≈]?)(?P<number>[−\-+]?[\d,.]+%?)(?P<marks>[*†€~◐]*)(<br>(?P<only>\S+) only)?$"
)
FLOWS = {"Turnover": "turnover", "Exports": "exports", "Imports": "imports"}
MEASURES = {
    "compare": {**FLOWS, "Balance": "balance"},
    "balance": {**FLOWS, "Balance": "balance"},
    "shares": {"Trade": "trade", "Imports": "imports", "Exports": "exports"},
}


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def markdown_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """The first Markdown table's header and rows, cells unescaped."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    split = [[c.strip().replace("\\", "") for c in line.strip("|").split(" | ")] for line in lines]
    return split[0], split[2:]


def expected_marks(row: dict, prefix: str) -> tuple[str, str]:
    """The bound marker and the markers after the number that the row's flags call for."""
    bound = {"lower": "≥", "upper": "≤", "approx": "≈"}.get(row.get(f"{prefix}_bound") or "", "")
    marks = "".join(
        mark
        for mark, flag in (
            ("*", row.get(f"{prefix}_derived")),
            ("†", row.get(f"{prefix}_basis") == "unstated"),
            ("€", row.get(f"{prefix}_fx_rate") is not None),
            ("~", row.get(f"{prefix}_partial")),
            ("◐", row.get(f"{prefix}_mixed")),
        )
        if flag
    )
    return bound, marks


def check_cell(text: str, row: dict, prefix: str, labels: bool = True) -> None:
    if text == "—":
        return
    found = CELL.match(text)
    assert found, text
    bound, marks = expected_marks(row, prefix)
    assert (found["bound"], found["marks"]) == (bound, marks), (text, prefix, row.get("partner"))
    if labels:  # a partial figure says which republics it covers
        covers = row.get(f"{prefix}_covers") or []
        assert found["only"] == ("+".join(covers) if row.get(f"{prefix}_partial") else None)


@pytest.mark.parametrize("command", ["compare", "balance", "shares"])
@pytest.mark.parametrize("basis", ["partner", "republic"])
def test_every_cell_carries_exactly_its_flags(command: str, basis: str) -> None:
    rows = json.loads(run(command, "--basis", basis, "--format", "json"))
    header, cells = markdown_rows(run(command, "--basis", basis, "--format", "md", "--wide"))
    assert len(cells) == len(rows)
    for line, row in zip(cells, rows, strict=True):
        if command == "shares" and row["partner"] == "ROW":
            row = {**row, **{f"{m}_derived": False for m in ("trade", "imports", "exports")}}
        for column, measure in MEASURES[command].items():
            check_cell(line[header.index(column)], row, measure, labels=command != "shares")


def test_growth_cells_carry_each_years_flags() -> None:
    rows = json.loads(run("growth", "--format", "json"))

    def pair(r: dict) -> str:
        return f"{r['area']}–WLD" if r["partner"] == "WLD" else f"{r['partner']}–{r['area']}"

    by_pair = {(pair(r), r["measure"]): r for r in rows}
    header, cells = markdown_rows(run("growth", "--format", "md"))
    start, end = str(rows[0]["from_year"]), str(rows[0]["to_year"])
    assert cells
    for line in cells:
        row = by_pair[(line[0], line[1])]
        check_cell(line[header.index(start)], row, "from", labels=False)
        check_cell(line[header.index(end)], row, "to", labels=False)


def data_rows(year: int) -> list[dict[str, str]]:
    with (DATA / f"trade_{year}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def rate(year: int) -> float:
    with (DATA / "eur_usd_rates.csv").open(encoding="utf-8", newline="") as handle:
        return next(
            float(r["usd_per_eur"]) for r in csv.DictReader(handle) if r["year"] == str(year)
        )


def test_cells_worked_out_from_the_data_rows() -> None:
    rows = data_rows(2024)

    def find(reporter: str, partner: str, flow: str) -> dict[str, str] | None:
        found = [
            r for r in rows if (r["reporter"], r["partner"], r["flow"]) == (reporter, partner, flow)
        ]
        return found[0] if found else None

    header, cells = markdown_rows(run("compare", "--year", "2024", "--format", "md", "--wide"))
    table = {line[header.index("Partner")]: line for line in cells}
    # The EU's region turnover: a statement in EUR with no stated basis: † and €.
    eu = find("EU27", "CA5", "total")
    assert eu is not None and eu["basis"] == "unstated" and eu["currency"] == "EUR"
    value = float(eu["value_millions"]) * rate(2024) / 1000
    assert table["EU"][header.index("Turnover")].endswith(f"{value:,.2f}†€")
    # China's exports to the five: derived when China publishes no region export figure and
    # at least one of the five country exports must be derived (total − import).
    republics = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
    published = [find("CHN", r, "export") for r in republics]
    region = find("CHN", "CA5", "export")
    derived = region is None and any(p is None for p in published)
    assert table["China"][header.index("Exports")].endswith("*") is derived
    # Russia's exports and imports: the CA5 compilation's rows, basis compiled: no †.
    for flow, column in (("import", "Exports"), ("export", "Imports")):
        compiled = find("CA5", "RUS", flow)
        if compiled is not None and compiled["basis"] == "compiled":
            assert "†" not in table["Russia"][header.index(column)]
    # Kyrgyzstan's world exports with no stated basis: every export share of Kyrgyzstan that
    # has a value carries †.
    kgz_world = find("KGZ", "WLD", "export")
    header, cells = markdown_rows(run("shares", "--year", "2024", "--format", "md"))
    kyrgyz = [line for line in cells if line[0] == "Kyrgyzstan"]
    assert kyrgyz
    for line in kyrgyz:
        share = line[header.index("Exports")]
        if share != "—":
            assert ("†" in share) is (kgz_world is not None and kgz_world["basis"] == "unstated")
