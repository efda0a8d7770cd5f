"""Read a ca-trade data file strictly: every rule checked, every problem placed by line and column.

Reading is split in two so that ``validate`` can list every problem while the other commands stop
at the first:

- ``parse_file`` splits a file into a header and batches of records (``records.Parsed``);
- ``checks.scan`` runs the data rules as Polars expressions over the batches, in one pass.

Two readers split a file, and give the same records, lines and errors:

- **Fast** (``parse_file``, UTF-8 files): Polars parses the file in blocks of about 2 MiB cut at
  line ends (outside quotes), every cell a string. Each block is proved to be split exactly as
  Python's ``csv`` module would split it, by accounting for every byte: the block's length must
  equal the cells' bytes + one delimiter between cells + the quotes + the line ends (+ a BOM),
  and every quote must open a cell (after a delimiter or line end) or close one (before them).
  A short row (Polars pads it), a blank line (Polars makes it a row), a lone CR, a NUL, a cell
  holding a quote or a CR, a cell over the ``csv`` field limit, invalid UTF-8 or any Polars
  error makes the proof fail. Physical lines are counted vectorised: each record starts one
  line after the previous one plus the line breaks inside its quoted cells. The next block is
  read in a thread while the rules run on this one.
- **Exact** (``parse_text``: Python's ``csv`` module): any file the fast reader cannot prove
  (``records.StructureMismatch``: the scan starts again with it), other encodings (UTF-16,
  ``--encoding latin-1``) and every error to place: ragged rows, unbalanced quotes, bad bytes.

``read_trade`` does both and returns the typed frame, or raises the first problem.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade import schema
from ca_trade.errors import DataError, InputError, UsageError
from ca_trade.records import WHITESPACE, Parsed, ParseError, Ragged, StructureMismatch

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


EXACT_CHUNK = 65536
_PIECE_CHARS = 1 << 22


def _lines(text: str) -> Iterator[str]:
    """The text's physical lines as io.StringIO(text, newline="") gives them (ending at \\n,
    \\r\\n or a lone \\r), read from pieces of about 4 M characters cut after a \\n: one
    StringIO of the whole text would hold four bytes a character."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + _PIECE_CHARS) + 1 or len(text)
        yield from io.StringIO(text[start:end], newline="")
        start = end


def _split(
    text: str,
    path: str,
    delimiter: str,
    flush: Callable[[list[str], list[list[str]], list[int]], None] | None = None,
) -> tuple[list[str], list[list[str]], list[int]]:
    """CSV text to header, records and each record's first physical line (the exact reader).

    With ``flush``, records are handed to it every ``EXACT_CHUNK`` records (header, records,
    lines) and only the rest are returned, so that a large file is not held as Python lists;
    their cells are then left unstripped (the header's are stripped).
    """
    if not text.strip():
        raise ParseError(
            "empty-file", "is empty: no header and no rows", path=path, line=1, hint=_format_hint()
        )
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
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
            if header is None:
                header = [cell.strip() for cell in row]
                header_line = start
            else:
                records.append([cell.strip() for cell in row] if flush is None else row)
                lines.append(start)
                if flush is not None and len(records) >= EXACT_CHUNK:
                    flush(header, records, lines)
                    records, lines = [], []
            start = reader.line_num + 1
    except csv.Error as err:
        raise _quote_error(str(err), text, path, start, header, delimiter) from None
    if header is None:  # pragma: no cover - text.strip() above guarantees a non-blank line
        raise ParseError("empty-file", "has no header", path=path, line=1)
    # The header's line as str.splitlines() numbers it, from the text up to its end only.
    before = "".join(itertools.islice(_lines(text), header_line))
    shown = _sniff_hint(before.splitlines()[header_line - 1], delimiter)
    if shown and len(header) == 1:
        raise ParseError(
            "wrong-delimiter",
            f"has only one column: the header has no {_name(delimiter)} but has {shown}",
            path=path,
            line=header_line,
            hint=f"--delimiter {shown}",
        )
    return header, records, lines


def parse_text(text: str, path: str, delimiter: str = ",") -> Parsed:
    """Split CSV text exactly (Python's ``csv``); blank lines are skipped, fields are stripped.

    Raises ``ParseError`` (exit 65) for text that cannot be split: empty, an unbalanced or stray
    quote, or a header of one column that holds another likely delimiter. Records with another
    number of fields than the header are in ``Parsed.ragged``, the rest in batches of
    ``EXACT_CHUNK`` records.
    """
    frames: list[pl.DataFrame] = []
    ragged: list[Ragged] = []

    def flush(header: list[str], records: list[list[str]], lines: list[int]) -> None:
        width = len(header)
        if any(len(record) != width for record in records):
            ragged.extend(
                Ragged(line, len(record), record[width].strip() if len(record) > width else None)
                for line, record in zip(lines, records, strict=True)
                if len(record) != width
            )
            kept = [(r, n) for r, n in zip(records, lines, strict=True) if len(r) == width]
            records, lines = [r for r, _ in kept], [n for _, n in kept]
        frames.append(_string_frame(header, records, lines))

    header, records, lines = _split(text, path, delimiter, flush)
    flush(header, records, lines)

    def batches(raw: frozenset[str] = frozenset()) -> Iterator[pl.DataFrame]:
        yield from frames

    return Parsed(path=path, header=header, batches=batches, ragged=tuple(ragged))


def _string_frame(header: list[str], records: list[list[str]], lines: list[int]) -> pl.DataFrame:
    """Records of the header's width as stripped strings, one column per distinct non-blank
    header name (the first), + line."""
    import polars as pl

    cells = list(zip(*records, strict=True)) if records else [()] * len(header)
    columns = _named_columns(header)
    # The line column comes last but sets the height, also when no header cell has a name.
    # Stripped as Series named later: a header name is not an expression (``*`` would mean every
    # column, ``^…$`` is a pattern).
    return pl.DataFrame(
        [
            pl.Series("cell", cells[index], dtype=pl.String).str.strip_chars(WHITESPACE).alias(name)
            for name, index in columns.items()
        ]
        + [pl.Series("line", lines, dtype=pl.Int64)]
    )


def _named_columns(header: list[str]) -> dict[str, int]:
    """Each distinct, non-blank header name (its first column) but ``line``, the batches' own
    column (an extra column of that name is not checked, so it is left out)."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        if name and name not in columns and name != "line":
            columns[name] = index
    return columns


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
    path: Path | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Parsed:
    """Read and split a data file (the bundled one when ``path`` is None).

    A UTF-8 file of ``FAST_MIN_BYTES`` or more gets the fast reader (with the exact one as
    ``Parsed.exact``); anything else, and any file whose first block the fast reader cannot
    prove, gets the exact reader, which raises the file's errors (``InputError``,
    ``DataError``, ``ParseError``). The fast reader calls ``on_progress`` with the bytes read so
    far as its batches are taken.
    """
    path = path if path is not None else bundled_data_path()
    separator = delimiter_value(delimiter)

    def exact() -> Parsed:
        text = decode(read_bytes(path), str(path), encoding, separator)
        return parse_text(text, str(path), separator)

    try:
        small = path.stat().st_size < FAST_MIN_BYTES
    except OSError:
        small = True  # the exact reader says what is wrong
    fast = None if small else _fast_parse(path, encoding, separator, exact, on_progress)
    return fast if fast is not None else exact()


# ---------------------------------------------------------------- the fast reader

BLOCK_BYTES = 2 << 20
# Threads reading blocks ahead of the checks.
READERS = 2
# Smaller files are read by the exact reader: for the bundled data (a few kB) it takes 8 ms
# where the fast one takes 25 (its start-up: a thread, Polars' parser); they cross at about
# 2,500 rows. Both give the same result (tests/test_fast_loader.py).
FAST_MIN_BYTES = 256 << 10
_HEAD_BYTES = 64 << 10
_BOM = b"\xef\xbb\xbf"
# A quote with neither a cell boundary (a delimiter or line end) before it nor one after it.
_INNER_QUOTE = re.compile(rb'[^\n]"[^\n]')


def _is_utf8(encoding: str | None) -> bool:
    if encoding is None:
        return True
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def _fast_parse(
    path: Path,
    encoding: str | None,
    separator: str,
    exact: Callable[[], Parsed],
    on_progress: Callable[[int], None] | None = None,
) -> Parsed | None:
    """The fast reading of a file, or None when the exact reader must read it."""
    if not _is_utf8(encoding) or len(separator.encode()) != 1:
        return None
    try:
        with path.open("rb") as file:
            head = next(_blocks(file, _HEAD_BYTES), b"")
    except OSError as err:
        raise unreadable(path, err) from None
    if any(head.startswith(magic) for magic in _MAGIC) or head.startswith(
        (b"\xff\xfe", b"\xfe\xff")
    ):
        return None
    if not head.removeprefix(_BOM).strip() or head.startswith(_BOM + _BOM):
        return None
    try:
        frame = _read_block(head, None, separator)
        if frame.width < 2:
            return None
        _prove(head, frame, frame.width, separator, first=True)
    except StructureMismatch:
        return None
    import polars as pl

    header = [str(v) for v in frame.head(1).select(pl.all().str.strip_chars(WHITESPACE)).row(0)]
    width = len(header)
    names = _named_columns(header)

    def batches(raw: frozenset[str] = frozenset()) -> Iterator[pl.DataFrame]:
        cells = [
            pl.col(f"c{i}").alias(n)
            if n in raw
            else pl.col(f"c{i}").str.strip_chars(WHITESPACE).alias(n)
            for n, i in names.items()
        ]

        def read(block: bytes, first: bool) -> tuple[pl.DataFrame, int]:
            # Runs in a worker thread: the block's records with their lines counted from 0 (the
            # caller adds the block's first line), and the number of lines the block spans.
            frame = _read_block(block, width, separator)
            breaks = _prove(block, frame, width, separator, first=first)
            starts = pl.int_range(0, frame.height, dtype=pl.Int64)
            spans = frame.height
            if breaks is not None:
                starts = starts + breaks.cum_sum() - breaks
                spans += int(breaks.sum())
            batch = frame.select(*cells, starts.alias("line"))
            return (batch.slice(1) if first else batch), spans  # block 0 starts with the header

        # The next blocks are read, proved and stripped in READERS threads while the caller
        # works on this one (Polars releases the GIL), so that both cores are busy.
        line = 1  # the physical line the next block starts on (the header's is 1)
        done = 0  # bytes of the blocks taken
        with path.open("rb") as file, ThreadPoolExecutor(READERS) as pool:
            pending: deque[tuple[Future[tuple[pl.DataFrame, int]], int]] = deque()
            blocks = _blocks(file, BLOCK_BYTES)
            for index, block in enumerate(itertools.chain(blocks, [None])):
                if block is not None:
                    pending.append((pool.submit(read, block, index == 0), len(block)))
                while pending and (block is None or len(pending) > READERS):
                    future, size = pending.popleft()
                    batch, spans = future.result()
                    yield batch.with_columns(pl.col("line") + line)
                    line += spans
                    done += size
                    if on_progress is not None:
                        on_progress(done)

    return Parsed(path=str(path), header=header, batches=batches, exact=exact)


def _blocks(file: io.BufferedIOBase, size: int) -> Iterator[bytes]:
    """The file in blocks of about ``size`` bytes, each ending at a line end outside quotes.

    A line end is outside quotes when the block before it holds an even number of quotes
    (a doubled quote inside a quoted cell counts two). The last block may not end at a line end.
    The file must be seekable: each block is read into one reused buffer and copied out once,
    and the file is positioned after it for the next.
    """
    buffer = bytearray(size)
    view = memoryview(buffer)
    while True:
        start = file.tell()
        got = file.readinto(buffer)
        if not got:
            return
        if got < len(buffer):  # the end of the file
            yield bytes(view[:got])
            return
        cut = buffer.rfind(b"\n") + 1
        if buffer.find(b'"') >= 0:
            quotes = buffer.count(b'"', 0, cut)
            while cut and quotes % 2:
                end = cut - 1
                cut = buffer.rfind(b"\n", 0, end) + 1
                quotes -= buffer.count(b'"', cut, end)
        if not cut:  # no line end outside quotes: read again, twice as much
            view.release()
            buffer = bytearray(2 * len(buffer))
            view = memoryview(buffer)
            file.seek(start)
            continue
        file.seek(start + cut)
        yield bytes(view[:cut])
        if len(buffer) != size:  # back to blocks of about ``size`` after a long line
            view.release()
            buffer = bytearray(size)
            view = memoryview(buffer)


def _read_block(block: bytes, width: int | None, separator: str) -> pl.DataFrame:
    """A block as strings (columns c0, c1, …), unstripped; ``StructureMismatch`` if Polars fails."""
    import polars as pl

    try:
        if width is None:
            frame = pl.read_csv(
                block,
                has_header=False,
                infer_schema=False,
                separator=separator,
                empty_string_is_null=False,
                raise_if_empty=False,
            )
            return frame.rename(lambda name: f"c{frame.columns.index(name)}")
        return pl.read_csv(
            block,
            has_header=False,
            schema={f"c{i}": pl.String for i in range(width)},
            separator=separator,
            # Without a quote in the block, no quote handling: the same split, a little faster.
            quote_char='"' if b'"' in block else None,
            empty_string_is_null=False,
            raise_if_empty=False,
            truncate_ragged_lines=False,
        )
    except Exception as err:  # any Polars failure: the exact reader will say what is wrong
        raise StructureMismatch(str(err)) from None


def _prove(
    block: bytes, frame: pl.DataFrame, width: int, separator: str, *, first: bool
) -> pl.Series | None:
    """Prove that Polars split the block as ``csv`` would; return each record's inner line breaks.

    Raises ``StructureMismatch`` when the bytes do not add up (see the module docstring).
    Returns None when no cell holds a line break.
    """
    import polars as pl

    if b"\x00" in block:
        raise StructureMismatch("NUL byte")
    quotes = 0
    if b'"' in block:
        # No cell holds a quote (checked below), so every quote must enclose a cell: it opens
        # at a cell's start and closes at a cell's end, as many openings as closings.
        # Counted on a copy where the delimiter and CR are line ends (a CR is part of a CRLF, or
        # the block is refused below): a quote after a delimiter or line end opens a cell, one
        # before them closes one. Two counts where there would be five.
        quotes = block.count(b'"')
        body = (block.removeprefix(_BOM) if first else block).translate(
            bytes.maketrans(separator.encode() + b"\r", b"\n\n")
        )
        opening = body.count(b'\n"') + body.startswith(b'"')
        closing = body.count(b'"\n') + body.endswith(b'"')
        # The counts alone can be fooled: inside a quoted cell a delimiter followed by a quote
        # counts as an opening (","GA"" has two openings, two closings and four quotes, and
        # Polars reads it as ,GA where the csv module refuses it). A quote with no cell boundary
        # on either side (the A"" in it) encloses no cell: refused.
        if not opening * 2 == closing * 2 == quotes or _INNER_QUOTE.search(body):
            raise StructureMismatch("a quote that does not enclose a cell")
    returns = 0
    if b"\r" in block:
        returns = block.count(b"\r")
        if returns != block.count(b"\r\n"):
            raise StructureMismatch("a CR that is not part of CRLF")
    # One pass: each column's bytes and longest cell and, when the block holds quotes, whether a
    # cell holds a quote or a line break (one test for both: cells rarely hold either).
    columns = frame.columns
    marks = (
        [pl.any_horizontal(pl.all().str.contains('["\n]').any()).alias("_marks")] if quotes else []
    )
    stats = frame.select(
        pl.all().str.len_bytes().cast(pl.Int64).sum().name.prefix("_sum"),
        pl.all().str.len_bytes().max().name.prefix("_max"),
        *marks,
    ).row(0)
    width_now = len(columns)
    cell_bytes = sum(stats[:width_now])
    longest = max((v for v in stats[width_now : 2 * width_now] if v is not None), default=None)
    if longest is not None and longest > csv.field_size_limit():
        raise StructureMismatch("a cell over the csv field limit")
    breaks = None
    # A CR in a cell needs no test: every CR is part of a CRLF (tested above) and counted in
    # ``returns`` as a line end, so one inside a cell is counted twice and the bytes do not add
    # up. A line break in a cell needs quotes.
    if quotes and stats[-1]:  # a cell holds a quote or a line break: which?
        quote, broken = frame.select(
            pl.any_horizontal(pl.all().str.contains('"', literal=True).any()),
            pl.any_horizontal(pl.all().str.contains("\n", literal=True).any()).alias("n"),
        ).row(0)
        if quote:
            raise StructureMismatch("a cell holds a quote")
        if broken:
            breaks = frame.select(
                pl.sum_horizontal(pl.all().str.count_matches("\n", literal=True).cast(pl.Int64))
            ).to_series()
    ends = frame.height - (0 if block.endswith(b"\n") else 1)
    bom = len(_BOM) if first and block.startswith(_BOM) else 0
    expected = bom + cell_bytes + frame.height * (width - 1) + quotes + ends + returns
    if expected != len(block):
        raise StructureMismatch(f"{len(block)} bytes, {expected} accounted for")
    return breaks


# ---------------------------------------------------------------- checking


def _format_hint() -> str:
    return "the header must be: " + ",".join(schema.COLUMNS)


def check_file(
    path: Path | None,
    rates: dict[int, float] | None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[pl.DataFrame, int]:
    """Every problem of a data file, for ``validate``, and the number of data rows read.

    A file that cannot be split into records (``ParseError``) is one problem; one that cannot be
    read or decoded raises (``InputError``, ``DataError``). Problems have the columns rule, line,
    column, value, message, hint. ``on_progress``: see ``parse_file``.
    """
    import polars as pl

    from ca_trade import checks

    try:
        parsed = parse_file(path, encoding=encoding, delimiter=delimiter, on_progress=on_progress)
        found = checks.scan(parsed, rates)
    except ParseError as err:
        problem = {
            "rule": err.rule,
            "line": err.line,
            "column": err.column,
            "value": None,
            "message": err.message,
            "hint": err.hint,
        }
        return pl.DataFrame([problem], schema=checks.PROBLEM_SCHEMA), 0
    return found.problems, found.rows


def read_trade(
    path: Path | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    keep: pl.Expr | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """Load a data file, or raise ``DataError`` for its first problem.

    Returns the columns of ``schema.COLUMNS`` typed (year Int64, value_millions Float64, the rest
    String, note null when empty) plus ``line``, each row's line in the file (header = line 1).

    ``keep`` is a filter over those typed columns: the whole file is read and checked as always,
    but only the rows it keeps are held and returned (so a command that needs one year or a few
    codes of a million-row file holds only those). ``on_progress``: see ``parse_file``.
    """
    from ca_trade import checks

    parsed = parse_file(path, encoding=encoding, delimiter=delimiter, on_progress=on_progress)
    found = checks.scan(parsed, keep=keep, collect=True)
    problems = found.problems
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
    assert found.kept is not None
    return found.kept


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
    header, records, _ = _split(decode(read_bytes(path), str(path), None), str(path), ",")
    try:
        year_at, rate_at = header.index("year"), header.index("usd_per_eur")
        return {int(r[year_at]): float(r[rate_at]) for r in records}
    except (ValueError, IndexError) as err:
        raise DataError(f"is not a rates file ({err})", path=str(path)) from None


def missing_rates(trade: pl.DataFrame, rates: dict[int, float]) -> list[int]:
    """Years that have EUR rows but no rate."""
    import polars as pl

    years = trade.filter(pl.col("currency") == "EUR").get_column("year").unique().sort()
    return [y for y in years.to_list() if y not in rates]
