"""The pieces every source shares: JSON-stat cells for any shape, merging sources, the file."""

from __future__ import annotations

import csv
import io
import json
import math

from hypothesis import given
from hypothesis import strategies as st

from ca_trade import schema
from ca_trade.fetch import eurostat
from ca_trade.fetch.rows import Row, data_file_text, merge, year_span


def row(source: str, value: float, currency: str = "USD") -> Row:
    return Row(2024, "KAZ", "CHN", "export", value, currency, "official", source, "u", "n")


def test_merge_keeps_the_first_source_and_names_the_others() -> None:
    merged = merge([[row("UN Comtrade", 15000.0)], [row("IMF IMTS", 15012.5)]])
    assert len(merged) == 1
    assert merged[0].value_millions == 15000.0  # never averaged nor summed
    assert merged[0].note == "n; also IMF IMTS: 15012.5 USD m"


def test_the_data_file_has_the_columns_and_plain_numbers() -> None:
    text = data_file_text([row("S, with a comma", 28000.0), row("T", 0.000001)])
    lines = list(csv.reader(io.StringIO(text)))
    assert tuple(lines[0]) == schema.COLUMNS
    assert lines[1][4] == "28000" and lines[1][7] == "S, with a comma"
    assert float(lines[2][4]) == 0.000001


def test_year_span() -> None:
    assert year_span([2024, 2023]) == "2023-2024"
    assert year_span([2015, 2017]) == "2015, 2017"
    assert year_span([2024]) == "2024"


@st.composite
def datasets(draw: st.DrawFn) -> tuple[dict[str, object], dict[tuple[int, ...], float]]:
    """A JSON-stat dataset of random shape, its categories listed in a shuffled order, and
    the cells it was built from (position on each dimension -> value)."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=4))
    ids = [f"d{i}" for i in range(len(sizes))]
    total = math.prod(sizes)
    chosen = draw(st.sets(st.integers(0, total - 1), max_size=total))
    cells: dict[tuple[int, ...], float] = {}
    values: dict[str, float] = {}
    for flat in chosen:
        at, rest = [], flat
        for size in reversed(sizes):  # row-major: the last dimension varies fastest
            at.append(rest % size)
            rest //= size
        value = float(draw(st.integers(0, 10**12)))
        cells[tuple(reversed(at))] = value
        values[str(flat)] = value
    dims = {}
    for dim, size in zip(ids, sizes, strict=True):
        order = draw(st.permutations(range(size)))  # the index object lists codes in any order
        dims[dim] = {"category": {"index": {f"c{at}": at for at in order}}}
    doc = {"id": ids, "size": sizes, "dimension": dims, "value": values}
    return json.loads(json.dumps(doc)), cells


@given(datasets())
def test_json_stat_cells_are_found_by_strides(
    case: tuple[dict[str, object], dict[tuple[int, ...], float]],
) -> None:
    doc, cells = case
    ids = doc["id"]
    assert isinstance(ids, list)
    found = {
        tuple(int(where[d][1:]) for d in ids): value for where, value, _ in eurostat.cells(doc)
    }
    assert found == cells
