"""The table cells every command draws (``tables.cells``): numbers, bars, whose statistics.

Expected texts are written by hand from the inputs. The figure markers (``*``, ``†``, ``~``,
``€``) are tested where they are drawn, per command, on the bundled data.
"""

from __future__ import annotations

import math

import pytest

from ca_trade.tables import cells


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (94820.0, 2, "94.82"),  # $ m to $ bn: 94820 / 1000
        (1234567.0, 2, "1,234.57"),  # thousands of bn keep their separator
        (4.0, 2, "0.00"),
        (58449.6, 1, "58.4"),
        (None, 2, "—"),
        (math.nan, 2, "—"),  # not a number is missing, never "nan"
    ],
)
def test_bn(value: float | None, digits: int, text: str) -> None:
    assert cells.bn(value, digits) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(27.119032330208583, "27.1%"), (100.0, "100.0%"), (None, "—"), (math.nan, "—")],
)
def test_pct(value: float | None, text: str) -> None:
    assert cells.pct(value) == text


@pytest.mark.parametrize(
    ("value", "number"),
    [(3, 3.0), (2.5, 2.5), (True, None), (False, None), ("3", None), (None, None)],
)
def test_num_takes_numbers_only(value: object, number: float | None) -> None:
    assert cells.num(value) == number


@pytest.mark.parametrize(
    ("value", "largest", "text"),
    [
        (50.0, 100.0, "█" * 10),  # half of 20 cells
        (100.0, 100.0, "█" * 20),
        (150.0, 100.0, "█" * 20),  # never longer than the largest
        # 1/16 of 20 cells = 1.25 cells = 10 eighths: one full block and two eighths.
        (6.25, 100.0, "█▎"),
        (0.0, 100.0, ""),
        (-5.0, 100.0, ""),
        (None, 100.0, ""),
        (5.0, None, ""),
    ],
)
def test_bar(value: float | None, largest: float | None, text: str) -> None:
    assert cells.bar(value, largest).plain == text


@pytest.mark.parametrize(
    ("reporters", "basis", "text"),
    [
        (["CHN"], "official", "CHN customs · official"),
        (["EU27"], "unstated", "EU27 statement · unstated"),
        (["RUS"], None, "RUS officials"),
        (["CA5"], "compiled", "CA5 compilation · compiled"),
        (["KAZ"], "official", "KAZ statistics · official"),
        (["KAZ", "KGZ"], "compiled", "KAZ+KGZ' statistics · compiled"),
        (["KAZ", "KGZ", "TJK", "UZB"], "official", "KAZ+KGZ+TJK+UZB' statistics · official"),
        (
            ["KAZ", "KGZ", "TJK", "TKM", "UZB"],
            "official",
            "the five republics' statistics · official",
        ),
        (None, "official", "—"),
        ([], "official", "—"),
    ],
)
def test_who(reporters: list[str] | None, basis: str | None, text: str) -> None:
    assert cells.who(reporters, basis) == text


@pytest.mark.parametrize(
    ("values", "text"),
    [
        ({"turnover": "a", "exports": "a", "imports": "a"}, "a"),
        ({"turnover": "a", "exports": "b", "imports": "b"}, "turnover: a\nex/im: b"),
        ({"turnover": "a", "exports": "b", "imports": "a"}, "turnover: a\nexports: b\nimports: a"),
        ({"turnover": "a", "exports": "a", "imports": "b"}, "turnover: a\nexports: a\nimports: b"),
    ],
)
def test_by_measure(values: dict[str, str], text: str) -> None:
    assert cells.by_measure(values) == text


@pytest.mark.parametrize(
    ("row", "text"),
    [
        ({"line": 7}, "7"),
        ({"line": 7, "file": "/data/dir/trade_2024.csv (bundled)"}, "trade_2024.csv:7"),
        ({"line": 7, "file": "mine.csv"}, "mine.csv:7"),
        ({"line": 7, "file": ""}, "7"),
        ({"file": "mine.csv"}, None),
    ],
)
def test_line_ref(row: dict[str, object], text: str | None) -> None:
    assert cells.line_ref(row) == text


def test_top_rows() -> None:
    rows: list[dict[str, object]] = [{"n": i} for i in range(5)]
    assert cells.top_rows(rows, None) == (rows, [])
    assert cells.top_rows(rows, 5) == (rows, [])
    assert cells.top_rows(rows, 2) == (
        rows[:2],
        ["showing 2 of 5 rows; --top N shows more, --format csv prints them all"],
    )


def test_unit_of() -> None:
    assert cells.unit_of("USD") == ("_usd_m", "$")
    assert cells.unit_of("EUR") == ("_eur_m", "€")


def test_rates_used() -> None:
    rows: list[dict[str, object]] = [
        {"year": 2024, "turnover_fx_rate": 1.0824, "exports_fx_rate": None, "rank": 2},
        {"year": 2023, "turnover_fx_rate": None, "imports_fx_rate": 1.0813},
        {"year": 2022, "turnover_usd_m": 5.0},
    ]
    assert cells.rates_used(rows) == {2024: 1.0824, 2023: 1.0813}


def test_figure_notes_name_each_rate() -> None:
    notes = cells.figure_notes({2024: 1.0824, 2023: 1.0813})
    assert notes[-2:] == [
        "€ converted from EUR at 1.0813 USD per EUR (ECB 2023 annual average)",
        "€ converted from EUR at 1.0824 USD per EUR (ECB 2024 annual average)",
    ]
    assert not any(n.startswith("€") for n in cells.figure_notes({}))


def test_cell_prints_text_literally() -> None:
    assert cells.cell("[bold]x[/bold]").plain == "[bold]x[/bold]"
    assert cells.cell(None).plain == "—"
