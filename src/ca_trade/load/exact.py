"""The exact reader: the csv module splits the text; every error placed by line and column."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ca_trade.load.decoding import _column_at, _format_hint, _sniff_hint
from ca_trade.records import WHITESPACE, Parsed, ParseError, Ragged

if TYPE_CHECKING:
    import polars as pl

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
