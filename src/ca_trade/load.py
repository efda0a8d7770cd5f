"""Read a ca-trade data file strictly: every rule checked, every problem placed by line and column.

Reading is split in two so that ``validate`` can list every problem while the other commands stop
at the first:

- ``parse_file`` turns bytes into records. It uses Python's ``csv`` module rather than Polars
  because Polars lets ragged rows, duplicate headers and UTF-16 through silently and reports bad
  values as byte offsets; ``csv`` gives each record's physical line number for free. Data files in
  this format are small (one row per published figure); large official downloads go through
  ``ingest`` and Polars' streaming engine instead.
- ``find_problems`` runs the data rules (``checks``) as Polars expressions over the records.

``read_trade`` does both and returns the typed frame, or raises the first problem.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade import schema
from ca_trade.errors import DataError, InputError

if TYPE_CHECKING:
    import polars as pl

DATA_FILE_NAME = "trade_2024.csv"
RATES_FILE_NAME = "eur_usd_rates.csv"


def _bundled(name: str) -> Path:
    """Path of a bundled data file: inside the installed wheel, or the checkout's ``data/``."""
    packaged = resources.files("ca_trade") / "data" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data" / name


def bundled_data_path() -> Path:
    """The bundled ``trade_2024.csv``."""
    return _bundled(DATA_FILE_NAME)


def bundled_rates_path() -> Path:
    """The bundled ECB EUR/USD annual-average rates."""
    return _bundled(RATES_FILE_NAME)


@dataclass(frozen=True)
class Parsed:
    """A CSV file split into a header and records, each record with its first physical line."""

    path: str
    header: list[str]
    records: list[list[str]]
    lines: list[int]


_MAGIC = {
    b"\x1f\x8b": ("is gzip-compressed, not a CSV", "decompress it first (gunzip)"),
    b"PK\x03\x04": (
        "is a zip archive (an Excel .xlsx file?), not a CSV",
        "open it in a spreadsheet and save it as CSV UTF-8",
    ),
}


def read_bytes(path: Path) -> bytes:
    """Read a file, turning OS errors into an ``InputError`` (exit 66)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=str(path)) from None
    except PermissionError:
        raise InputError(
            "cannot be read (permission denied)", path=str(path), hint="check its permissions"
        ) from None
    except OSError as err:
        raise InputError(f"cannot be read ({err.strerror})", path=str(path)) from None


def decode(data: bytes, path: str, encoding: str | None) -> str:
    """Bytes to text: BOMs honoured, UTF-8 by default, a failure placed by line and column."""
    for magic, (what, hint) in _MAGIC.items():
        if data.startswith(magic):
            raise DataError(what, path=path, line=1, hint=hint)
    if encoding is None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = "utf-16"
        elif data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
        else:
            encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except LookupError:
        raise DataError(
            f"unknown encoding {encoding!r}", path=path, hint="--encoding latin-1"
        ) from None
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        raise DataError(
            f"byte 0x{data[err.start]:02x} at character {col} is not valid {encoding}",
            path=path,
            line=line,
            hint="--encoding latin-1 (or the file's real encoding), or re-save it as UTF-8",
        ) from None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError(
            "contains a NUL byte: this is a binary file, not a CSV",
            path=path,
            line=line,
            hint="--encoding utf-16 if it is UTF-16 without a BOM",
        )
    return text


def _sniff_hint(header_line: str, delimiter: str) -> str | None:
    """Suggest --delimiter when the header holds no delimiter but another likely one."""
    if delimiter in header_line:
        return None
    for candidate, shown in ((";", "';'"), ("\t", "tab (--delimiter $'\\t')"), ("|", "'|'")):
        if candidate in header_line:
            return f"the header has no {delimiter!r} but has {shown}: try --delimiter {shown}"
    return None


def parse_text(text: str, path: str, delimiter: str = ",") -> Parsed:
    """Split CSV text into header and records; blank lines are skipped, fields are stripped."""
    if not text.strip():
        raise DataError("is empty: no header and no rows", path=path, hint=_format_hint())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                start = reader.line_num + 1
                continue
            cells = [cell.strip() for cell in row]
            if header is None:
                header = cells
            else:
                records.append(cells)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        message = str(err)
        if "end of data" in message or "EOF" in message:
            message = "a quoted field is never closed (unbalanced quote)"
        raise DataError(
            message, path=path, line=start, hint="check the quotes on that line"
        ) from None
    if header is None:  # pragma: no cover - text.strip() above guarantees a non-blank line
        raise DataError("has no header", path=path)
    hint = _sniff_hint(text.splitlines()[0] if text else "", delimiter)
    if hint and len(header) == 1:
        raise DataError("has only one column", path=path, line=1, hint=hint)
    return Parsed(path=path, header=header, records=records, lines=lines)


def parse_file(
    path: Path | None = None, *, encoding: str | None = None, delimiter: str | None = None
) -> Parsed:
    """Read and split a data file (the bundled one when ``path`` is None)."""
    path = path if path is not None else bundled_data_path()
    text = decode(read_bytes(path), str(path), encoding)
    return parse_text(text, str(path), delimiter or ",")


def _format_hint() -> str:
    return "the header must be: " + ",".join(schema.COLUMNS)


def find_problems(parsed: Parsed) -> pl.DataFrame:
    """Every rule broken by a parsed file.

    Returns columns rule, line, column, value, message, hint (one row per problem, by line).
    """
    from ca_trade import checks

    return checks.find_problems(parsed)


def read_trade(
    path: Path | None = None, *, encoding: str | None = None, delimiter: str | None = None
) -> pl.DataFrame:
    """Load a data file, or raise ``DataError`` for its first problem.

    Returns the columns of ``schema.COLUMNS`` typed (year Int64, value_millions Float64, the rest
    String, note null when empty) plus ``line``, each row's line in the file (header = line 1).
    """
    from ca_trade import checks

    parsed = parse_file(path, encoding=encoding, delimiter=delimiter)
    problems = checks.find_problems(parsed)
    if problems.height:
        first = problems.row(0, named=True)
        extra = problems.height - 1
        message = first["message"]
        if extra:
            message += f" ({extra} more problem{'s' if extra > 1 else ''}: run ca-trade validate)"
        raise DataError(
            message,
            path=parsed.path,
            line=first["line"],
            column=first["column"],
            hint=first["hint"],
        )
    return checks.typed_frame(parsed)


def display_path(path: Path | None) -> str:
    """How a data file is named in output: relative when under the working directory."""
    path = path if path is not None else bundled_data_path()
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def read_rates(path: Path | None = None) -> dict[int, float]:
    """ECB annual-average USD per EUR by year, from the rates file (year,usd_per_eur,...)."""
    path = path if path is not None else bundled_rates_path()
    parsed = parse_text(decode(read_bytes(path), str(path), None), str(path))
    try:
        year_at, rate_at = parsed.header.index("year"), parsed.header.index("usd_per_eur")
        return {int(r[year_at]): float(r[rate_at]) for r in parsed.records}
    except (ValueError, IndexError) as err:
        raise DataError(f"is not a rates file ({err})", path=str(path)) from None


def missing_rates(trade: pl.DataFrame, rates: dict[int, float]) -> list[int]:
    """Years that have EUR rows but no rate."""
    import polars as pl

    years = trade.filter(pl.col("currency") == "EUR").get_column("year").unique().sort()
    return [y for y in years.to_list() if y not in rates]
