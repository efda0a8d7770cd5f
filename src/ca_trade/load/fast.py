"""The fast reader: Polars splits UTF-8 files in blocks, each proved to split as ``csv`` would."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade.load.decoding import _MAGIC, unreadable
from ca_trade.load.exact import _lines, _named_columns
from ca_trade.records import WHITESPACE, Parsed, StructureMismatch

if TYPE_CHECKING:
    import polars as pl

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


def fast_parse(
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
    if header != _exact_header(head, separator):
        return None  # the proof's counts can be fooled in the header (a stray quote): be exact
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
            _prove(block, frame, width, separator, first=first)
            starts = pl.int_range(0, frame.height, dtype=pl.Int64)
            batch = frame.select(*cells, starts.alias("line"))
            # one record a line: the block spans as many lines as it has records
            return (batch.slice(1) if first else batch), frame.height

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


def _exact_header(head: bytes, separator: str) -> list[str] | None:
    """The first record of ``head`` as the csv module splits it (stripped), None if it cannot."""
    text = head.removeprefix(_BOM).decode("utf-8", errors="replace")
    try:
        record = next(csv.reader(_lines(text), delimiter=separator, strict=True), None)
    except csv.Error:
        return None
    return None if record is None else [cell.strip(WHITESPACE) for cell in record]


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


def _prove(block: bytes, frame: pl.DataFrame, width: int, separator: str, *, first: bool) -> None:
    """Prove that Polars split the block as ``csv`` would, one record a line.

    Raises ``StructureMismatch`` when the bytes do not add up (see the module docstring), and
    for a cell with a line break (the exact reader reads such a file).
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
            # A line break inside a quoted cell makes the quote counts unsound: a quote right
            # after it ("two\n"lines", which csv refuses) counts as an opening and pairs with
            # the cell's closing quote. Such a file is read by the exact reader.
            raise StructureMismatch("a line break inside a quoted cell")
    ends = frame.height - (0 if block.endswith(b"\n") else 1)
    bom = len(_BOM) if first and block.startswith(_BOM) else 0
    expected = bom + cell_bytes + frame.height * (width - 1) + quotes + ends + returns
    if expected != len(block):
        raise StructureMismatch(f"{len(block)} bytes, {expected} accounted for")
