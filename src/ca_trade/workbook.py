"""An Excel workbook of a command's result, written with XlsxWriter (imported only here).

Three sheets:

- **Data**: the command's rows (the columns of its CSV). Numbers are stored as numbers at full
  precision, with a display format as the table shows them (money with two decimals and
  thousands separators, percentages and ratios with two decimals, years and counts plain);
  a missing figure is an empty cell, never zero. The header is frozen, with filters, and each
  column is as wide as its contents (up to ``MAX_WIDTH``).
- **Notes**: the table's caption, the basis, the markers and coverage notes: the lines the
  table prints with it.
- **Sources**: every data row behind the figures (file, line, reporter, partner, flow, value,
  currency, basis, source, URL as a working hyperlink, note, bound), once each.

Text is formula-safe as in CSV (``output_common.machine_frame``): a cell starting with
``= + - @`` gets a leading ``'``; strings are written as strings, never as formulas.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ca_trade import schema
from ca_trade.output_common import machine_frame

if TYPE_CHECKING:
    import polars as pl

MAX_WIDTH = 60
# The Sources sheet's columns, in order (``compute.explain``'s counterpart is the partner).
SOURCE_COLUMNS = ("file", "line", *schema.LOADED)
MONEY = "#,##0.00"
TWO_DECIMALS = "0.00"
INTEGER = "0"


def number_format(name: str, is_float: bool) -> str:
    """The display format of a numeric column, from its name: money, % and ratios, integers."""
    if not is_float:
        return INTEGER
    if name == "value_millions" or name.endswith(("_m", "_millions")):
        return MONEY
    return TWO_DECIMALS


def source_rows(explained: pl.DataFrame, trade: pl.DataFrame | None) -> pl.DataFrame:
    """The distinct data rows behind a result, in file order, with ``SOURCE_COLUMNS``.

    ``explained`` names the rows by ``file`` and ``line``: ``compute.explain``'s frame (one row
    per figure and data row; missing figures, with no line, are left out) or
    ``compute.sources``' (the data rows themselves). ``trade`` is the loaded data they come
    from (``inputs.read_files``' columns), from which each row is taken whole; without it,
    ``explained`` must hold the data columns itself.
    """
    import polars as pl

    if "line" not in explained.columns:
        return pl.DataFrame(schema=dict.fromkeys(SOURCE_COLUMNS, pl.String))
    keys = [c for c in ("file", "line") if c in explained.columns]
    used = explained.filter(pl.col("line").is_not_null()).select(keys).unique()
    frame = explained if trade is None else trade.join(used, on=keys, how="semi")
    if "file" in keys:
        order = {
            name: i for i, name in enumerate(frame.get_column("file").unique(maintain_order=True))
        }
        frame = frame.sort(pl.col("file").replace_strict(order, return_dtype=pl.Int64), "line")
    else:
        frame = frame.sort("line")
    columns = [
        pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.String).alias(c)
        for c in SOURCE_COLUMNS
    ]
    return frame.select(columns).unique(subset=keys, keep="first", maintain_order=True)


def _width(values: Sequence[Any], header: str) -> int:
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return min(max(longest, len(header)) + 2, MAX_WIDTH)


def _write_frame(workbook: Any, sheet: Any, frame: pl.DataFrame, *, urls: str | None) -> None:
    """Write ``frame`` as a table from A1: header, typed cells, frozen header, filter, widths."""
    bold = workbook.add_format({"bold": True})
    formats = {
        name: workbook.add_format({"num_format": number_format(name, dtype.is_float())})
        for name, dtype in frame.schema.items()
        if dtype.is_numeric()
    }
    link = workbook.add_format({"font_color": "blue", "underline": 1})
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, name, bold)
        values = frame.get_column(name).to_list()
        numeric = name in formats
        for row, value in enumerate(values, start=1):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif numeric:
                if isinstance(value, float) and not math.isfinite(value):
                    continue  # NaN and inf are not figures: an empty cell, as in CSV's JSON
                sheet.write_number(row, col, value, formats[name])
            elif name == urls and str(value).startswith(("http://", "https://")):
                # write_url returns a negative number when Excel cannot hold the link
                # (over 2079 characters, or too many links): the address stays as text.
                if sheet.write_url(row, col, str(value), link, string=str(value)) < 0:
                    sheet.write_string(row, col, str(value))
            else:
                sheet.write_string(row, col, str(value))
        sheet.set_column(col, col, _width(values, name))
    sheet.freeze_panes(1, 0)
    if frame.width:
        sheet.autofilter(0, 0, max(frame.height, 1), frame.width - 1)


def workbook_bytes(
    frame: pl.DataFrame, notes: Sequence[str], sources: pl.DataFrame | None
) -> bytes:
    """The workbook (Data, Notes and, when given, Sources sheets) as the bytes of an .xlsx file.

    ``frame`` is the command's result (its CSV columns), ``notes`` the lines to list on the
    Notes sheet, ``sources`` the data rows behind the figures (``source_rows``).
    """
    import xlsxwriter  # type: ignore[import-untyped]

    buffer = io.BytesIO()
    # strings_to_numbers/formulas/urls off: a string cell is written as the string it is.
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": False,
        },
    )
    exact = _exact_numbers()
    data = workbook.add_worksheet("Data", worksheet_class=exact)
    _write_frame(workbook, data, machine_frame(frame, formula_safe=True), urls=None)
    sheet = workbook.add_worksheet("Notes")
    safe_notes = [_formula_safe(line) for line in notes]
    for row, line in enumerate(safe_notes):
        sheet.write_string(row, 0, line)
    sheet.set_column(0, 0, min(max((len(n) for n in safe_notes), default=10), 120))
    if sources is not None:
        sheet = workbook.add_worksheet("Sources", worksheet_class=exact)
        _write_frame(workbook, sheet, machine_frame(sources, formula_safe=True), urls="source_url")
    workbook.close()
    return buffer.getvalue()


def _exact_numbers() -> type:
    """A worksheet class that stores each number at full precision.

    XlsxWriter writes a number with 16 significant digits (``%.16G``); a double needs up to
    17 to be read back the same (Excel itself writes 17). This writes Python's shortest exact
    form (``repr``), so the workbook's numbers equal the CSV's.
    """
    from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

    class ExactNumbers(Worksheet):  # type: ignore[misc]
        def _xml_number_element(
            self, number: float, attributes: Sequence[tuple[str, Any]] = ()
        ) -> None:
            attr = "".join(f' {k}="{self._escape_attributes(v)}"' for k, v in attributes)
            self.fh.write(f"<c{attr}><v>{float(number)!r}</v></c>")

    return ExactNumbers


def _formula_safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else text
