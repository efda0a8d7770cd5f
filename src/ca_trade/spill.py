"""Frames put on disk while a big file is read, so that memory stays flat as files grow.

Two users: ``ingest.blocks.Partials`` (an import's partial sums, by year) and ``KeyHashes``
below (the loader's key hashes, for the duplicate-key rule). Spill files are uncompressed Arrow
IPC in a private temporary directory, removed by ``close``.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade.errors import WriteError

if TYPE_CHECKING:
    import polars as pl

# Key hashes held in memory before they go to disk (8 bytes each: 4 MB). Measured with
# ``ca-trade validate`` on 9.9M rows: 295 MB peak with every hash held, 219 MB with 2M held,
# 165 MB with 500,000 held (and 153 MB on 1M rows). A file of up to 500,000 rows never
# touches the disk.
HASHES_HELD = 500_000
# Spilled hashes are split by their top bits into this many files per spill, so that finding
# repeats holds a sixteenth of them at a time.
PARTITION_BITS = 4


_HINT = "free some space, or set TMPDIR to a directory on a disk with room"


def new_dir(purpose: str) -> Path:
    """A new private temporary directory, ``ca-trade-PURPOSE-…``.

    Raises ``WriteError`` (exit 74) when none can be made.
    """
    try:
        return Path(tempfile.mkdtemp(prefix=f"ca-trade-{purpose}-"))
    except OSError as err:
        raise WriteError(
            f"cannot make a temporary directory ({err.strerror or err})",
            path=tempfile.gettempdir(),
            hint=_HINT,
        ) from None


def write(frame: pl.DataFrame, path: Path) -> None:
    """Write a frame to a spill file; ``WriteError`` (exit 74) when the disk is full.

    Polars writes to memory and Python to the file, so that a failed write is an ``OSError``
    with the system's own message.
    """
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    try:
        path.write_bytes(buffer.getbuffer())
    except OSError as err:
        raise WriteError(
            f"cannot write a temporary file ({err.strerror or err})",
            path=str(path.parent),
            hint=_HINT,
        ) from None


def read(path: Path) -> pl.DataFrame:
    """A frame written by ``write``, read whole (``read_ipc`` on a path maps the file, and the
    mapped pages stay counted in the process's memory: 48 MB more for an 80-year import)."""
    import polars as pl

    return pl.read_ipc(io.BytesIO(path.read_bytes()))


class KeyHashes:
    """The 64-bit hash of every row's key, to find the hashes that occur more than once.

    Up to ``limit`` hashes are held in memory. Past that, everything held goes to disk, split by
    the hash's top ``PARTITION_BITS`` bits; ``repeated`` then reads one partition at a time
    (equal hashes are always in the same one). A repeat is found by sorting: equal neighbours
    (a hash table over ten million keys takes several times the memory of the hashes).
    Use as a context manager, or call ``close``, to remove the spill files.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = HASHES_HELD if limit is None else limit
        self.held: list[pl.Series] = []
        self.count = 0  # hashes held in memory
        self.spill_dir: Path | None = None
        self.parts: dict[int, list[Path]] = {}

    def __enter__(self) -> KeyHashes:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add(self, hashes: pl.Series) -> None:
        """Take one batch's key hashes (UInt64)."""
        self.held.append(hashes)
        self.count += hashes.len()
        if self.count > self.limit:
            self.spill()

    def spill(self) -> None:
        """Write what is held to disk, one file per partition."""
        import polars as pl

        if not self.held:
            return
        if self.spill_dir is None:
            self.spill_dir = new_dir("keys")
        frame = pl.DataFrame({"hash": pl.concat(self.held)})
        self.held, self.count = [], 0
        top = pl.col("hash") // (1 << (64 - PARTITION_BITS))
        parts = frame.with_columns(top.alias("part")).partition_by(
            "part", as_dict=True, include_key=False
        )
        del frame
        for (part,), hashes in parts.items():
            paths = self.parts.setdefault(int(str(part)), [])
            path = self.spill_dir / f"{part}-{len(paths)}.arrow"
            write(hashes, path)
            paths.append(path)

    def repeated(self) -> pl.Series:
        """The hashes that occur more than once, each once (UInt64)."""
        import polars as pl

        if self.spill_dir is None:
            held, self.held, self.count = self.held, [], 0
            if not held:
                return pl.Series("hash", [], dtype=pl.UInt64)
            return _repeats(pl.concat(held, rechunk=False))
        self.spill()
        found = [
            _repeats(pl.concat([read(p) for p in paths]).get_column("hash"))
            for _, paths in sorted(self.parts.items())
        ]
        return pl.concat(found) if found else pl.Series("hash", [], dtype=pl.UInt64)

    def close(self) -> None:
        """Remove the spill files and forget what is held."""
        self.held, self.count = [], 0
        if self.spill_dir is not None:
            shutil.rmtree(self.spill_dir, ignore_errors=True)
            self.spill_dir = None
            self.parts = {}


def _repeats(hashes: pl.Series) -> pl.Series:
    ordered = hashes.sort()
    height = ordered.len()
    if height < 2:
        return ordered.clear().alias("hash")
    later = ordered.slice(1)
    return later.filter(later == ordered.slice(0, height - 1)).unique().alias("hash")
