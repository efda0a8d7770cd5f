"""The block pipeline: a download, far larger than memory, read in bounded blocks and reduced.

A reader thread reads (and gunzips) the file and cuts the text at line ends; another hashes the
raw bytes for the note's ``sha256=`` (it starts before Polars is imported, to overlap that).
Without ``--all-countries`` a regex drops the lines whose reporter is not one of ours before any
CSV is split. The kept lines are parsed by Polars with a fixed schema (codes as String, never
null-converted: Namibia's ``NA`` stays ``NA``; the value column as Float64) and reduced at once
to a partial aggregate (``Reducer``): the year, the raw codes as Categorical (normalised on
their distinct values), the flow, the product level, breakdown and scale flags, the value and
the count of lines. Batches are summed per key when the first lines of the file show several
lines per key (products); a file of totals is not grouped until the end.

Memory is bounded by the block size and by ``SPILL_BYTES`` of partial aggregates, not by the
file: once the partials outgrow it, they and every later batch are written to a temporary
directory, one file per year and batch, and read back one year at a time (every rule applied
afterwards is local to a year, and a year's keys are bounded by the world's countries). A plain
``pl.scan_csv(path)`` holds the whole file in memory in Polars 2.x (390 MB peak for a 250 MB
file, measured; gzip files are decompressed whole).
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from ca_trade import spill
from ca_trade.errors import DataError
from ca_trade.ingest.comext import EUR_VALUE_INDICATORS
from ca_trade.ingest.countries import Codes
from ca_trade.ingest.formats import is_gzip, open_raw
from ca_trade.ingest.spec import FLOWS, Options, Spec

if TYPE_CHECKING:
    import polars as pl

from ca_trade.ingest import reading
from ca_trade.ingest.reading import (
    _block_schema,
    _blocks,
    _Counting,
    _parse_problem,
    _reread,
    _variants,
    line_pattern,
    prefetch,
    prefilter,
)

# ---------------------------------------------------------------- per-block reduction


@dataclass
class Reducer:
    """The per-batch reduction of parsed lines, as two lazy plans over the same columns.

    Both return year (Int16, null when the line is not annual), [breakdown], reporter and
    partner (Categorical: the raw codes, normalised later on their distinct values), flow
    (Enum of ``FLOWS``), [level], [scale], value (in the file's units) and rows (lines).
    Bracketed columns are there only when the file has the columns they come from.
    ``grouped`` sums the lines of each key; ``plain`` keeps one row per line, for files of
    totals where grouping a batch would not make it smaller (the sum is taken once, later).
    """

    grouped: Callable[[pl.LazyFrame], pl.LazyFrame]
    plain: Callable[[pl.LazyFrame], pl.LazyFrame]


def _reducer(spec: Spec, header: list[str], options: Options, codes: Codes) -> Reducer:
    """The ``Reducer`` for this file's columns and the user's options."""
    import polars as pl

    col = {role: name for role, name in spec.optional.items() if name in header}
    col.update(spec.roles)

    def text(role: str) -> pl.Expr:
        return pl.col(col[role])

    breakdowns = []
    if "partner2" in col:
        breakdowns.append(~text("partner2").is_in(["0", "W00"]).fill_null(True))
    if "mot" in col:
        breakdowns.append(~text("mot").is_in(["0"]).fill_null(True))
    if "customs" in col:
        breakdowns.append(~text("customs").is_in(["C00"]).fill_null(True))
    reporter, partner = text("reporter"), text("partner")
    value = pl.col(col["value"])
    keep = value.is_not_nan() & reporter.is_not_null()
    flows = {v: flow for code, flow in spec.flows.items() for v in (code, code.lower())}
    if spec.flows:
        keep = keep & text("flow").is_in(list(flows))
    if "indicator" in col:
        keep = keep & text("indicator").is_in(EUR_VALUE_INDICATORS)
    if options.hs:
        keep = keep & pl.any_horizontal(*[text("product").str.starts_with(p) for p in options.hs])
    if not options.all_countries:
        own_raw = _variants(codes.own_raw(spec))
        if spec.name == "baci":  # World rows are sums over all partners: keep either side
            keep = keep & (reporter.is_in(own_raw) | partner.is_in(own_raw))
        else:  # every partner of our reporters: unknown partner codes are reported, not lost
            keep = keep & reporter.is_in(own_raw)
    keys = [
        text("period").alias("period"),
        text("reporter").alias("reporter"),
        text("partner").alias("partner"),
    ]
    if spec.flows:
        keys.append(text("flow").alias("flow"))
    if "freq" in col:
        keys.append(text("freq").alias("freq"))
    if breakdowns:
        keys.append(pl.any_horizontal(*breakdowns).alias("breakdown"))
    if "product" in col:
        product = text("product")
        keys.append(
            pl.when(product.is_in(["TOTAL", "total", "Total"]))
            .then(0)
            .otherwise(product.str.len_bytes())
            .cast(pl.Int16)
            .alias("level")
        )
    if "scale" in col:
        keys.append(text("scale").alias("scale"))
    period = pl.col("period").fill_null("").str.strip_chars()
    year = period.cast(pl.Int16, strict=False)
    annual = (period.str.len_bytes() == 4) & year.is_not_null() & (year >= 0)
    if "freq" in col:
        freq = pl.col("freq").fill_null("").str.strip_chars().str.to_uppercase()
        annual = annual & freq.is_in(["", "A"])
    flow_type = pl.Enum(FLOWS)
    out = [
        pl.when(annual).then(year).alias("year"),
        *([pl.col("breakdown")] if breakdowns else []),
        pl.col("reporter").fill_null("").cast(pl.Categorical),
        pl.col("partner").fill_null("").cast(pl.Categorical),
        (
            pl.col("flow").replace_strict(flows, default=None, return_dtype=flow_type)
            if spec.flows
            else pl.lit("export", dtype=flow_type)
        ).alias("flow"),
        *([pl.col("level")] if "product" in col else []),
        *(
            [pl.col("scale").fill_null("").str.strip_chars().alias("scale")]
            if "scale" in col
            else []
        ),
        "value",
        "rows",
    ]

    def grouped(frame: pl.LazyFrame) -> pl.LazyFrame:
        return (
            frame.filter(keep)
            .group_by(keys)
            .agg(value.sum().alias("value"), pl.len().cast(pl.UInt32).alias("rows"))
            .select(out)
        )

    def plain(frame: pl.LazyFrame) -> pl.LazyFrame:
        return (
            frame.filter(keep)
            .select(*keys, value.alias("value"), pl.lit(1, dtype=pl.UInt32).alias("rows"))
            .select(out)
        )

    return Reducer(grouped, plain)


def normalised(frame: pl.DataFrame) -> pl.DataFrame:
    """Reporter and partner codes stripped and in upper case, blank reporters dropped.

    The work is done on the distinct codes (a few hundred), not on every row.
    """
    import polars as pl

    changes = []
    blank = False
    for side in ("reporter", "partner"):
        codes = frame.get_column(side).unique().cast(pl.String)
        fixed = codes.str.strip_chars().str.to_uppercase()
        blank = blank or (side == "reporter" and bool((fixed == "").any()))
        if not (codes == fixed).all():
            mapping = dict(zip(codes.to_list(), fixed.to_list(), strict=True))
            changes.append(
                pl.col(side).cast(pl.String).replace(mapping).cast(pl.Categorical).alias(side)
            )
    if changes:
        frame = frame.with_columns(changes)
    return frame.filter(pl.col("reporter") != "") if blank else frame


@dataclass
class Partials:
    """The partial aggregates of a file, in memory or spilled to disk by year.

    ``units()`` gives them back as frames to be summed, each holding whole years: all of them
    at once when nothing was spilled, else one year at a time. Also kept: how many lines were
    not annual (and one of their periods), and whether the file had any data line at all.
    """

    limit: int = field(default_factory=lambda: reading.SPILL_BYTES)
    held: list[pl.DataFrame] = field(default_factory=list)
    size: int = 0
    spill_dir: Path | None = None
    spilled: dict[int, list[Path]] = field(default_factory=dict)
    other_lines: int = 0
    other_period: str | None = None
    has_rows: bool = False

    def add(self, frame: pl.DataFrame) -> None:
        """Keep a batch's partial aggregate; past ``limit`` bytes, everything goes to disk."""
        import polars as pl

        other = frame.filter(pl.col("year").is_null())
        if other.height:
            self.other_lines += int(other.get_column("rows").sum())
            frame = frame.filter(pl.col("year").is_not_null())
        if frame.height:
            self.held.append(frame)
            self.size += int(frame.estimated_size())
        if self.size > self.limit or self.spill_dir is not None:
            self.spill()

    def spill(self) -> None:
        """Write what is held to disk, one file per year and batch (no copy of it all)."""
        if self.spill_dir is None:
            self.spill_dir = spill.new_dir("import")
        while self.held:
            frame = self.held.pop(0)
            for (year,), part in frame.partition_by("year", as_dict=True).items():
                paths = self.spilled.setdefault(int(str(year)), [])
                path = self.spill_dir / f"{year}-{len(paths)}.arrow"
                spill.write(part, path)
                paths.append(path)
        self.size = 0

    def units(self) -> Iterator[pl.DataFrame]:
        """The partials again, one year at a time, in year order (from memory or disk).

        Every rule applied afterwards is local to a year, and a year's keys are bounded by the
        world's countries (about 250 x 250 x 2 flows), whatever the size of the file.
        """
        import polars as pl

        if not self.spilled:
            held, self.held, self.size = self.held, [], 0
            if not held:
                return
            years = pl.concat(held).partition_by("year", as_dict=True)
            del held
            for key in sorted(years, key=lambda key: int(str(key[0]))):
                yield years.pop(key)
            return
        self.spill()
        for year in sorted(self.spilled):
            yield pl.concat([spill.read(p) for p in self.spilled[year]])

    def close(self) -> None:
        """Remove the spill files."""
        if self.spill_dir is not None:
            shutil.rmtree(self.spill_dir, ignore_errors=True)
            self.spill_dir = None


def aggregate(
    path: Path,
    header: list[str],
    separator: str,
    spec: Spec,
    options: Options,
    codes: Codes,
    on_progress: Callable[[int], None] | None = None,
) -> Partials:
    """Stream the file block by block into ``Partials`` (see ``_reducer`` for the columns)."""
    import polars as pl

    gz = is_gzip(path)
    block_schema = _block_schema(header, spec)
    reduce = _reducer(spec, header, options, codes)
    # Without --all-countries, only lines with one of our codes as reporter can count: a regex
    # on the whole line drops the rest before the CSV is split into fields (a superset: the real
    # filter still runs on the parsed columns).
    pattern = None if options.all_countries else line_pattern(spec, header, separator, codes)
    # Filtered batches are small, and the streaming engine holds less of them (20 MB on the
    # benchmark); a whole batch of every country's lines is parsed on every core in memory
    # (the streaming engine kept to one core on it: 0.72 against 0.46 s for 1M lines).
    engine: Literal["in-memory", "streaming"] = "streaming" if pattern else "in-memory"
    partials = Partials()
    state: dict[str, bool | None] = {"group": None}  # None: not known before the first batch

    def parse(spans: list[tuple[int, int]], pieces: list[bytes]) -> None:
        """Parse and reduce the kept lines of the blocks at ``spans`` into ``partials``."""
        frame = pl.scan_csv(
            b"".join(pieces) if len(pieces) > 1 else pieces[0],
            has_header=False,
            separator=separator,
            schema=block_schema,
            encoding="utf8-lossy",
        )
        plan = reduce.grouped if state["group"] else reduce.plain
        try:
            part = plan(frame).collect(engine=engine)
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
        if partials.other_period is None and part.get_column("year").null_count():
            partials.other_period = _other_period(b"".join(pieces), separator, block_schema, spec)
        if state["group"] is None:
            # The first batch is read line by line; its first lines tell whether grouping
            # the batches pays (products: many lines per key) or not (one line per key: a
            # file of totals, where grouping a batch cost 0.37 CPU seconds per million lines).
            sample = part.head(reading.SAMPLE_LINES)
            keys = [c for c in sample.columns if c not in ("value", "rows")]
            state["group"] = sample.select(keys).n_unique() < 0.9 * sample.height
            if state["group"]:
                part = part.group_by(keys).agg(pl.col("value").sum(), pl.col("rows").sum())
        partials.add(normalised(part))

    raw = open_raw(path)
    counter = _Counting(raw)
    try:
        # Three stages in three threads: read (and gunzip), line filter, parse. Polars and zlib
        # release the GIL, so the filter of one block overlaps the parse of the one before.
        # Kept lines are gathered to reading.PARSE_BYTES before a parse: each parse has a fixed cost
        # of several milliseconds, more than the parse of a filtered block itself.
        blocks = prefetch(_blocks(path, counter, gz))
        filtered = (
            (block, block.data if pattern is None else prefilter(block.data, pattern))
            for block in blocks
        )
        spans: list[tuple[int, int]] = []
        pieces: list[bytes] = []
        size = 0
        for block, data in prefetch(filtered):
            partials.has_rows = partials.has_rows or bool(block.data.strip())
            if data:  # a bad line can only be among the kept ones: only their blocks are named
                spans.append((block.offset, len(block.data)))
                pieces.append(data)
                size += len(data)
            if size >= reading.PARSE_BYTES:
                parse(spans, pieces)
                spans, pieces, size = [], [], 0
            if on_progress is not None:
                on_progress(counter.done)
        if pieces:
            parse(spans, pieces)
    except BaseException:
        partials.close()
        raise
    finally:
        raw.close()
    if not partials.has_rows:
        partials.close()
        raise DataError("has a header but no data rows", path=str(path), line=2)
    return partials


def _other_period(data: bytes, separator: str, schema: dict[str, pl.DataType], spec: Spec) -> str:
    """One period (or frequency) of a batch's lines that are not annual, for a message."""
    import polars as pl

    period = spec.roles["period"]
    freq = spec.optional.get("freq")
    frame = pl.read_csv(
        data, has_header=False, separator=separator, schema=schema, encoding="utf8-lossy"
    )
    periods = frame.get_column(period).fill_null("").str.strip_chars()
    odd = periods.filter(~periods.str.contains(r"^\d{4}$"))
    if odd.len():
        return str(odd[0])
    if freq is not None and freq in frame.columns:
        freqs = frame.get_column(freq).fill_null("").str.strip_chars().str.to_uppercase()
        odd = freqs.filter(~freqs.is_in(["", "A"]))
        if odd.len():
            return f"frequency {odd[0]}"
    return "?"


def first_line_with(
    path: Path, header: list[str], separator: str, column: str, values: set[str]
) -> int | None:
    """The physical line of the first record whose ``column`` (stripped, upper case) is one of
    ``values``: the exact, slow path, run only to place a problem found on the aggregate.
    """
    at = header.index(column)
    with open_raw(path) as raw:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if is_gzip(path) else raw  # type: ignore[assignment]
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
        reader = csv.reader(text, delimiter=separator)
        start = 1
        for number, record in enumerate(reader):
            if number and len(record) > at and record[at].strip().upper() in values:
                return start
            start = reader.line_num + 1
    return None
