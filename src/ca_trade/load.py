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
from ca_trade.errors import DataError, InputError, UsageError

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


class ParseError(DataError):
    """A file that was decoded but cannot be split into records (exit 65).

    ``rule`` is the slug ``validate`` lists it under, like the rules in ``checks``.
    """

    def __init__(
        self,
        rule: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, path=path, line=line, column=column, hint=hint)
        self.rule = rule


@dataclass(frozen=True)
class Parsed:
    """A CSV file split into a header and records, each record with its first physical line."""

    path: str
    header: list[str]
    records: list[list[str]]
    lines: list[int]


_SAVE_AS_CSV = "open it in a spreadsheet and save it as CSV UTF-8"
_MAGIC = {
    b"\x1f\x8b": ("is gzip-compressed, not a CSV", "decompress it first (gunzip)"),
    b"PK\x03\x04": ("is a zip archive (an Excel .xlsx file?), not a CSV", _SAVE_AS_CSV),
    b"\xd0\xcf\x11\xe0": ("is an old Excel .xls (or other Office) file, not a CSV", _SAVE_AS_CSV),
    b"%PDF": ("is a PDF, not a CSV", "copy the figures into a CSV in ca-trade's format"),
    b"PAR1": ("is a Parquet file, not a CSV", "convert it to CSV first"),
    b"BZh": ("is bzip2-compressed, not a CSV", "decompress it first (bunzip2)"),
    b"\xfd7zXZ\x00": ("is xz-compressed, not a CSV", "decompress it first (unxz)"),
    b"\x28\xb5\x2f\xfd": ("is zstd-compressed, not a CSV", "decompress it first (unzstd)"),
}
_LATIN1_HINT = "--encoding latin-1 (or cp1252, or the file's real encoding), or re-save it as UTF-8"


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


def _column_at(line_text: str, offset: int, header: list[str] | None, delimiter: str) -> str:
    """The column (header name, else ``#N``) holding character ``offset`` of a physical line."""
    try:
        index = len(next(csv.reader([line_text[:offset]], delimiter=delimiter), [""]))
    except csv.Error:
        index = line_text[:offset].count(delimiter) + 1
    index = max(index, 1)
    if header is not None and index <= len(header) and header[index - 1]:
        return header[index - 1]
    return f"#{index}"


def _first_line_fields(text: str, delimiter: str) -> list[str] | None:
    first = text.lstrip("\ufeff").partition("\n")[0].rstrip("\r")
    try:
        return [cell.strip() for cell in next(csv.reader([first], delimiter=delimiter), [])]
    except csv.Error:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NULs sit in every other byte, as in UTF-16 text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    if sample[1::2].count(0) >= 0.9 * half:
        return "utf-16-le"
    if sample[0::2].count(0) >= 0.9 * half:
        return "utf-16-be"
    return None


def decode(data: bytes, path: str, encoding: str | None, delimiter: str = ",") -> str:
    """Bytes to text: BOMs honoured, UTF-8 by default, a failure placed by line and column.

    Binary files (compressed, spreadsheets, PDF, anything with a NUL byte) are refused with a
    hint; UTF-16 is read when it has a BOM (or ``--encoding utf-16-le``); a byte that is not
    UTF-8 is placed by line and column with a hint to try ``--encoding latin-1``.
    """
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
            if b"\x00" in data:
                _refuse_nul(data, path, delimiter)
    try:
        text = data.decode(encoding)
    except LookupError:
        raise UsageError(
            f"--encoding {encoding!r} is not an encoding Python knows",
            hint="--encoding latin-1, cp1252, utf-16 or utf-8",
        ) from None
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        line_end = data.find(b"\n", err.start)
        line_text = data[line_start : line_end if line_end >= 0 else len(data)].decode(
            encoding, errors="replace"
        )
        offset = len(data[line_start : err.start].decode(encoding, errors="replace"))
        header = _first_line_fields(data.decode(encoding, errors="replace"), delimiter)
        column = _column_at(line_text, offset, header, delimiter)
        raise DataError(
            f"byte 0x{data[err.start]:02x} (character {offset + 1} of the line) is not valid "
            f"{encoding}: the file is in another encoding",
            path=path,
            line=line,
            column=column,
            hint=_LATIN1_HINT if encoding.replace("-", "").lower().startswith("utf8") else None,
        ) from None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        at = text.index("\x00")
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        raise DataError(
            "contains a NUL byte: this is a binary file, not a CSV",
            path=path,
            line=text.count("\n", 0, at) + 1,
            column=_column_at(
                text[line_start : line_end if line_end >= 0 else len(text)],
                at - line_start,
                _first_line_fields(text, delimiter),
                delimiter,
            ),
            hint="check that this is the file you meant; re-save it as CSV UTF-8",
        )
    return text


def _refuse_nul(data: bytes, path: str, delimiter: str) -> None:
    """Raise for bytes holding NUL: UTF-16 without a BOM gets its --encoding hint."""
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        raise DataError(
            f"looks like {utf16.upper()} text without a byte-order mark, not UTF-8",
            path=path,
            line=1,
            hint=f"--encoding {utf16}, or re-save it as UTF-8",
        )
    text = data.decode("utf-8", errors="replace")
    decode(text.encode("utf-8"), path, "utf-8", delimiter)  # raises, placing the NUL


def _sniff_hint(header_line: str, delimiter: str) -> str | None:
    """Suggest --delimiter when the header holds no delimiter but another likely one."""
    if delimiter in header_line:
        return None
    for candidate, shown in ((";", "';'"), ("\t", "tab"), ("|", "'|'")):
        if candidate in header_line:
            return shown
    return None


def delimiter_value(value: str | None) -> str:
    """A --delimiter value as one character: 'tab' and '\\t' mean a tab; default ','."""
    if value is None:
        return ","
    value = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(value, value)
    if len(value) != 1 or value in '"\r\n':
        raise UsageError(
            f"--delimiter {value!r} must be one character, not a quote or line end",
            hint="--delimiter ';' or --delimiter tab",
        )
    return value


def parse_text(text: str, path: str, delimiter: str = ",") -> Parsed:
    """Split CSV text into header and records; blank lines are skipped, fields are stripped.

    Raises ``ParseError`` (exit 65) for text that cannot be split: empty, an unbalanced or stray
    quote, or a header of one column that holds another likely delimiter.
    """
    if not text.strip():
        raise ParseError(
            "empty-file", "is empty: no header and no rows", path=path, line=1, hint=_format_hint()
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    start = 1
    header_line = 1
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                start = reader.line_num + 1
                continue
            cells = [cell.strip() for cell in row]
            if header is None:
                header = cells
                header_line = start
            else:
                records.append(cells)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise _quote_error(str(err), text, path, start, header, delimiter) from None
    if header is None:  # pragma: no cover - text.strip() above guarantees a non-blank line
        raise ParseError("empty-file", "has no header", path=path, line=1)
    shown = _sniff_hint(text.splitlines()[header_line - 1], delimiter)
    if shown and len(header) == 1:
        raise ParseError(
            "wrong-delimiter",
            f"has only one column: the header has no {_name(delimiter)} but has {shown}",
            path=path,
            line=header_line,
            hint=f"--delimiter {shown}",
        )
    return Parsed(path=path, header=header, records=records, lines=lines)


def _name(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)


def _quote_error(
    message: str, text: str, path: str, start: int, header: list[str] | None, delimiter: str
) -> ParseError:
    """A csv.Error as a ParseError placed by line and, where it can be found, column."""
    line_text = _physical_line(text, start)
    column: str | None = None
    if "expected after" in message:
        # A quoted field with more text after its closing quote: "ab"c
        message = "a quoted field has text after its closing quote"
        hint = 'double a quote inside a quoted field ("") or remove the stray quote'
    else:
        if "field larger than field limit" in message:
            message = (
                f"a field runs on for more than {csv.field_size_limit():,} characters: "
                "a quoted field is probably never closed (unbalanced quote)"
            )
        elif "end of data" in message or "EOF" in message or "new-line" in message:
            message = "a quoted field is never closed (unbalanced quote)"
        hint = "check the quotes on that line: a quoted field needs a closing quote"
    opening = _opening_quote(line_text, delimiter)
    if opening is not None:
        column = _column_at(line_text, opening, header, delimiter)
    return ParseError("unbalanced-quote", message, path=path, line=start, column=column, hint=hint)


def _physical_line(text: str, number: int) -> str:
    at = 0
    for _ in range(number - 1):
        at = text.find("\n", at) + 1
        if at == 0:
            return ""
    end = text.find("\n", at)
    return text[at : end if end >= 0 else len(text)].rstrip("\r")


def _opening_quote(line_text: str, delimiter: str) -> int | None:
    """Offset of the last quote that opens a field on this line (a field's first character)."""
    found = None
    for offset, char in enumerate(line_text):
        if char == '"' and (offset == 0 or line_text[offset - 1] == delimiter):
            found = offset
    if found is None and '"' in line_text:
        found = line_text.index('"')
    return found


def parse_file(
    path: Path | None = None, *, encoding: str | None = None, delimiter: str | None = None
) -> Parsed:
    """Read and split a data file (the bundled one when ``path`` is None)."""
    path = path if path is not None else bundled_data_path()
    separator = delimiter_value(delimiter)
    text = decode(read_bytes(path), str(path), encoding, separator)
    return parse_text(text, str(path), separator)


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
