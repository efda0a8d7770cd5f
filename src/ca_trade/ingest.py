"""``ca-trade import``: an official download (Comtrade, IMF IMTS, Comext, BACI) to our format.

The input can be far larger than memory, so it is read in bounded blocks: a reader thread reads
(and gunzips) the file and cuts the text at line ends, another hashes the raw bytes for the
note's ``sha256=`` (it starts before Polars is imported, to overlap that). Each block is parsed
by Polars with a fixed schema (codes as String, never null-converted: Namibia's ``NA`` stays
``NA``; the value column as Float64) and reduced at once by the streaming engine to a partial
aggregate. Memory is bounded by the block size, not the file size. (A plain
``pl.scan_csv(path)`` holds the whole file in memory in Polars 2.1: 390 MB peak for a 250 MB
file, measured; gzip files are decompressed whole.)

The aggregation key is (period, frequency, breakdown?, reporter, partner, flow, product level);
the partial frames are small and the rules are applied to them afterwards:

- only annual rows (a 4-digit period, frequency A) are kept;
- rows that are breakdowns (partner2 not World, a mode of transport, a customs procedure) are
  dropped: a total row exists for every breakdown in a classic download;
- per key the product ``TOTAL`` (level 0) is used when present, else the sum of the products at
  the most aggregated level present (HS-2 before HS-4 before HS-6), so levels are never mixed;
  ``note`` says which;
- World stays partner WLD and is never summed with the partners.

``load.read_trade`` rules are checked on the produced text before it is written.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import queue
import re
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from ca_trade import schema
from ca_trade.errors import DataError, InputError, UsageError

if TYPE_CHECKING:
    import polars as pl

# Text per block of a plain file: memory is bounded by this, not the file. Peak memory grows by
# about 10 MB per MB of block (the blocks in flight, their line columns, parse buffers); 4 MiB
# is as fast as 8 or 16 on the benchmark and 40 MB smaller than 8.
BLOCK_BYTES = 4 << 20
HASH_READ_BYTES = 1 << 20
PARSE_BYTES = 4 << 20  # kept lines gathered per parse (see aggregate)
GZIP_READ_BYTES = 1 << 20  # compressed bytes per inflate: about 4-5 MiB of text per block
GZIP_MAGIC = b"\x1f\x8b"

# Comtrade's numeric area codes for ca-trade's own countries (UN M49, which Comtrade and BACI
# follow for these seven; they differ from ISO numeric for e.g. USA 842, France 251, India 699).
NUMERIC_CODES = {
    398: "KAZ",
    417: "KGZ",
    762: "TJK",
    795: "TKM",
    860: "UZB",
    156: "CHN",
    643: "RUS",
}
COMTRADE_WORLD = 0
ISO2_CODES = {
    "KZ": "KAZ",
    "KG": "KGZ",
    "TJ": "TJK",
    "TM": "TKM",
    "UZ": "UZB",
    "CN": "CHN",
    "RU": "RUS",
}
# Codes each source uses for the World and for the EU, mapped to ca-trade's.
WORLD_CODES = {"W00": "WLD", "G001": "WLD", "WORLD": "WLD", "WLD": "WLD"}
EU_CODES = {"EU27_2020": "EU27"}
OWN = set(schema.COUNTERPARTS)
T = TypeVar("T")


@dataclass(frozen=True)
class Spec:
    """One import format: its columns by role, its codes and units."""

    name: str
    title: str
    url: str
    codes: str  # "iso3", "numeric" or "iso2"
    roles: dict[str, str]  # role -> column name, required
    optional: dict[str, str] = field(default_factory=dict)  # role -> column name, if present
    unit: float = 1.0  # one unit of the value column in currency units
    currency: str = "USD"
    basis: str = "official"
    flows: dict[str, str] = field(default_factory=lambda: {"X": "export", "M": "import"})
    products: bool = True


COMTRADE_URL = "https://comtradeplus.un.org/"
FORMATS = {
    "comtrade": Spec(
        name="comtrade",
        title="UN Comtrade Plus",
        url=COMTRADE_URL,
        codes="iso3",
        roles={
            "period": "refYear",
            "reporter": "reporterISO",
            "partner": "partnerISO",
            "flow": "flowCode",
            "value": "primaryValue",
        },
        optional={
            "freq": "freqCode",
            "product": "cmdCode",
            "partner2": "partner2Code",
            "mot": "motCode",
            "customs": "customsCode",
        },
    ),
    "comtrade-bulk": Spec(
        name="comtrade-bulk",
        title="UN Comtrade bulk",
        url=COMTRADE_URL,
        codes="numeric",
        roles={
            "period": "period",
            "reporter": "reporterCode",
            "partner": "partnerCode",
            "flow": "flowCode",
            "value": "primaryValue",
        },
        optional={
            "freq": "freqCode",
            "product": "cmdCode",
            "partner2": "partner2Code",
            "mot": "motCode",
            "customs": "customsCode",
        },
    ),
    "imf": Spec(
        name="imf",
        title="IMF IMTS",
        url="https://data.imf.org/",
        codes="iso3",
        roles={
            "period": "TIME_PERIOD",
            "reporter": "COUNTRY",
            "partner": "COUNTERPART_COUNTRY",
            "flow": "INDICATOR",
            "value": "OBS_VALUE",
        },
        optional={"freq": "FREQUENCY", "scale": "SCALE"},
        flows={"XG_FOB_USD": "export", "MG_CIF_USD": "import"},
        products=False,
    ),
    "comext": Spec(
        name="comext",
        title="Eurostat Comext",
        url="https://ec.europa.eu/eurostat/comext/newxtweb/",
        codes="iso2",
        roles={
            "period": "TIME_PERIOD",
            "reporter": "reporter",
            "partner": "partner",
            "flow": "flow",
            "indicator": "indicators",
            "value": "OBS_VALUE",
        },
        optional={"freq": "freq", "product": "product"},
        currency="EUR",
        flows={"2": "export", "1": "import"},
    ),
    "baci": Spec(
        name="baci",
        title="CEPII BACI",
        url="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
        codes="numeric",
        roles={"period": "t", "reporter": "i", "partner": "j", "product": "k", "value": "v"},
        unit=1000.0,
        basis="compiled",
        flows={},
    ),
}
EUR_VALUE_INDICATORS = ("VALUE_IN_EUROS", "VALUE_EUR")
KEYS = ["period", "freq", "breakdown", "reporter", "partner", "flow", "level", "scale"]


@dataclass
class Options:
    """What the user asked for."""

    fmt: str | None = None
    hs: tuple[str, ...] = ()
    all_countries: bool = False
    countries: Path | None = None


@dataclass
class OutRow:
    """One output row before it becomes text: ``raw`` holds the source's codes."""

    year: int
    reporter: str | None
    partner: str | None
    flow: str
    value: float
    how: str
    raw: tuple[str, str]


@dataclass
class Result:
    """The produced data file text and what happened on the way."""

    text: str
    rows: int
    spec: Spec
    skipped: list[str]
    years: list[int]
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- header and format


def _open_raw(path: Path) -> IO[bytes]:
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the caller
    except FileNotFoundError:
        raise InputError("file not found", path=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=str(path)) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", path=str(path)) from None
    except OSError as err:
        raise InputError(f"cannot be read ({err.strerror})", path=str(path)) from None


def _is_gzip(path: Path) -> bool:
    with _open_raw(path) as handle:
        return handle.read(2) == GZIP_MAGIC


def read_header(path: Path) -> tuple[list[str], str]:
    """The header's column names and the separator (tab when the header has one, else comma)."""
    raw = _open_raw(path)
    try:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if _is_gzip(path) else raw  # type: ignore[assignment]
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


def _spec(header: list[str], path: Path, wanted: str | None) -> Spec:
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


# ---------------------------------------------------------------- countries


def _numeric(code: str) -> int | None:
    try:
        return int(code)
    except ValueError:
        return None


def read_countries(path: Path) -> tuple[dict[int, str], dict[str, str]]:
    """A BACI-style country file: numeric code -> ISO3 and ISO2 -> ISO3.

    Columns are matched by name (``country_code``, ``country_iso2``, ``country_iso3``); every
    cell is a string, so Namibia's ISO2 ``NA`` is kept. UTF-8, falling back to Latin-1.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=str(path), hint="check --countries") from None
    except OSError as err:
        raise InputError(f"cannot be read ({err.strerror})", path=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]] if rows else []
    if not {"country_code", "country_iso3"} <= set(header):
        raise DataError(
            "is not a country-code file: it needs columns country_code and country_iso3",
            path=str(path),
            line=1,
            hint="the BACI country_codes_V*.csv file",
        )
    at_code, at_iso3 = header.index("country_code"), header.index("country_iso3")
    at_iso2 = header.index("country_iso2") if "country_iso2" in header else None
    numeric: dict[int, str] = {}
    iso2: dict[str, str] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row or len(row) <= max(at_code, at_iso3):
            continue
        number, iso3 = _numeric(row[at_code].strip()), row[at_iso3].strip().upper()
        if number is None:
            raise DataError(
                f"{row[at_code]!r} is not a numeric code",
                path=str(path),
                line=line,
                column="country_code",
            )
        if iso3:
            numeric[number] = iso3
            if at_iso2 is not None and len(row) > at_iso2 and row[at_iso2].strip():
                iso2[row[at_iso2].strip().upper()] = iso3
    return numeric, iso2


def _find_countries(path: Path) -> Path | None:
    """BACI's country file beside the data file (``country_codes_V*.csv``), the newest name."""
    found = sorted(path.parent.glob("country_codes*.csv"))
    return found[-1] if found else None


@dataclass
class Codes:
    """How a format's raw codes become ca-trade codes."""

    numeric: dict[int, str]
    iso2: dict[str, str]
    origin: str  # for the note: where the code table came from

    def to_own(self, raw: str, spec: Spec, *, partner: bool) -> str | None:
        """A raw reporter/partner code as a ca-trade code, or None (not mapped)."""
        if partner and raw.upper() in WORLD_CODES:
            return "WLD"
        if spec.codes == "numeric":
            number = _numeric(raw)
            if number is None:
                return None
            if number == COMTRADE_WORLD and spec.name == "comtrade-bulk":
                return "WLD" if partner else None
            return self.numeric.get(number)
        upper = raw.upper()
        if upper in EU_CODES:
            return EU_CODES[upper]
        if spec.codes == "iso2":
            return self.iso2.get(upper)
        return upper


def _codes(spec: Spec, options: Options, path: Path) -> Codes:
    countries = options.countries
    if countries is None and spec.name == "baci":
        countries = _find_countries(path)
    if countries is not None and spec.codes == "iso3":
        raise UsageError(f"--countries is not used with {spec.title}: its codes are ISO3 already")
    if countries is not None:
        numeric, iso2 = read_countries(countries)
        return Codes(numeric, iso2, f"codes={countries.name}")
    if options.all_countries and spec.codes != "iso3":
        raise UsageError(
            f"--all-countries needs --countries FILE for {spec.title}: its codes are "
            f"{'numeric' if spec.codes == 'numeric' else 'ISO2'} and ca-trade knows only its own",
            hint="--countries country_codes_V202501.csv (BACI's country file)",
        )
    return Codes(dict(NUMERIC_CODES), dict(ISO2_CODES), "")


# ---------------------------------------------------------------- reading in blocks


class _Hasher(threading.Thread):
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
    with _open_raw(path) as raw:
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


def _prefetch(blocks: Iterator[T], depth: int = 1) -> Iterator[T]:
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


# ---------------------------------------------------------------- per-block aggregation


def _hs_filter(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    for prefix in prefixes:
        if not re.fullmatch(r"\d{1,10}", prefix):
            raise UsageError(f"--hs {prefix!r} is not an HS code", hint="--hs 2711 (digits)")
    for a in prefixes:
        for b in prefixes:
            if a != b and b.startswith(a):
                raise UsageError(f"--hs {a} already covers --hs {b}", hint="give one of them")
    return tuple(dict.fromkeys(prefixes))


def _reducer(
    spec: Spec, header: list[str], options: Options, codes: Codes
) -> Callable[[pl.LazyFrame], pl.LazyFrame]:
    """The lazy per-block reduction: normalise, filter, group by ``KEYS``, sum."""
    import polars as pl

    col = {role: name for role, name in spec.optional.items() if name in header}
    col.update(spec.roles)

    def text(role: str, default: str = "") -> pl.Expr:
        # Raw strings in the hot path: case and spaces are normalised on the small aggregate.
        if role not in col:
            return pl.lit(default, dtype=pl.String)
        return pl.col(col[role])

    breakdown = pl.lit(False)
    if "partner2" in col:
        breakdown = breakdown | ~text("partner2").is_in(["0", "W00"]).fill_null(True)
    if "mot" in col:
        breakdown = breakdown | ~text("mot").is_in(["0"]).fill_null(True)
    if "customs" in col:
        breakdown = breakdown | ~text("customs").is_in(["C00"]).fill_null(True)
    product = text("product")
    if "product" in col:
        level = (
            pl.when(product.is_in(["TOTAL", "total", "Total"]))
            .then(0)
            .otherwise(product.str.len_bytes())
            .cast(pl.Int32)
        )
    else:  # no product column: the rows are totals, and the note says nothing of products
        level = pl.lit(-1, dtype=pl.Int32)
    reporter, partner = text("reporter"), text("partner")
    flow = text("flow") if spec.flows else pl.lit("export")
    value = pl.col(col["value"])
    keep = value.is_not_nan() & reporter.is_not_null()
    if spec.flows:
        keep = keep & flow.is_in(_variants(spec.flows))
    if "indicator" in col:
        keep = keep & text("indicator").is_in(EUR_VALUE_INDICATORS)
    if options.hs:
        keep = keep & pl.any_horizontal(*[product.str.starts_with(p) for p in options.hs])
    if not options.all_countries:
        own_raw = _variants(_own_raw_codes(spec, codes))
        if spec.name == "baci":  # World rows are sums over all partners: keep either side
            keep = keep & (reporter.is_in(own_raw) | partner.is_in(own_raw))
        else:
            world = [*WORLD_CODES] + (["0"] if spec.codes == "numeric" else [])
            keep = keep & reporter.is_in(own_raw) & partner.is_in(_variants(own_raw + world))
    frame_keys = [
        text("period").alias("period"),
        text("freq").alias("freq"),
        breakdown.alias("breakdown"),
        reporter.alias("reporter"),
        partner.alias("partner"),
        flow.alias("flow"),
        level.alias("level"),
        text("scale").alias("scale"),
    ]

    def reduce(frame: pl.LazyFrame) -> pl.LazyFrame:
        return (
            frame.filter(keep)
            .group_by(frame_keys)
            .agg(value.sum().alias("value"), pl.len().cast(pl.Int64).alias("rows"))
        )

    return reduce


def _variants(codes: object) -> list[str]:
    """Codes as they may be written: upper and lower case (a file's case is not checked here)."""
    found = [str(c) for c in codes]  # type: ignore[attr-defined]
    return list(dict.fromkeys(found + [c.lower() for c in found]))


def _own_raw_codes(spec: Spec, codes: Codes) -> list[str]:
    """The raw codes that map to ca-trade's own countries, as the block holds them."""
    if spec.codes == "numeric":
        return [str(n) for n, iso3 in codes.numeric.items() if iso3 in OWN]
    if spec.codes == "iso2":
        return [c for c, iso3 in codes.iso2.items() if iso3 in OWN] + list(EU_CODES)
    return [*OWN, *EU_CODES]


def _rx(text: str) -> str:
    """``text`` as a regex literal (Rust regex syntax: every non-word character as ``\\x{..}``)."""
    return "".join(c if c.isalnum() or c == "_" else f"\\x{{{ord(c):X}}}" for c in text)


def _line_pattern(spec: Spec, header: list[str], separator: str, codes: Codes) -> str:
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
    wanted = "|".join(_rx(code) for code in _variants(_own_raw_codes(spec, codes)))
    roles = ("reporter", "partner") if spec.name == "baci" else ("reporter",)
    branches = []
    for role in roles:
        skip = header.index(spec.roles[role])
        branches.append(f'(?:{field}{sep}){{{skip}}}"?(?:{wanted})"?(?:{sep}|\\r|$)')
    return "^(?:" + "|".join(branches) + ")"


def _prefilter(data: bytes, pattern: str) -> bytes:
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


def aggregate(
    path: Path,
    header: list[str],
    separator: str,
    spec: Spec,
    options: Options,
    codes: Codes,
    on_progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """Stream the file block by block; return the summed partial aggregates.

    Columns: ``KEYS`` plus ``value`` (the sum, in the file's units) and ``rows`` (lines summed).
    """
    import polars as pl

    gz = _is_gzip(path)
    block_schema = _block_schema(header, spec)
    reduce = _reducer(spec, header, options, codes)
    # Without --all-countries, only lines with one of our codes as reporter can count: a regex
    # on the whole line drops the rest before the CSV is split into fields (a superset: the real
    # filter still runs on the parsed columns).
    pattern = None if options.all_countries else _line_pattern(spec, header, separator, codes)
    parts: list[pl.DataFrame] = []

    def parse(spans: list[tuple[int, int]], pieces: list[bytes]) -> None:
        """Parse and reduce the kept lines of the blocks at ``spans`` into ``parts``."""
        frame = pl.scan_csv(
            b"".join(pieces) if len(pieces) > 1 else pieces[0],
            has_header=False,
            separator=separator,
            schema=block_schema,
            encoding="utf8-lossy",
        )
        try:
            parts.append(reduce(frame).collect(engine="streaming"))
        except pl.exceptions.PolarsError as err:
            first_line = 0
            for block, line in _reread(path, gz, spans):
                first_line = first_line or line
                _parse_problem(block, header, spec, separator, path, line)
            raise DataError(
                f"cannot be read: {str(err).splitlines()[0]}",
                path=str(path),
                line=first_line,
                hint="the line is in this block of lines or just after",
            ) from None

    raw = _open_raw(path)
    counter = _Counting(raw)
    try:
        # Three stages in three threads: read (and gunzip), line filter, parse. Polars and zlib
        # release the GIL, so the filter of one block overlaps the parse of the one before.
        # Kept lines are gathered to PARSE_BYTES before a parse: each parse has a fixed cost
        # of several milliseconds, more than the parse of a filtered block itself.
        blocks = _prefetch(_blocks(path, counter, gz))
        filtered = (
            (block, block.data if pattern is None else _prefilter(block.data, pattern))
            for block in blocks
        )
        spans: list[tuple[int, int]] = []
        pieces: list[bytes] = []
        size = 0
        has_rows = False
        for block, data in _prefetch(filtered):
            has_rows = has_rows or bool(block.data.strip())
            if data:  # a bad line can only be among the kept ones: only their blocks are named
                spans.append((block.offset, len(block.data)))
                pieces.append(data)
                size += len(data)
            if size >= PARSE_BYTES:
                parse(spans, pieces)
                spans, pieces, size = [], [], 0
            if on_progress is not None:
                on_progress(counter.done)
        if pieces:
            parse(spans, pieces)
    finally:
        raw.close()
    if not has_rows:
        raise DataError("has a header but no data rows", path=str(path), line=2)
    if not parts:  # rows, but none with our codes: convert says so
        parts.append(reduce(pl.LazyFrame(schema=block_schema)).collect())
    normal = [
        pl.col(c).fill_null("").str.strip_chars().str.to_uppercase()
        for c in ("period", "freq", "reporter", "partner", "flow", "scale")
    ]
    total = (
        pl.concat(parts)
        .with_columns(normal)
        .filter(pl.col("reporter") != "")
        .group_by(KEYS)
        .agg(pl.col("value").sum(), pl.col("rows").sum())
        .sort(KEYS)
    )
    return total


# ---------------------------------------------------------------- from aggregates to rows


def _rows(
    total: pl.DataFrame, spec: Spec, codes: Codes, options: Options, path: Path
) -> tuple[list[OutRow], list[str]]:
    """Apply the rules (annual, totals, levels, codes, units) to the aggregate; return rows."""
    import polars as pl

    skipped: list[str] = []
    annual = total.filter(
        pl.col("period").str.contains(r"^\d{4}$") & pl.col("freq").is_in(["", "A"])
    )
    if annual.height < total.height:
        other = total.filter(~pl.col("period").str.contains(r"^\d{4}$")).get_column("period")
        shown = other.head(1).to_list() or total.get_column("freq").unique().head(1).to_list()
        if annual.is_empty():
            raise DataError(
                f"holds no annual figures (periods like {shown[0]!r}): ca-trade's data is annual",
                path=str(path),
                hint="download annual data (frequency A)",
            )
        skipped.append(f"{total.height - annual.height} non-annual groups")
    key = ["period", "reporter", "partner", "flow"]
    with_total = annual.with_columns(pl.col("breakdown").not_().any().over(key).alias("_has"))
    only_breakdown = with_total.filter(~pl.col("_has")).select(key).unique().height
    if only_breakdown:
        if only_breakdown == with_total.select(key).unique().height:
            raise DataError(
                "holds only breakdown rows (partner2, mode of transport or customs procedure "
                "not the total), so no total can be taken",
                path=str(path),
                hint="download with the classic breakdown (totals: partner2 World, motCode 0, "
                "customsCode C00)",
            )
        skipped.append(f"{only_breakdown} keys with breakdown rows only")
    kept = with_total.filter(~pl.col("breakdown")).drop("_has", "breakdown")
    kept = kept.filter(pl.col("level") == pl.col("level").min().over(key))
    _check_scale(kept, path)
    out: list[OutRow] = []
    if spec.name == "baci":
        out = _baci_rows(kept, spec, codes, options)
    else:
        for row in kept.iter_rows(named=True):
            out.append(
                OutRow(
                    year=int(row["period"]),
                    reporter=codes.to_own(row["reporter"], spec, partner=False),
                    partner=codes.to_own(row["partner"], spec, partner=True),
                    flow=spec.flows[row["flow"]],
                    value=row["value"] * spec.unit,
                    how=_how(row["level"], row["rows"], spec, options, row["scale"]),
                    raw=(row["reporter"], row["partner"]),
                )
            )
    return _keep_valid(out, options, skipped), skipped


def _check_scale(kept: pl.DataFrame, path: Path) -> None:
    """IMF IMTS: OBS_VALUE holds whole US dollars and SCALE is the publication's display scale.

    (The reference row USA -> CAN 2024 XG_FOB_USD is 349397894619 with SCALE 6: $349 bn, which is
    US exports to Canada; read as millions it would be 349 trillion.) A file whose values are
    all below 10**SCALE looks already scaled, and is refused rather than read 10**SCALE too small.
    """
    import polars as pl

    scales = kept.filter(pl.col("scale") != "").get_column("scale").unique().to_list()
    if not scales:
        return
    if len(scales) > 1 or not re.fullmatch(r"\d{1,2}", scales[0]):
        raise DataError(
            f"has SCALE {', '.join(sorted(scales))}: one numeric SCALE is expected",
            path=str(path),
            column="SCALE",
        )
    largest = kept.get_column("value").max()
    if isinstance(largest, float) and 0 < largest < 10 ** int(scales[0]):
        raise DataError(
            f"OBS_VALUE is at most {largest:g} with SCALE {scales[0]}: the values look already "
            f"expressed in units of 10^{scales[0]}, where IMF IMTS gives whole US dollars",
            path=str(path),
            column="OBS_VALUE",
            hint="download the values in US dollars (not scaled)",
        )


def _baci_rows(kept: pl.DataFrame, spec: Spec, codes: Codes, options: Options) -> list[OutRow]:
    """BACI i -> j as the exporter's export; World rows are sums over every partner."""
    import polars as pl

    out: list[OutRow] = []
    frame = kept.with_columns(pl.col("period").cast(pl.Int64).alias("year"))
    for row in frame.iter_rows(named=True):
        out.append(
            OutRow(
                year=row["year"],
                reporter=codes.to_own(row["reporter"], spec, partner=False),
                partner=codes.to_own(row["partner"], spec, partner=True),
                flow="export",
                value=row["value"] * spec.unit,
                how="reconciled exporter-to-importer flow; "
                + _how(row["level"], row["rows"], spec, options, ""),
                raw=(row["reporter"], row["partner"]),
            )
        )
    sides = (("reporter", "export", "exports to"), ("partner", "import", "imports from"))
    for side, flow, words in sides:
        world = frame.group_by("year", side).agg(
            pl.col("value").sum(), pl.col("rows").sum(), pl.len().alias("partners")
        )
        for row in world.iter_rows(named=True):
            out.append(
                OutRow(
                    year=row["year"],
                    reporter=codes.to_own(row[side], spec, partner=False),
                    partner="WLD",
                    flow=flow,
                    value=row["value"] * spec.unit,
                    how=f"World = sum of {words} all {row['partners']} BACI partners "
                    f"({row['rows']} product rows"
                    + (f", HS {'/'.join(options.hs)}" if options.hs else "")
                    + ")",
                    raw=(row[side], "World"),
                )
            )
    return out


def _how(level: int, rows: int, spec: Spec, options: Options, scale: str) -> str:
    """What a row's value is made of, for the note."""
    parts = []
    if options.hs:
        parts.append(f"HS {'/'.join(options.hs)} (prefix)")
    if not spec.products or level < 0:
        pass
    elif level == 0:
        parts.append("product TOTAL")
    else:
        column = spec.optional.get("product") or spec.roles.get("product", "product")
        parts.append(f"sum of {rows} {level}-digit {column} rows")
    if scale:
        parts.append(f"SCALE={scale}, OBS_VALUE in units")
    return "; ".join(parts)


def _keep_valid(rows: list[OutRow], options: Options, skipped: list[str]) -> list[OutRow]:
    """Drop rows outside the chosen countries, zero and self-trade rows; refuse negatives."""

    def usable(code: str | None) -> bool:
        return code is not None and (code in OWN or bool(schema.OTHER_CODE.match(code)))

    kept = []
    unknown: set[str] = set()
    for row in rows:
        known = row.reporter in schema.REPORTERS and row.partner in schema.COUNTERPARTS
        if not known:
            if not options.all_countries:
                continue
            if not (usable(row.reporter) and usable(row.partner)):
                pairs = zip(row.raw, (row.reporter, row.partner), strict=True)
                unknown.update(raw for raw, code in pairs if not usable(code))
                continue
        if row.reporter == row.partner or row.reporter == "WLD":
            continue
        if row.value < 0:
            raise DataError(
                f"{row.reporter} {row.partner} {row.year} {row.flow} sums to {row.value}: negative",
                hint="check the file for adjustment rows",
            )
        if row.value == 0:
            continue
        kept.append(row)
    if unknown:
        shown = ", ".join(sorted(unknown)[:5])
        skipped.append(f"rows with {len(unknown)} codes that are not countries ({shown}…)")
    return kept


def _frame(rows: list[OutRow], spec: Spec, path: Path, digest: str, codes: Codes) -> pl.DataFrame:
    import polars as pl

    note_tail = f"sha256={digest}" + (f"; {codes.origin}" if codes.origin else "")
    frame = pl.DataFrame(
        {
            "year": [r.year for r in rows],
            "reporter": [r.reporter for r in rows],
            "partner": [r.partner for r in rows],
            "flow": [r.flow for r in rows],
            "value_millions": [r.value / 1e6 for r in rows],
            "note": [f"{note_tail}; {r.how}" if r.how else note_tail for r in rows],
        },
        schema={
            "year": pl.Int64,
            "reporter": pl.String,
            "partner": pl.String,
            "flow": pl.String,
            "value_millions": pl.Float64,
            "note": pl.String,
        },
    )
    duplicated = frame.filter(pl.struct(*schema.KEY).is_duplicated())
    if duplicated.height:
        first = duplicated.row(0, named=True)
        raise DataError(
            f"two source codes become the same key {first['year']} {first['reporter']} "
            f"{first['partner']} {first['flow']}",
            path=str(path),
            hint="check the country codes (or --countries file)",
        )
    return frame.select(
        "year",
        "reporter",
        "partner",
        "flow",
        pl.col("value_millions").round(6),
        pl.lit(spec.currency).alias("currency"),
        pl.lit(spec.basis).alias("basis"),
        pl.lit(f"{spec.title} download {path.name}").alias("source"),
        pl.lit(spec.url).alias("source_url"),
        "note",
    ).sort("year", "reporter", "partner", "flow")


def convert(
    path: Path, options: Options, on_progress: Callable[[int], None] | None = None
) -> Result:
    """Read an official download and return ca-trade's data file text, checked."""
    header, separator = read_header(path)
    hasher = _Hasher(path)
    spec = _spec(header, path, options.fmt)
    product_column = spec.optional.get("product") or spec.roles.get("product")
    if options.hs and not spec.products:
        raise UsageError(f"--hs needs products, and {spec.title} files have none")
    if options.hs and product_column not in header:
        raise UsageError(f"--hs needs the product column {product_column}; this file has none")
    options.hs = _hs_filter(options.hs)
    codes = _codes(spec, options, path)
    total = aggregate(path, header, separator, spec, options, codes, on_progress)
    digest = hasher.hexdigest()
    rows, skipped = _rows(total, spec, codes, options, path)
    if not rows:
        raise DataError(
            "has no rows for ca-trade's countries"
            + (" and these --hs codes" if options.hs else "")
            + " (CHN, EU27, RUS, the five republics, World)",
            path=str(path),
            hint="--all-countries keeps other countries",
        )
    frame = _frame(rows, spec, path, digest, codes)
    text = frame.write_csv(float_scientific=False, null_value="")
    _check(text, path)
    years = sorted(set(frame.get_column("year").to_list()))
    warnings = []
    if spec.currency == "EUR":
        from ca_trade import load

        rates = load.read_rates()
        missing = [str(year) for year in years if year not in rates]
        if missing:
            warnings.append(
                f"no ECB EUR/USD rate for {', '.join(missing)} in the rates file: add it "
                "before using these EUR rows"
            )
    return Result(
        text=text, rows=frame.height, spec=spec, skipped=skipped, years=years, warnings=warnings
    )


def _check(text: str, path: Path) -> None:
    """The produced text must load: any problem is a bug here, reported with its rule."""
    from ca_trade import checks, load

    parsed = load.parse_text(text, f"(import of {path.name})")
    problems = checks.find_problems(parsed)
    if problems.height:
        first = problems.row(0, named=True)
        raise DataError(
            f"the converted data breaks rule {first['rule']}: {first['message']}",
            path=str(path),
            hint="please report this with the file's header",
        )
