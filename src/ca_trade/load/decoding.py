"""Reading a data file's bytes and decoding them: encodings, BOMs, binary files, the delimiter."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade import schema
from ca_trade.errors import DataError, InputError, UsageError

if TYPE_CHECKING:
    pass

DATA_FILE_NAME = "trade_2024.csv"
RATES_FILE_NAME = "eur_usd_rates.csv"


def _bundled(name: str) -> Path:
    """Path of a bundled data file: inside the installed wheel, or the checkout's ``data/``."""
    packaged = resources.files("ca_trade") / "data" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "data" / name


def bundled_data_path() -> Path:
    """The bundled ``trade_2024.csv``."""
    return _bundled(DATA_FILE_NAME)


def bundled_rates_path() -> Path:
    """The bundled ECB EUR/USD annual-average rates."""
    return _bundled(RATES_FILE_NAME)


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
    except OSError as err:
        raise unreadable(path, err) from None


def unreadable(path: Path, err: OSError) -> InputError:
    """The ``InputError`` (exit 66) for an OS error reading ``path``."""
    if isinstance(err, FileNotFoundError):
        return InputError("file not found", path=str(path), hint="check the path")
    if isinstance(err, IsADirectoryError):
        return InputError("is a directory, not a file", path=str(path))
    if isinstance(err, PermissionError):
        return InputError(
            "cannot be read (permission denied)", path=str(path), hint="check its permissions"
        )
    return InputError(f"cannot be read ({err.strerror})", path=str(path))


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


def _format_hint() -> str:
    return "the header must be: " + ",".join(schema.COLUMNS)
