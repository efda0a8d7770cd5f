"""Properties of the loader and the CSV writer (hypothesis).

- Any bytes fed to the loader either load or fail with one of the tool's own errors: a
  ``CaTradeError`` with its documented exit code and a one-line message. Never anything else.
- A valid file written in odd but legal ways (BOM, CRLF, blank lines, spaces, quoting, column
  order, extra columns, a multi-line quoted note) loads to exactly the values it was made from,
  each row placed on its physical line.
- Any float written by ``render.csv_text`` parses back to the same value.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ca_trade import load, render, schema
from ca_trade.errors import EXIT_DATA, EXIT_NO_INPUT, EXIT_USAGE, CaTradeError

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HEADER = ",".join(schema.COLUMNS).encode()


def assert_loads_or_own_error(path: Path, **options: str | None) -> None:
    try:
        frame = load.read_trade(path, **options)  # type: ignore[arg-type]
    except CaTradeError as err:
        assert err.exit_code in (EXIT_DATA, EXIT_NO_INPUT, EXIT_USAGE), err
        line = err.one_line()
        assert line and "\n" not in line and "\r" not in line
        assert str(path) in line or err.exit_code == EXIT_USAGE
        return
    assert frame.columns == [*schema.COLUMNS, "line"]
    assert frame.height > 0


# Byte strings that look a little like data files: fragments glued together.
FRAGMENTS = [
    HEADER,
    b"\n",
    b"\r\n",
    b"\r",
    b",",
    b";",
    b"\t",
    b'"',
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xe9",
    b"2024,CHN,KAZ,total,43900,USD,official,GACC,https://example.org/gacc,",
    b"NaN",
    b"1e400",
    b"\xe2\x88\x92",  # U+2212 minus
    b"PK\x03\x04",
    b"\x1f\x8b",
]
data_like = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=12)), max_size=25
).map(b"".join)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=300), data_like))
@example(data=b"")
@example(data=b'"')
@example(data=HEADER + b'\n"')
@example(data=b"\xff\xfe\x00")  # UTF-16 BOM and half a character
@example(data=HEADER + b"\n" + b"2024," * 50)
def test_any_bytes_load_or_fail_with_an_own_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    assert_loads_or_own_error(path)


@SETTINGS
@given(
    data=data_like,
    encoding=st.sampled_from([None, "latin-1", "utf-16", "utf-16-le", "cp1252", "bogus"]),
    delimiter=st.sampled_from([None, ";", "tab", "\t", "|", "ab", '"']),
)
def test_any_options_load_or_fail_with_an_own_error(
    tmp_path: Path, data: bytes, encoding: str | None, delimiter: str | None
) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    assert_loads_or_own_error(path, encoding=encoding, delimiter=delimiter)


# ---------------------------------------------------------------- valid files written oddly

codes = st.sampled_from(schema.REPUBLICS)
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=15
).map(str.strip)


@st.composite
def odd_files(draw: st.DrawFn) -> tuple[bytes, str, list[dict[str, object]], list[int]]:
    """A valid file in an odd but legal form, the rows it holds, and each row's first line."""
    partners = draw(st.lists(codes, min_size=1, max_size=5, unique=True))
    rows = [
        {
            "year": 2024,
            "reporter": "CHN",
            "partner": partner,
            "flow": flow,
            "value_millions": draw(
                st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
            ),
            "currency": "USD",
            "basis": draw(st.sampled_from(schema.BASES)),
            "source": draw(text.filter(bool)),
            "source_url": "https://example.org/" + draw(st.sampled_from(["a", "b?x=1&y=2"])),
            "note": draw(st.one_of(st.none(), text.filter(bool), st.just("two\nlines"))),
        }
        for partner in partners
        for flow in draw(st.lists(st.sampled_from(schema.FLOWS), min_size=1, unique=True))
    ]
    columns = list(schema.COLUMNS) + draw(st.sampled_from([[], ["my_notes"]]))
    columns = draw(st.permutations(columns))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    pad = draw(st.sampled_from(["", " ", "  "]))
    quote_all = draw(st.booleans())
    out = io.StringIO()
    writer = csv.writer(
        out,
        lineterminator=newline,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    line = 1
    writer.writerow(columns)
    starts: list[int] = []
    for row in rows:
        for _ in range(draw(st.integers(0, 2))):  # blank lines before the row
            out.write(newline)
            line += 1
        line += 1
        starts.append(line)
        cells = []
        for name in columns:
            value = row.get(name)
            if name == "value_millions":
                cells.append(repr(value))
            elif value is None:
                cells.append("")
            else:
                cells.append(str(value))
        writer.writerow(cells)
        line += sum(c.count("\n") for c in cells)
    body = out.getvalue()
    if not quote_all and pad:  # spaces around unquoted cells are stripped
        body = "\n".join(
            line_text if '"' in line_text else pad + line_text.replace(",", pad + "," + pad)
            for line_text in body.split("\n")
        )
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    return body.encode(encoding), encoding, rows, starts


@SETTINGS
@given(case=odd_files())
def test_valid_files_written_oddly_load_exactly(
    tmp_path: Path, case: tuple[bytes, str, list[dict[str, object]], list[int]]
) -> None:
    data, _, rows, starts = case
    path = tmp_path / "odd.csv"
    path.write_bytes(data)
    frame = load.read_trade(path)
    assert frame.get_column("line").to_list() == starts
    got = frame.drop("line", "bound").to_dicts()
    assert frame.get_column("bound").null_count() == frame.height  # no bound column: exact
    assert got == rows


# ---------------------------------------------------------------- floats survive CSV


@settings(max_examples=300, deadline=None)
@given(value=st.floats(allow_nan=True, allow_infinity=True, width=64))
@example(value=-0.0)
@example(value=5e-324)
@example(value=1.7976931348623157e308)
@example(value=0.1 + 0.2)
def test_float_written_to_csv_parses_back(value: float) -> None:
    frame = pl.DataFrame(
        {"label": ["x"], "value": [value]}, schema={"label": pl.String, "value": pl.Float64}
    )
    written = render.csv_text(frame).splitlines()[1].split(",")[1]
    back = float(written)
    if math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value
        assert math.copysign(1.0, back) == math.copysign(1.0, value)
    # and the reverse path, the way a data file is read, agrees
    assert not written.startswith("'")
