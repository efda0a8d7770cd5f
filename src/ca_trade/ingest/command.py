"""``ca-trade import``: an official download to ca-trade's data file, streamed.

``blocks.aggregate`` reads the file into partial aggregates (memory bounded by the block size and
``reading.SPILL_BYTES``). Each unit of them (whole years) is then summed, put through the shared
guards (``guards``) and checked, all as Polars expressions over the rows; Python loops see only
the distinct codes. ``Result.chunks`` renders the checked rows as CSV, ``RENDER_ROWS`` at a
time, so the output text is never held whole:

- for a file (``check_first=False``), units are checked while earlier ones are rendered and
  written, in three threads; a problem found late raises, and the writer leaves no file;
- for stdout, which cannot take rows back, every rule is checked before the first byte.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade import schema, spill
from ca_trade.errors import DataError, UsageError
from ca_trade.ingest import baci, blocks, guards, imf, reading
from ca_trade.ingest.countries import Codes, codes_for
from ca_trade.ingest.formats import read_header, spec_for
from ca_trade.ingest.spec import Options, Spec

if TYPE_CHECKING:
    import polars as pl

RENDER_ROWS = 50_000  # rows rendered to CSV text at a time (about 10 MB)


@dataclass
class Result:
    """What an import produces: its rows as CSV pieces (``chunks``, once) and, once they are all
    made, what happened on the way (``rows``, ``years``, ``skipped``, ``warnings``).
    """

    spec: Spec
    job: _Job
    rows: int = 0
    years: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def chunks(self) -> Iterator[bytes]:
        """The data file as UTF-8 CSV, header first, in pieces of about ``RENDER_ROWS`` rows.

        Checked rows are rendered in one thread while the next unit is checked in another and
        the caller writes. A problem found late raises here, after some pieces: write them
        where a failure leaves nothing (``render.write_chunks`` to a file does).
        """
        job = self.job
        try:
            yield (",".join(schema.COLUMNS) + "\n").encode()
            frames = reading.prefetch(job.frames())
            pieces = (
                job.render(frame.slice(start, RENDER_ROWS))
                for frame in frames
                for start in range(0, frame.height, RENDER_ROWS)
            )
            yield from reading.prefetch(pieces)
            job.conclude(self)
        finally:
            job.close()

    @property
    def text(self) -> str:
        """The whole data file as text (for small files and tests)."""
        return b"".join(self.chunks()).decode("utf-8")


@dataclass
class _Job:
    """One import after its file was read: the units to check, then the file-wide rules."""

    partials: blocks.Partials
    spec: Spec
    codes: Codes
    options: Options
    path: Path
    header: list[str]
    separator: str
    digest: Callable[[], str]
    tally: guards.Tally = field(default_factory=guards.Tally)
    rows: int = 0
    years: set[int] = field(default_factory=set)
    stored: list[pl.DataFrame | Path] | None = None
    note_tail: str = ""
    concluded: bool = False

    def checked(self) -> Iterator[pl.DataFrame]:
        """Each unit summed, guarded and checked: the rows to write, sorted."""
        for unit in self.partials.units():
            frame = None
            if self.spec.name != "baci" and "scale" not in unit.columns:
                frame = _keyed(unit, self.spec, self.codes, self.tally)
            if frame is None:
                frame = self._general(unit)
            del unit
            frame = guards.keep_valid(frame, self.options.all_countries, self.path)
            guards.check_rows(frame, self.spec.unit / 1e6, self.path)
            self.rows += frame.height
            self.years.update(frame.get_column("year").unique().to_list())
            yield frame

    def _general(self, unit: pl.DataFrame) -> pl.DataFrame:
        """A unit summed, reduced to its totals, mapped and sorted, column by column: for
        BACI's World rows, IMF's scale and codes that merge (``_keyed`` does the rest)."""
        frame = guards.totals(guards.summed(unit), self.tally)
        if self.spec.name == "baci":
            frame = baci.with_world(frame)
        frame, merged = _mapped(frame, self.spec, self.codes, self.tally)
        if merged:
            guards.no_duplicates(frame.drop_nulls(["reporter", "partner"]), self.path)
        return _sorted(frame)

    def check_all(self, result: Result) -> None:
        """Check every unit and the file-wide rules before any row is rendered (for stdout)."""
        self.stored = []
        for frame in self.checked():
            if self.partials.spill_dir is None:
                self.stored.append(frame)
            else:
                path = self.partials.spill_dir / f"rows-{len(self.stored)}.arrow"
                frame.write_ipc(path, compression="uncompressed")
                self.stored.append(path)
        self.conclude(result)

    def frames(self) -> Iterator[pl.DataFrame]:
        """The rows to write: checked earlier (``check_all``), or now."""
        import polars as pl

        if self.stored is None:
            yield from self.checked()
            return
        while self.stored:
            item = self.stored.pop(0)
            yield item if isinstance(item, pl.DataFrame) else spill.read(item)

    def render(self, frame: pl.DataFrame) -> bytes:
        if not self.note_tail:
            origin = self.codes.origin
            self.note_tail = f"sha256={self.digest()}" + (f"; {origin}" if origin else "")
        source = f"{self.spec.title} download {self.path.name}"
        return _csv(frame, self.spec, self.options, self.note_tail, source)

    def conclude(self, result: Result) -> None:
        """The rules on the whole file, once every unit is checked; fills in ``result``."""
        if self.concluded:  # by check_all, before the pieces were made
            return
        self.concluded = True
        spec, tally, path, options = self.spec, self.tally, self.path, self.options
        skipped = []
        if self.partials.other_lines:
            if not tally.any_total and not tally.only_breakdown:
                raise DataError(
                    "holds no annual figures (periods like "
                    f"{self.partials.other_period!r}): ca-trade's data is annual",
                    path=str(path),
                    hint="download annual data (frequency A)",
                )
            skipped.append(f"{self.partials.other_lines} non-annual lines")
        if tally.only_breakdown:
            if not tally.any_total:
                raise DataError(
                    "holds only breakdown rows (partner2, mode of transport or customs "
                    "procedure not the total), so no total can be taken",
                    path=str(path),
                    hint="download with the classic breakdown (totals: partner2 World, "
                    "motCode 0, customsCode C00)",
                )
            skipped.append(f"{tally.only_breakdown} keys with breakdown rows only")
        imf.check_scale(tally.scales, tally.largest, path)
        if self.rows == 0:
            raise DataError(
                "has no rows for ca-trade's countries"
                + (" and these --hs codes" if options.hs else "")
                + " (CHN, EU27, RUS, the five republics, World)",
                path=str(path),
                hint="--all-countries keeps other countries",
            )
        unknown = guards.unknown_codes(tally)
        if unknown:
            _refuse_unknown(unknown, tally, spec, self.header, self.separator, path)
        unmapped = sorted(set().union(*tally.unmapped.values())) if tally.unmapped else []
        if unmapped and options.all_countries:
            shown = ", ".join(unmapped[:5]) + ("…" if len(unmapped) > 5 else "")
            skipped.append(f"rows with {len(unmapped)} codes that are not countries ({shown})")
        result.rows = self.rows
        result.years = sorted(self.years)
        result.skipped = skipped
        result.warnings = _rate_warnings(spec, result.years)

    def close(self) -> None:
        self.stored = []
        self.partials.close()


def convert(
    path: Path,
    options: Options,
    on_progress: Callable[[int], None] | None = None,
    *,
    check_first: bool = True,
) -> Result:
    """Read an official download into partial aggregates; the rows come from ``chunks()``.

    ``Result.chunks()`` gives the data file's CSV (``schema.COLUMNS``), sorted by year,
    reporter, partner and flow. With ``check_first`` every rule is checked here, before any
    piece is made (for stdout, where nothing can be taken back); without it the rows are
    checked while the pieces are made, and a problem raises from ``chunks()`` (for a file
    written whole or not at all: faster, as checking overlaps rendering and writing).
    """
    header, separator = read_header(path)
    hasher = reading.Hasher(path)
    spec = spec_for(header, path, options.fmt)
    product_column = spec.column("product")
    if options.hs and not spec.products:
        raise UsageError(f"--hs needs products, and {spec.title} files have none")
    if options.hs and product_column not in header:
        raise UsageError(f"--hs needs the product column {product_column}; this file has none")
    options.hs = guards.hs_filter(options.hs)
    codes = codes_for(spec, options, path)
    cells = {"currency": spec.currency, "basis": spec.basis, "source_url": spec.url}
    guards.check_cells({**cells, "source": f"{spec.title} download {path.name}"}, path)
    partials = blocks.aggregate(path, header, separator, spec, options, codes, on_progress)
    job = _Job(partials, spec, codes, options, path, header, separator, hasher.hexdigest)
    result = Result(spec, job)
    if check_first:
        try:
            job.check_all(result)
        except BaseException:
            job.close()
            raise
    return result


def _mapped(
    frame: pl.DataFrame, spec: Spec, codes: Codes, tally: guards.Tally
) -> tuple[pl.DataFrame, bool]:
    """Reporter and partner as ca-trade codes (String; null where the table has none).

    The mapping is worked out on the distinct raw codes and noted in ``tally``; rows are only
    touched where a code changes. Also returns whether two raw codes became one.
    """
    import polars as pl

    merged = False
    columns = []
    for side in ("reporter", "partner"):
        table = _code_table(frame, side, spec, codes)
        merged = guards.note_codes(table, side, tally) or merged
        changed = table.filter(pl.col("code").is_null() | (pl.col("code") != pl.col("raw")))
        if changed.height:  # else the Categorical column stays as it is
            column = pl.col(side).cast(pl.String)
            mapping = dict(changed.iter_rows())
            columns.append(
                pl.when(column.is_in(list(mapping)))
                .then(column.replace_strict(mapping, default=None, return_dtype=pl.String))
                .otherwise(column)
                .alias(side)
            )
    return (frame.with_columns(columns) if columns else frame), merged


def _keyed(
    unit: pl.DataFrame, spec: Spec, codes: Codes, tally: guards.Tally
) -> pl.DataFrame | None:
    """A unit summed, reduced to its totals, mapped and sorted, through one integer key.

    The key packs year, the ranks of the mapped reporter and partner codes and the flow, so
    one integer sort puts the rows in the output's order; a key met twice (next to itself,
    once sorted) is summed, and a file of totals needs no grouping at all. Returns None when
    two raw codes became one code (then the general path sums and checks the keys).
    """
    import polars as pl

    tables = {side: _code_table(unit, side, spec, codes) for side in ("reporter", "partner")}
    merged = [guards.note_codes(tables[side], side, tally) for side in tables]
    if any(merged):
        return None
    mapped = pl.concat([t.get_column("code") for t in tables.values()]).drop_nulls().unique()
    rank = {code: at for at, code in enumerate(mapped.sort().to_list())}
    unmapped = 1 << 20  # rows whose code maps to nothing are dropped by keep_valid

    def ranked(side: str) -> pl.Expr:
        values = unit.get_column(side).unique()
        ids = values.to_physical().to_list()
        code_of = dict(zip(*tables[side].get_columns(), strict=True))
        lookup = [unmapped] * (max(ids) + 1)
        for physical, raw in zip(ids, values.cast(pl.String).to_list(), strict=True):
            code = code_of[raw]
            lookup[physical] = rank[code] if code is not None else unmapped
        return pl.lit(pl.Series(lookup, dtype=pl.UInt64)).gather(pl.col(side).to_physical())

    key = (
        pl.col("year").cast(pl.UInt64) * (1 << 43)
        + ranked("reporter") * (1 << 22)
        + ranked("partner") * 2
        + pl.col("flow").to_physical().cast(pl.UInt64)
    )
    extras = [c for c in ("level", "breakdown") if c in unit.columns]
    frame = unit.with_columns(key.alias("_key")).sort(["_key", *extras])
    same = pl.col("_key") == pl.col("_key").shift(1)
    for extra in extras:
        same = same & (pl.col(extra) == pl.col(extra).shift(1))
    if frame.select(same.any()).item():
        groups = [c for c in frame.columns if c not in ("value", "rows")]
        frame = (
            frame.group_by(groups)
            .agg(pl.col("value").sum(), pl.col("rows").sum())
            .sort(["_key", *extras])
        )
    frame = guards.totals(frame, tally, key=["_key"])
    changes = []
    for side, table in tables.items():
        changed = table.filter(pl.col("code").is_null() | (pl.col("code") != pl.col("raw")))
        if changed.height:
            column = pl.col(side).cast(pl.String)
            mapping = dict(changed.iter_rows())
            changes.append(
                pl.when(column.is_in(list(mapping)))
                .then(column.replace_strict(mapping, default=None, return_dtype=pl.String))
                .otherwise(column)
                .alias(side)
            )
    frame = frame.with_columns(changes).drop("_key")
    return frame.select(guards.KEY + [c for c in frame.columns if c not in guards.KEY])


def _code_table(frame: pl.DataFrame, side: str, spec: Spec, codes: Codes) -> pl.DataFrame:
    """The distinct raw codes of a side (``raw``) and what they become (``code``, or null).

    Comtrade's areas that are no country (_X, X1, XX...) and IMF groups (G001...) become null:
    they are not written, and are reported as codes that are not countries.
    """
    import polars as pl

    raw = frame.get_column(side).unique().cast(pl.String).alias("raw")
    code = codes.to_own("raw", spec, partner=side == "partner")
    shaped = code.is_in(list(schema.COUNTERPARTS)) | code.str.contains(schema.OTHER_CODE.pattern)
    return raw.to_frame().with_columns(pl.when(shaped).then(code).alias("code"))


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows sorted by year, reporter, partner and flow, through one integer key.

    Sorting on the string columns costs several times more (1.8 against 0.4 CPU seconds for a
    shuffled million rows). The codes' ranks are worked out on their distinct values; a
    Categorical column (codes that needed no mapping) is ranked through its physical ids.
    """
    import polars as pl

    if frame.is_empty():
        return frame.select(guards.KEY + [c for c in frame.columns if c not in guards.KEY])
    distinct = [frame.get_column(side).unique().cast(pl.String) for side in ("reporter", "partner")]
    ordered_codes = pl.concat(distinct).unique().sort().to_list()
    rank = {code: at for at, code in enumerate(ordered_codes)}

    def ranked(side: str) -> pl.Expr:
        column = frame.get_column(side)
        if column.dtype != pl.Categorical:
            return pl.col(side).replace_strict(rank, return_dtype=pl.UInt64)
        values = column.unique()
        ids = values.to_physical().to_list()
        lookup = [0] * (max(ids) + 1)
        for at, code in zip(ids, values.cast(pl.String).to_list(), strict=True):
            lookup[at] = rank[code]
        table = pl.Series(lookup, dtype=pl.UInt64)
        return pl.lit(table).gather(pl.col(side).to_physical())

    key = (
        pl.col("year").cast(pl.UInt64) * (1 << 42)
        + ranked("reporter") * (1 << 21)
        + ranked("partner") * 2
        + pl.col("flow").to_physical().cast(pl.UInt64)
    )
    ordered = frame.with_columns(key.alias("_key")).sort("_key").drop("_key")
    return ordered.select(guards.KEY + [c for c in frame.columns if c not in guards.KEY])


def _refuse_unknown(
    unknown: list[tuple[str, str]],
    tally: guards.Tally,
    spec: Spec,
    header: list[str],
    separator: str,
    path: Path,
) -> None:
    """Raise for the first unknown code, placed by the first line that holds it."""
    side, code = unknown[0]
    raw = tally.raw_of.get((side, code), code)
    column = spec.roles[side]
    line = blocks.first_line_with(path, header, separator, column, {raw})
    from ca_trade import codes as known

    closest = known.closest(code)
    others = [c for _, c in unknown[1:]]
    more = f" ({len(others)} more: {', '.join(others[:5])})" if others else ""
    raise DataError(
        f"{raw!r} is not a known country or area code{more}",
        path=str(path),
        line=line,
        column=column,
        hint=(f"did you mean {closest}? " if closest else "")
        + "ca-trade takes ISO 3166-1 alpha-3 codes and the documented area codes",
    )


def _how(spec: Spec, options: Options, columns: list[str]) -> pl.Expr:
    """What a row's value is made of, for the note (empty when there is nothing to say)."""
    import polars as pl

    parts = []
    if options.hs:
        parts.append(pl.lit(f"HS {'/'.join(options.hs)} (prefix)"))
    if spec.products and "level" in columns:
        level = pl.col("level")
        column = spec.column("product") or "product"
        parts.append(
            pl.when(level == 0)
            .then(pl.lit("product TOTAL"))
            .when(level > 0)
            .then(pl.format("sum of {} {}-digit " + column + " rows", "rows", "level"))
        )
    if "scale" in columns:
        scale = pl.col("scale")
        parts.append(pl.when(scale != "").then(pl.format("SCALE={}, OBS_VALUE in units", scale)))
    if not parts:
        return pl.lit("")
    how = pl.concat_str(parts, separator="; ", ignore_nulls=True).fill_null("")
    if spec.name == "baci":
        hs = f", HS {'/'.join(options.hs)}" if options.hs else ""
        words = pl.when(pl.col("flow") == "export").then(pl.lit("exports to"))
        world = pl.format(
            "World = sum of {} all {} BACI partners ({} product rows" + hs + ")",
            words.otherwise(pl.lit("imports from")),
            "partners",
            "rows",
        )
        how = (
            pl.when(pl.col("partners").is_null())
            .then(pl.lit("reconciled exporter-to-importer flow; ") + how)
            .otherwise(world)
        )
    return how


def _csv(frame: pl.DataFrame, spec: Spec, options: Options, note_tail: str, source: str) -> bytes:
    """Checked rows as data-file CSV lines (no header): the columns of ``schema.COLUMNS``."""
    import polars as pl

    how = _how(spec, options, frame.columns)
    note = pl.when(how == "").then(pl.lit(note_tail)).otherwise(pl.lit(note_tail + "; ") + how)
    inputs = [c for c in ("level", "rows", "scale", "partners", "flow") if c in frame.columns]
    notes = frame.select(inputs).unique().select(note.alias("note")).unique()
    # Divided by a column, not a scalar: Polars divides an array by a scalar as a product with
    # the reciprocal, which is not correctly rounded (4057.5 / 1e6 gives 0.0040574999999999995).
    million = pl.repeat(1e6, frame.height, eager=True)
    figures: list[
        str | pl.Expr
    ] = [  # codes and flows written as they are (Categorical, Enum): no string copies
        "year",
        "reporter",
        "partner",
        "flow",
        ((pl.col("value") * spec.unit) / pl.lit(million)).round(6).alias("value_millions"),
    ]
    buffer = io.BytesIO()
    if notes.height == 1:
        # One note for every row (a file of totals): the five text cells are one constant,
        # quoted here once and put at the end of each line of figures, which need no quoting
        # (a third of the CPU of writing them as five columns).
        cells = [spec.currency, spec.basis, source, spec.url]
        cells.append(str(notes.item(0, "note")))
        line = io.StringIO()
        csv.writer(line, lineterminator="\n").writerow(["", *cells])
        out = frame.select(*figures)
        out.write_csv(buffer, include_header=False, float_scientific=False, quote_style="never")
        return buffer.getvalue().replace(b"\n", line.getvalue().encode())
    out = frame.select(
        *figures,
        pl.lit(spec.currency).alias("currency"),
        pl.lit(spec.basis).alias("basis"),
        pl.lit(source).alias("source"),
        pl.lit(spec.url).alias("source_url"),
        note.alias("note"),
    )
    out.write_csv(buffer, include_header=False, float_scientific=False, null_value="")
    return buffer.getvalue()


def _rate_warnings(spec: Spec, years: list[int]) -> list[str]:
    """A warning for each EUR year with no ECB rate in the rates file."""
    if spec.currency != "EUR":
        return []
    from ca_trade import load

    rates = load.read_rates()
    missing = [str(year) for year in years if year not in rates]
    if not missing:
        return []
    return [
        f"no ECB EUR/USD rate for {', '.join(missing)} in the rates file: add it "
        "before using these EUR rows"
    ]
