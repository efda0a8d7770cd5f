"""Reading a download in blocks: counted, gunzipped, prefetched, hashed, prefiltered by line."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import queue
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from ca_trade.errors import DataError, InputError
from ca_trade.ingest.countries import Codes
from ca_trade.ingest.formats import open_raw
from ca_trade.ingest.spec import Spec

if TYPE_CHECKING:
    import polars as pl

# Text per block of a plain file: memory is bounded by this, not the file. Peak memory grows by
# about 10 MB per MB of block (the blocks in flight, their line columns, parse buffers); 2 MiB
# is as fast as 4 or 8 on the benchmarks (1.16 against 1.24 CPU s on the 4.58M-line file, the
# same for 1M lines with --all-countries) and 30 MB smaller than 4.
BLOCK_BYTES = 2 << 20
HASH_READ_BYTES = 1 << 20
PARSE_BYTES = 4 << 20  # kept lines gathered per parse (see aggregate)
GZIP_READ_BYTES = 1 << 20  # compressed bytes per inflate: about 4-5 MiB of text per block
# Partial aggregates held in memory before they are spilled to disk by year. A world-wide file
# of totals makes about 20 bytes of partials per line: 1M lines stay in memory, 10M do not.
SPILL_BYTES = 64 << 20
SAMPLE_LINES = 20_000  # lines of the first batch that decide whether batches are grouped
T = TypeVar("T")


class Hasher(threading.Thread):
    """The file's sha256, computed in a thread of its own from the start.

    It reads the file a second time (from the page cache), so hashing overlaps the Polars import
    and the parse instead of sitting in the reader's path.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.digest = hashlib.sha256()
        self.error: OSError | None = None
        self.start()

    def run(self) -> None:
        try:
            with open(self.path, "rb", buffering=0) as handle:
                while data := handle.read(HASH_READ_BYTES):
                    self.digest.update(data)
        except OSError as err:
            self.error = err

    def hexdigest(self) -> str:
        self.join()
        if self.error is not None:
            raise InputError(f"cannot be read ({self.error.strerror})", path=str(self.path))
        return self.digest.hexdigest()


class _Counting(io.RawIOBase):
    """A raw reader that counts the bytes read (for progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.done = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.done += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass
class Block:
    """Some whole lines of the (decompressed) text and the byte offset of the first."""

    data: bytes
    offset: int


def _blocks(path: Path, counter: _Counting, gz: bool) -> Iterator[Block]:
    """Whole lines, about ``BLOCK_BYTES`` at a time, after the header line."""
    if not gz:
        yield from _plain_blocks(counter)
        return
    try:
        pieces = _gunzip(counter)
        head = next(pieces, b"")
        while b"\n" not in head:
            more = next(pieces, b"")
            if not more:
                break
            head += more
        start = head.find(b"\n") + 1 if b"\n" in head else len(head)
        rest, offset = head[start:], start
        for chunk in pieces:
            cut = chunk.rfind(b"\n") + 1
            if cut == 0:
                rest += chunk
                continue
            body = rest + chunk[:cut] if rest else chunk[:cut]
            rest = chunk[cut:]
            yield Block(body, offset)
            offset += len(body)
        if rest.strip():
            yield Block(rest if rest.endswith(b"\n") else rest + b"\n", offset)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"cannot be decompressed ({err})", path=str(path)) from None


def _gunzip(counter: _Counting) -> Iterator[bytes]:
    """Decompressed pieces, ``GZIP_READ_BYTES`` of input at a time (all members, like gunzip).

    zlib directly: 25 % faster than ``gzip.GzipFile`` here, and it releases the GIL.
    """
    inflate = zlib.decompressobj(wbits=31)
    while True:
        data = counter.read(GZIP_READ_BYTES)
        if not data:
            if not inflate.eof:
                raise EOFError("the file ends before the end of the compressed data")
            return
        while data:
            piece = inflate.decompress(data)
            if piece:
                yield piece
            if inflate.eof:
                data = inflate.unused_data.lstrip(b"\x00")
                if data:
                    inflate = zlib.decompressobj(wbits=31)
            else:
                data = b""


def _plain_blocks(counter: _Counting) -> Iterator[Block]:
    """An uncompressed file: each block is read once at its exact size (no copies).

    A small probe finds the last line end before the block's nominal end; ``pread`` then reads
    exactly the whole lines. A line longer than a block makes a block of its own.
    """
    fd = counter.raw.fileno()
    size = os.fstat(fd).st_size
    first = os.pread(fd, 1 << 20, 0)
    start = first.find(b"\n") + 1 if b"\n" in first else len(first)
    offset = start
    while offset < size:
        end = _line_end_before(fd, offset, min(offset + BLOCK_BYTES, size), size)
        data = os.pread(fd, end - offset, offset)
        counter.done = end
        if data.strip():
            yield Block(data if data.endswith(b"\n") else data + b"\n", offset)
        offset = end


def _line_end_before(fd: int, start: int, end: int, size: int) -> int:
    """The offset just past the last line end in ``start..end``, else past the next one."""
    if end >= size:
        return size
    probe_size = min(1 << 16, end - start)
    probe = os.pread(fd, probe_size, end - probe_size)
    cut = probe.rfind(b"\n")
    if cut >= 0:
        return end - probe_size + cut + 1
    if probe_size < end - start:  # no line end in the probe: look through the whole block
        cut = os.pread(fd, end - start, start).rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
    while end < size:  # a line longer than the block: it ends the block
        piece = os.pread(fd, 1 << 16, end)
        if b"\n" in piece:
            return end + piece.find(b"\n") + 1
        end += len(piece)
    return size


def _reread(path: Path, gz: bool, spans: list[tuple[int, int]]) -> Iterator[tuple[Block, int]]:
    """The blocks of text at ``spans`` (offset, length; ascending) again, each with its first
    line number, in one pass over the file: for error messages only.

    Kept lines are parsed in batches of several blocks, so the raw lines of a batch that fails
    are read again rather than held in memory all along.
    """
    with open_raw(path) as raw:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if gz else raw  # type: ignore[assignment]
        line, at = 1, 0
        for offset, length in spans:
            left = offset - at
            while left > 0:
                data = stream.read(min(left, 1 << 24))
                if not data:
                    return
                line += data.count(b"\n")
                left -= len(data)
            data = stream.read(length)
            yield Block(data if data.endswith(b"\n") else data + b"\n", offset), line
            line += data.count(b"\n")
            at = offset + len(data)


def prefetch(blocks: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Make the next item in a thread while the current one is used (I/O, gunzip, filter)."""
    box: queue.Queue[T | BaseException | None] = queue.Queue(depth)

    def run() -> None:
        try:
            for block in blocks:
                box.put(block)
            box.put(None)
        except BaseException as err:  # noqa: BLE001 - handed to the consumer
            box.put(err)

    threading.Thread(target=run, daemon=True).start()
    while True:
        item = box.get()
        if item is None:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def _variants(codes: object) -> list[str]:
    """Codes as they may be written: upper and lower case (a file's case is not checked here)."""
    found = [str(c) for c in codes]  # type: ignore[attr-defined]
    return list(dict.fromkeys(found + [c.lower() for c in found]))


def _rx(text: str) -> str:
    """``text`` as a regex literal (Rust regex syntax: every non-word character as ``\\x{..}``)."""
    return "".join(c if c.isalnum() or c == "_" else f"\\x{{{ord(c):X}}}" for c in text)


def line_pattern(spec: Spec, header: list[str], separator: str, codes: Codes) -> str:
    """A regex a line must match to have an own-country reporter (BACI: either side).

    Anchored at the line start, it skips the fields before the reporter's column as a CSV
    reader would (a quoted field may hold separators and doubled quotes; an unquoted one any
    character but the separator) and then wants one of our codes, quoted or not, as the whole
    field. Where a field could be read two ways, either reading matches: the lines it keeps are
    a superset of those the parsed filter keeps, and on a Comtrade file about half as many as a
    bare substring test, which also matches our codes in the partner column.
    """
    sep = _rx(separator)
    field = f'(?:"(?:[^"\\n]|"")*"|[^{sep}\\n]*)'
    wanted = "|".join(_rx(code) for code in _variants(codes.own_raw(spec)))
    roles = ("reporter", "partner") if spec.name == "baci" else ("reporter",)
    branches = []
    for role in roles:
        skip = header.index(spec.roles[role])
        branches.append(f'(?:{field}{sep}){{{skip}}}"?(?:{wanted})"?(?:{sep}|\\r|$)')
    return "^(?:" + "|".join(branches) + ")"


def prefilter(data: bytes, pattern: str) -> bytes:
    """The lines of ``data`` that match ``pattern``, newline-terminated (maybe empty).

    Lines are read whole (no separator, no quoting), so this assumes no line break inside a
    quoted field, which the official downloads do not have.
    """
    import polars as pl

    kept = (
        pl.scan_csv(
            data,
            has_header=False,
            separator="\x1f",
            quote_char=None,
            schema={"line": pl.String},
            encoding="utf8-lossy",
        )
        .filter(pl.col("line").str.contains(pattern))
        .select(pl.col("line").str.join("\n"))
        .collect(engine="streaming")
        .item()
    )
    return (kept + "\n").encode() if kept else b""


def _block_schema(header: list[str], spec: Spec) -> dict[str, pl.DataType]:
    """Every column String except the value (Float64): no inference, codes keep their zeros."""
    import polars as pl

    value = spec.roles["value"]
    names: dict[str, pl.DataType] = {}
    for index, name in enumerate(header):
        unique = name if name and name not in names else f"_column_{index + 1}"
        names[unique] = pl.Float64() if name == value else pl.String()
    return names


def _parse_problem(
    block: Block, header: list[str], spec: Spec, separator: str, path: Path, first_line: int
) -> None:
    """Find the first line of a block Polars refused and raise a DataError placed there."""
    value_at = header.index(spec.roles["value"])
    text = block.data.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    line = first_line
    try:
        for record in reader:
            here = line
            line = first_line + reader.line_num
            if not record:
                continue
            if len(record) != len(header):
                raise DataError(
                    f"has {len(record)} fields where the header has {len(header)}",
                    path=str(path),
                    line=here,
                    hint="a quote or separator is out of place on this line",
                )
            cell = record[value_at].strip()
            if cell and cell.lower() not in ("nan", "inf", "-inf"):
                try:
                    float(cell)
                except ValueError:
                    raise DataError(
                        f"{cell!r} is not a number",
                        path=str(path),
                        line=here,
                        column=spec.roles["value"],
                        hint="the value column must hold plain numbers",
                    ) from None
    except csv.Error as err:
        raise DataError(f"cannot be split into fields ({err})", path=str(path), line=line) from None
