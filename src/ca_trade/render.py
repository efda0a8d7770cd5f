"""All output for machines and files: CSV/TSV/JSON, written whole or not at all, and ``emit``.

Commands hand ``emit`` one Polars frame (the public columns) and a function that builds the
table blocks for that frame; ``emit`` decides the format and destination. The tables themselves
live in ``ca_trade.tables``, which ``emit`` imports only for the table and Markdown (``md``)
formats: a CSV, TSV or JSON run (and ``ca-trade import``) never imports rich. (style.md puts
tables and machine formats in one render module; they are split here for that start-up time,
about 25 ms.) What both use (``stdout_is_terminal``, ``machine_frame``) lives below both, in
``ca_trade.output_common``: imports point one way, render -> tables -> output_common.

- Machine formats carry plain numbers (never grouped, never rounded beyond float repr), list
  columns joined by spaces, and text cells made formula-safe (OWASP: a leading = + - @ tab CR LF
  gets a ``'``). Numeric columns are never touched, so a negative balance stays a number.
- ``write_text`` writes a temp file beside the target and ``os.replace``s it: an existing file is
  untouched on failure and no temp file is left behind.
- Messages for people go to stderr as plain text (``say``); stdout carries data only.
"""

from __future__ import annotations

import errno
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ca_trade.errors import OutputError, WriteError
from ca_trade.output_common import machine_frame, stdout_is_terminal
from ca_trade.schema import OutputFormat

if TYPE_CHECKING:
    import polars as pl

    from ca_trade.tables.layout import Block


def pick_format(requested: OutputFormat | None) -> OutputFormat:
    """The format to use: the one asked for, else table on a terminal and CSV in a pipe."""
    if requested is not None:
        return requested
    return OutputFormat.table if stdout_is_terminal() else OutputFormat.csv


# What each file extension means for -o/--output (the extension, lower case, with its dot).
EXTENSIONS = {
    ".csv": OutputFormat.csv,
    ".tsv": OutputFormat.tsv,
    ".json": OutputFormat.json,
    ".md": OutputFormat.md,
    ".xlsx": OutputFormat.xlsx,
    ".parquet": OutputFormat.parquet,
}
BINARY = (OutputFormat.xlsx, OutputFormat.parquet)
EXCEL_FORMATS = (OutputFormat.csv, OutputFormat.tsv, OutputFormat.xlsx)


def resolve_format(
    requested: OutputFormat | None, output: Path | None, *, excel: bool = False
) -> OutputFormat:
    """The format of this run, from --format, -o/--output's extension, --excel and stdout.

    With ``output`` and no ``requested`` format, the extension decides (``EXTENSIONS``); an
    unknown one gives CSV and a notice on stderr. A file never gets a terminal table unless
    ``--format table`` asks for it. Raises ``UsageError`` (exit 2) for a contradiction
    (``--format json -o x.csv``; ``--excel`` with a format that is not CSV, TSV or xlsx) and
    for xlsx or Parquet to standard output.
    """
    from ca_trade.errors import UsageError

    by_extension = EXTENSIONS.get(output.suffix.lower()) if output is not None else None
    if output is not None and requested is not None and by_extension not in (None, requested):
        raise UsageError(
            f"--format {requested.value} contradicts --output {output} (a {by_extension} file)",
            hint=f"drop --format, or name the file *.{requested.value}",
        )
    if requested is not None:
        chosen = requested
    elif output is None:
        chosen = OutputFormat.csv if excel else pick_format(None)
    elif by_extension is None:
        say(f"{output}: unknown extension {output.suffix or '(none)'!r}, writing CSV")
        chosen = OutputFormat.csv
    else:
        chosen = by_extension
    if excel and chosen not in EXCEL_FORMATS:
        raise UsageError(
            f"--excel is for CSV, TSV or xlsx, not {chosen.value}",
            hint="drop --excel, or use --format csv",
        )
    if chosen in BINARY and output is None:
        raise UsageError(
            f"{chosen.value} is a binary file format and is not written to standard output",
            hint=f"-o FILE.{chosen.value}",
        )
    return chosen


def say(message: str) -> None:
    """One line for people on stderr, as plain text (never read as markup)."""
    sys.stderr.write(f"ca-trade: {message}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------- machine formats


def csv_text(frame: pl.DataFrame, *, separator: str = ",", excel: bool = False) -> str:
    """The frame as CSV/TSV text: header, plain numbers, formula-safe text, empty for null.

    ``excel`` uses CRLF line ends (the BOM is added when the bytes are written).
    """
    return machine_frame(frame, formula_safe=True).write_csv(
        separator=separator,
        line_terminator="\r\n" if excel else "\n",
        null_value="",
    )


def _json_value(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_text(frame: pl.DataFrame) -> str:
    """The frame as a JSON array of objects, null for missing; list columns stay lists."""
    rows = [{k: _json_value(v) for k, v in row.items()} for row in frame.iter_rows(named=True)]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- writing


def write_text(text: str, path: Path | None, *, bom: bool = False) -> None:
    """Write UTF-8 to ``path`` whole or not at all, or to stdout when ``path`` is None.

    A regular file (or a new one) is written as a temp file beside it and ``os.replace``d, so
    a failure leaves an existing file untouched and no temp file behind; a symlink is followed
    (the link stays). A FIFO or device (``-o /dev/stdout``) is written directly. Output is
    always UTF-8 whatever the locale; ``bom`` prefixes a UTF-8 byte-order mark.
    """
    data = (("\ufeff" if bom else "") + text).encode("utf-8", errors="surrogateescape")
    write_chunks((data,), path)


def write_chunks(chunks: Iterable[bytes], path: Path | None) -> None:
    """Write UTF-8 bytes, piece by piece, exactly as ``write_text`` writes text.

    The pieces are written as they come (``import`` streams millions of rows this way, never
    holding the text whole); an error raised while making them leaves no file behind.
    """
    if path is None:
        for data in chunks:
            _write_stdout(data)
        return
    if path.exists() and not path.is_file() and not path.is_dir():  # stat follows links
        _write_special(chunks, path)
        return
    target = Path(os.path.realpath(path))
    try:
        fd, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as err:
        raise OutputError(
            f"cannot write here ({err.strerror})", path=str(path), hint="choose another --output"
        ) from None
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                for data in chunks:
                    _write_all(handle, data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as err:  # opened, but the bytes did not all get there: a full disk
            raise _write_failed(err, path) from None
        _keep_mode(target, temp_name)
        os.replace(temp_name, target)
    except BaseException as err:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise OutputError(
                f"cannot write ({err.strerror or err})",
                path=str(path),
                hint="choose another --output",
            ) from None
        raise


def _keep_mode(target: Path, temp_name: str) -> None:
    """Give the temp file the target's permissions (or the umask's), not mkstemp's 0600."""
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temp_name, mode)


def _write_failed(err: OSError, path: Path | None) -> WriteError:
    """A write that started but failed (ENOSPC, EIO...): exit 74, named by its OS message."""
    reason = err.strerror or str(err)
    if path is None:
        return WriteError(f"cannot write to standard output: {reason}")
    return WriteError(
        f"cannot write: {reason}", path=str(path), hint="free some space or choose another --output"
    )


def _write_special(chunks: Iterable[bytes], path: Path) -> None:
    try:
        handle = open(path, "wb")  # noqa: SIM115 - opening and writing fail differently
    except OSError as err:
        raise OutputError(
            f"cannot write ({err.strerror or err})", path=str(path), hint="choose another --output"
        ) from None
    try:
        with handle:
            for data in chunks:
                _write_all(handle, data)
    except OSError as err:
        if _is_epipe(err):
            raise
        raise _write_failed(err, path) from None


def _is_epipe(err: BaseException) -> bool:
    return isinstance(err, BrokenPipeError) or getattr(err, "errno", None) == errno.EPIPE


def _write_stdout(data: bytes) -> None:
    """Bytes to stdout, bypassing the text layer's encoding (UTF-8 whatever the locale)."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text-only stream (some test harnesses)
        stream.write(data.decode("utf-8", errors="surrogateescape"))
        stream.flush()
        return
    try:
        stream.flush()
        _write_all(buffer, data)
        buffer.flush()
    except OSError as err:
        if _is_epipe(err):
            raise
        raise _write_failed(err, None) from None


_CHUNK = 1 << 16


def _write_all(handle: BinaryIO, data: bytes) -> None:
    """Write every byte or raise: a short write is retried, so its error surfaces.

    A buffered write can return a short count instead of raising when the kernel accepts part
    of it and the reader then goes away (seen on Linux pipes): the next write raises EPIPE.
    """
    view = memoryview(data)
    while view:
        written = handle.write(view[:_CHUNK])
        if not written:
            raise OSError(errno.EIO, "the output accepted no bytes")
        view = view[written:]


def emit(
    frame: pl.DataFrame,
    fmt: OutputFormat | None,
    *,
    build_tables: Callable[[], Sequence[Block]],
    output: Path | None = None,
    excel: bool = False,
    wide: bool = False,
    sources: Callable[[], pl.DataFrame] | None = None,
    trade: pl.DataFrame | None = None,
) -> None:
    """Print or write ``frame`` in the format ``resolve_format`` picks.

    ``build_tables`` is only called for the table, Markdown and xlsx formats; it returns the
    ``tables.layout`` blocks to draw. A table on a terminal fits its width (``wide``: the full
    layout); in a pipe or a file it is plain text at the full layout. Markdown (``md``) is the
    full layout as GitHub-flavoured tables, with the notes as a list. ``sources`` gives the data
    rows behind the figures (``compute.explain`` or ``compute.sources`` columns, by file and
    line) for the workbook's Sources sheet, taken whole from ``trade``, the data read.
    Parquet is the frame as it is (typed columns, lists kept).
    """
    chosen = resolve_format(fmt, output, excel=excel)
    if chosen in (OutputFormat.table, OutputFormat.md, OutputFormat.xlsx):
        from ca_trade import tables  # rich, only when a table is drawn

        blocks = build_tables()
        if chosen is OutputFormat.xlsx:
            from ca_trade import workbook

            rows = workbook.source_rows(sources(), trade) if sources is not None else None
            data = workbook.workbook_bytes(frame, notes_of(blocks), rows)
            write_chunks((data,), output)
            return
        if chosen is OutputFormat.md:
            write_text(tables.markdown(blocks), output)
            return
        if output is not None or not stdout_is_terminal():
            # Files and pipes get plain text (no colour, not cut to the terminal's width)
            # through the same writer as the machine formats.
            write_text(tables.table_text(blocks), output)
            return
        tables.print_tables(blocks, wide=wide)
        return
    if chosen is OutputFormat.parquet:
        write_chunks((parquet_bytes(frame),), output)
        return
    if chosen is OutputFormat.json:
        write_text(json_text(frame), output)
        return
    separator = "\t" if chosen is OutputFormat.tsv else ","
    write_text(csv_text(frame, separator=separator, excel=excel), output, bom=excel)


def check_data_output(path: Path | None) -> None:
    """Refuse (exit 2) an ``import -o`` name whose extension says another format than a data
    file's: ``.csv`` and ``.parquet`` are data files (an unknown extension gets CSV)."""
    from ca_trade.errors import UsageError

    if path is None:
        return
    meant = EXTENSIONS.get(path.suffix.lower())
    if meant not in (None, OutputFormat.csv, OutputFormat.parquet):
        raise UsageError(
            f"--output {path}: import writes a data file, CSV or Parquet, not {meant}",
            hint=f"-o {path.with_suffix('.csv').name} or -o {path.with_suffix('.parquet').name}",
        )


def write_data_chunks(chunks: Iterable[bytes], path: Path | None) -> None:
    """Write a data file's CSV bytes (``import``'s) as they come, or as Parquet when ``path``
    ends in ``.parquet``: typed columns (year Int64, value_millions Float64, text String, an
    empty cell null), written whole or not at all like every output."""
    if path is None or path.suffix.lower() != ".parquet":
        write_chunks(chunks, path)
        return
    import polars as pl

    with tempfile.TemporaryDirectory(prefix="ca-trade-") as folder:
        text, table = Path(folder) / "data.csv", Path(folder) / "data.parquet"
        write_chunks(chunks, text)
        with open(text, encoding="utf-8") as handle:
            header = handle.readline().lstrip("\ufeff").rstrip("\r\n").split(",")
        types = {"year": pl.Int64, "value_millions": pl.Float64}
        columns = {name: types.get(name, pl.String) for name in header}
        pl.scan_csv(text, schema=columns).sink_parquet(table)
        write_chunks(_file_chunks(table), path)


def _file_chunks(path: Path) -> Iterable[bytes]:
    with open(path, "rb") as handle:
        while data := handle.read(1 << 20):
            yield data


def notes_of(blocks: Sequence[Block]) -> list[str]:
    """The lines a table prints with it (captions, basis, markers, notes), for the Notes sheet."""
    from ca_trade.tables.layout import Lines

    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Lines):
            lines.extend(block.lines)
        else:
            lines.append(block.title)
            lines.extend(str(note) for note in block.notes)
    return lines


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as the bytes of a Parquet file (zstd), its column types kept."""
    import io

    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()
