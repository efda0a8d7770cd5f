"""What every calculating command starts from: the data files, the rates and the year.

By default the bundled files are read, one per year (``BUNDLED_FILES``); ``--data`` replaces them
with the user's file or files (a line on a terminal's stderr says so), and ``--add`` reads the
user's files with them (CSV or Parquet, ``parquet_input``). Each file is read strictly by
``load.read_trade``; the frames are concatenated with a ``file`` column (the file's display
name) next to ``line``, so every row can still be cited by file and line. A key (year,
reporter, partner, flow) may appear in one file only: a repeat across files is a ``DataError``
naming both files and lines.

"Read less": the calculating commands keep only the rows ca-trade computes with (reporter and
partner among ca-trade's codes), so a world-wide file does not carry every country through the
figure rules. ``sources`` keeps every row.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade import schema
from ca_trade.errors import DataError, UsageError

if TYPE_CHECKING:
    import polars as pl

# The bundled data, one file per year, oldest first; shipped in the wheel beside trade_2024.csv.
BUNDLED_FILES = tuple(f"trade_{year}.csv" for year in range(2015, 2026))
BUNDLED_MARK = " (bundled)"


def bundled_paths() -> list[Path]:
    """The bundled data files: inside the installed wheel, or the checkout's ``data/``."""
    from ca_trade import load

    folder = load.bundled_data_path().parent
    return [folder / name for name in BUNDLED_FILES]


def display_name(path: Path, bundled: bool) -> str:
    """How a data file is named in output: ``trade_2024.csv (bundled)``, else its relative path."""
    from ca_trade import load

    return path.name + BUNDLED_MARK if bundled else load.display_path(path)


def computable() -> pl.Expr:
    """The rows ca-trade computes with, as a filter over the loader's columns: reporter in
    ``schema.REPORTERS`` and partner in ``schema.COUNTERPARTS``."""
    import polars as pl

    return pl.col("reporter").is_in(schema.REPORTERS) & pl.col("partner").is_in(schema.COUNTERPARTS)


def read_files(
    paths: Sequence[Path],
    names: Sequence[str],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    keep: pl.Expr | None = None,
) -> pl.DataFrame:
    """Read each data file strictly and concatenate them, each row tagged with its file.

    Returns the loader's columns (``schema.COLUMNS``) plus ``file`` (from ``names``) and
    ``line``, only the rows ``keep`` keeps (every row is still checked). Raises ``DataError``
    (exit 65) for a key given in two files, naming both.
    """
    import polars as pl

    from ca_trade import load, parquet_input, progress

    frames = []
    for path, name in zip(paths, names, strict=True):
        if parquet_input.is_parquet(path):
            frame = parquet_input.read_trade(path, str(path), keep=keep)
            frames.append(frame.with_columns(pl.lit(name, dtype=pl.String).alias("file")))
            continue
        with progress.reading(path, name) as bar:
            frame = load.read_trade(
                path, encoding=encoding, delimiter=delimiter, keep=keep, on_progress=bar.update
            )
        frames.append(frame.with_columns(pl.lit(name, dtype=pl.String).alias("file")))
    columns = [*schema.LOADED, "file", "line"]
    trade = pl.concat([frame.select(columns) for frame in frames], how="vertical")
    if len(frames) > 1:
        _refuse_repeated_keys(trade, [str(p) for p in paths], list(names))
    return trade


def check_file(
    path: Path,
    rates: dict[int, float] | None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[pl.DataFrame, int]:
    """Every problem of one data file (CSV or Parquet) and its number of rows, for ``validate``
    (see ``load.check_file`` and ``parquet_input.check_file``)."""
    from ca_trade import load, parquet_input

    if parquet_input.is_parquet(path):
        return parquet_input.check_file(path, str(path), rates)
    return load.check_file(
        path, rates, encoding=encoding, delimiter=delimiter, on_progress=on_progress
    )


def _refuse_repeated_keys(trade: pl.DataFrame, paths: list[str], names: list[str]) -> None:
    """Raise for the first key that two files both give (each file's own keys are unique)."""
    import polars as pl

    key = list(schema.KEY)
    order = {name: index for index, name in enumerate(names)}
    repeated = (
        trade.with_columns(pl.col("file").replace_strict(order, return_dtype=pl.Int64).alias("_f"))
        .filter(pl.len().over(key) > 1)
        .sort("_f", "line")
    )
    if repeated.is_empty():
        return
    first = repeated.row(0, named=True)
    again = repeated.filter(
        pl.all_horizontal(pl.col(k) == first[k] for k in key) & (pl.col("_f") != first["_f"])
    ).row(0, named=True)
    raise DataError(
        f"{first['year']} {first['reporter']} {first['partner']} {first['flow']} repeats the key "
        f"of {paths[first['_f']]}, line {first['line']}",
        path=paths[again["_f"]],
        line=again["line"],
        column="flow",
        hint="give each (year, reporter, partner, flow) in one file only; put other versions in "
        "note",
    )


def _refuse_a_file_given_twice(paths: list[Path]) -> None:
    """A usage error (exit 2) for the same file given twice to --data (each of its keys would
    otherwise be reported as repeated)."""
    seen: dict[Path, Path] = {}
    for path in paths:
        try:
            real = path.resolve()
        except OSError:  # pragma: no cover - unresolvable: the reader reports it
            continue
        if real in seen:
            raise UsageError(
                f"--data {path} is given twice"
                + (f" (also as {seen[real]})" if str(seen[real]) != str(path) else ""),
                hint="give each file once",
            )
        seen[real] = path


def _tell(message: str) -> None:
    """A line for the person at the terminal (stderr is one): which data were read."""
    from ca_trade import render

    if _stderr_is_terminal():
        render.say(message)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Inputs:
    """The data, rates and year that every calculating command starts from.

    ``trade`` is the loader's frame for the files read (``read_files``), reduced to the rows
    ca-trade computes with unless ``keep_all``: every file given with ``--data``; of the bundled
    data (one file per year), only the chosen year's file unless ``all_years`` (``years``).
    ``year`` is the chosen year (default: ``years.default_year``, the latest year in which China,
    the EU and Russia each have a figure with the region; a later, partial year gets a note on
    stderr), ``years`` every year available, ``rates`` the ECB annual averages, ``files`` the
    display names of the files read, ``notes`` the lines said on stderr (unless
    ``note_partial`` is False: a command that picks no single year).
    """

    trade: pl.DataFrame
    rates: dict[int, float]
    years: list[int]
    year: int

    def __init__(
        self,
        data: Sequence[Path] | None,
        year: int | None,
        encoding: str | None = None,
        delimiter: str | None = None,
        *,
        keep_all: bool = False,
        add: Sequence[Path] | None = None,
        all_years: bool = False,
        note_partial: bool = True,
    ) -> None:
        given, added = list(data or []), list(add or [])
        _refuse_a_file_given_twice(given + added)
        base = given or bundled_paths()
        self.paths = base + added
        self.files = [display_name(p, bundled=not given) for p in base]
        self.files += [display_name(p, bundled=False) for p in added]
        keep = None if keep_all else computable()
        self.notes: list[str] = []  # one-line notes for stderr (a later, partial year)
        if not given and not added and not all_years:
            self._read_one_bundled_year(year, encoding, delimiter, keep)
        else:
            self._read_all(year, encoding, delimiter, keep)
            if given and not added:
                _tell(f"data: {', '.join(self.files)} only; the bundled data were not loaded")
        if note_partial:
            self.say_notes()

    def _read_all(
        self, year: int | None, encoding: str | None, delimiter: str | None, keep: pl.Expr | None
    ) -> None:
        """Read every file (``--data``/``--add``, or the bundled data for a command that spans
        years)."""
        from ca_trade import load

        self.trade = read_files(
            self.paths, self.files, encoding=encoding, delimiter=delimiter, keep=keep
        )
        self.rates = load.read_rates()
        years = sorted(self.trade.get_column("year").unique().to_list())
        if not years:
            raise DataError(
                "has no rows between ca-trade's countries and areas",
                path=", ".join(map(str, self.paths)),
                hint="reporter and partner must be among " + ", ".join(schema.COUNTERPARTS),
            )
        self.years = years
        if year is not None:
            self.require_year("--year", year)
        self.year = year if year is not None else self._default_year()
        self._check_rates()

    def _default_year(self) -> int:
        """The default year (``years.default_year``), noting each later partial year."""
        from ca_trade import years

        chosen = years.default_year(self.trade, self.years)
        self.notes = [years.partial_note(self.trade, y) for y in self.years if y > chosen]
        return chosen

    def _read_one_bundled_year(
        self, year: int | None, encoding: str | None, delimiter: str | None, keep: pl.Expr | None
    ) -> None:
        """Read only the bundled file(s) one year needs, chosen by the year in their names."""
        from ca_trade import load, years

        self.rates = load.read_rates()
        self.years = sorted(y for p in self.paths if (y := years.year_of_file(p)) is not None)
        if year is not None:
            self.require_year("--year", year)
        names = dict(zip(self.paths, self.files, strict=True))

        def read(paths: list[Path]) -> pl.DataFrame:
            return read_files(
                paths,
                [names[p] for p in paths],
                encoding=encoding,
                delimiter=delimiter,
                keep=keep,
            )

        self.trade, self.year, _, self.notes = years.pick_bundled(self.paths, year, read)
        read_names = set(self.trade.get_column("file").unique().to_list())
        self.paths = [p for p in self.paths if names[p] in read_names]
        self.files = [names[p] for p in self.paths]
        self._check_rates()

    def say_notes(self) -> None:
        """Print the notes (a later, partial year) on stderr, one line each, when stderr is a
        terminal: they are for people (like the progress bar); scripts get ``notes``."""
        for note in self.notes:
            _tell(note)

    def _check_rates(self) -> None:
        from ca_trade import load

        missing = load.missing_rates(self.trade, self.rates)
        if missing:
            raise UsageError(
                f"no ECB EUR/USD rate for {', '.join(map(str, missing))}",
                hint="add the year's annual average to the rates file",
            )

    def growth_span(self, from_year: int | None, to_year: int | None) -> tuple[int, int]:
        """The two years a change is computed between: ``--to`` (default: the default year)
        and ``--from`` (default: the latest year before it in the data); a usage error (exit 2)
        for a year the data do not hold, or a span that runs backwards."""
        from ca_trade import compute

        end = self.year if to_year is None else to_year
        start, end = compute.growth_years(self.trade, from_year, end)
        self.require_year("--to", end)
        if from_year is not None:
            self.require_year("--from", start)
        if start >= end:
            raise UsageError(
                f"--from {start} must come before --to {end}", hint="--from 2023 --to 2024"
            )
        return start, end

    def require_year(self, option: str, year: int) -> None:
        """Raise a usage error (exit 2) naming ``option`` when ``year`` is not in the data."""
        if year not in self.years:
            raise UsageError(
                f"{option} {year} is not in the data",
                hint="years available: " + ", ".join(map(str, self.years)),
            )


def check_files(
    files: Sequence[Path] | None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> tuple[pl.DataFrame, int, list[str]]:
    """Every problem of each data file (the bundled ones when ``files`` is empty), for
    ``validate``: each file checked on its own, with a progress bar on a terminal.

    Returns the problems (``rules.PROBLEM_SCHEMA``, with a first ``file`` column when there is
    more than one file), the number of data rows read and the files' display names. A file
    that cannot be split into records is one problem; one that cannot be read raises.
    """
    import polars as pl

    from ca_trade import load, progress

    bundled = not files
    paths = bundled_paths() if bundled else list(files or [])
    names = [display_name(path, bundled) for path in paths]
    rates = load.read_rates()
    found, rows = [], 0
    for path, name in zip(paths, names, strict=True):
        with progress.reading(path, name) as bar:
            problems, count = check_file(
                path, rates, encoding=encoding, delimiter=delimiter, on_progress=bar.update
            )
        rows += count
        if len(paths) > 1:
            problems = problems.select(pl.lit(name, dtype=pl.String).alias("file"), pl.all())
        found.append(problems)
    return pl.concat(found), rows, names
