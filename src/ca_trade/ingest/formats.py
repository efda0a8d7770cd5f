"""The supported formats by name, the header of a download, and which format it is."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import IO

from ca_trade.errors import DataError, UsageError
from ca_trade.ingest import baci, comext, comtrade, imf
from ca_trade.ingest.spec import Spec
from ca_trade.load import unreadable

FORMATS = {
    "comtrade": comtrade.PLUS,
    "comtrade-bulk": comtrade.BULK,
    "imf": imf.IMTS,
    "comext": comext.COMEXT,
    "baci": baci.BACI,
}
GZIP_MAGIC = b"\x1f\x8b"


def open_raw(path: Path) -> IO[bytes]:
    """The file opened for reading bytes; a missing or unreadable one is an ``InputError``."""
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as err:
        raise unreadable(path, err) from None


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic number."""
    with open_raw(path) as handle:
        return handle.read(2) == GZIP_MAGIC


def read_header(path: Path) -> tuple[list[str], str]:
    """The header's column names and the separator (tab when the header has one, else comma)."""
    raw = open_raw(path)
    try:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if is_gzip(path) else raw  # type: ignore[assignment]
        first = stream.readline(1 << 20)
    except (OSError, EOFError) as err:
        raise DataError(f"cannot be decompressed ({err})", path=str(path), line=1) from None
    finally:
        raw.close()
    text = first.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    if not text.strip():
        raise DataError("is empty: no header", path=str(path), line=1)
    separator = "\t" if "\t" in text else ";" if ";" in text and "," not in text else ","
    names = [name.strip() for name in next(csv.reader([text], delimiter=separator))]
    return names, separator


def sniff(header: list[str]) -> str | None:
    """The format whose required columns the header has (match by name, not position)."""
    present = set(header)
    for name in ("baci", "imf", "comext", "comtrade", "comtrade-bulk"):
        if set(FORMATS[name].roles.values()) <= present:
            return name
    return None


def spec_for(header: list[str], path: Path, wanted: str | None) -> Spec:
    """The format asked for (``--format``) or sniffed, checked against the header."""
    if wanted is not None:
        name = wanted.lower()
        if name not in FORMATS:
            raise UsageError(f"--format {wanted!r} is not a known format", hint=", ".join(FORMATS))
    else:
        found = sniff(header)
        if found is None:
            raise DataError(
                "is not a known download: the header matches none of "
                + ", ".join(FORMATS)
                + f" (it starts {','.join(header[:6])})",
                path=str(path),
                line=1,
                hint="--format NAME, or see the README for the headers each format needs",
            )
        name = found
    spec = FORMATS[name]
    missing = [c for c in spec.roles.values() if c not in header]
    if missing:
        raise DataError(
            f"is not a {spec.title} file: column {missing[0]!r} is missing",
            path=str(path),
            line=1,
            column=missing[0],
            hint="the header needs " + ", ".join(spec.roles.values()),
        )
    return spec
