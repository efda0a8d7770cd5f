"""The data commands: sources, validate, import, fetch, and shell completion."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ca_trade.inputs import Inputs

if TYPE_CHECKING:
    pass

from ca_trade.cli.app import (
    _draw,
    app,
    boundary,
)
from ca_trade.cli.options import (
    DEFAULT_TOP,
    VALIDATE_TOP,
    AddOpt,
    DataOpt,
    DelimiterOpt,
    EncodingOpt,
    ExcelOpt,
    FormatOpt,
    OutputOpt,
    PartnerOpt,
    RepublicOpt,
    TopOpt,
    WideOpt,
    _delimiter,
    _partner,
    _republic,
)


@app.command()
@boundary
def sources(
    partner: PartnerOpt = None,
    republic: RepublicOpt = None,
    reporter: Annotated[
        str | None, typer.Option("--reporter", help="Only rows with this reporter code.")
    ] = None,
    data: DataOpt = None,
    add: AddOpt = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Only this year [default: all].")
    ] = None,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    top: TopOpt = None,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
) -> None:
    """The data rows with their source, URL and note, for citing.

    Example: ca-trade sources --partner CHN --republic KGZ
    """
    from ca_trade import compute, render

    inputs = Inputs(
        data,
        year,
        encoding,
        _delimiter(delimiter),
        add=add,
        keep_all=True,
        all_years=True,
        note_partial=False,
    )
    result = compute.sources(
        inputs.trade,
        partner=_partner(partner),
        republic=_republic(republic),
        reporter=reporter.upper() if reporter else None,
        year=year,
    )
    render.emit(
        result,
        fmt,
        output=output,
        excel=excel,
        wide=wide,
        build_tables=lambda: _draw().sources_tables(result, top=top or DEFAULT_TOP),
        sources=lambda: result,
    )


@app.command()
@boundary
def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Data files to check [default: the bundled data, every year].",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    top: Annotated[
        int | None,
        typer.Option(
            "--top", min=1, help=f"Show at most N problems in the table [default: {VALIDATE_TOP}]."
        ),
    ] = None,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
) -> None:
    """Check data files against every rule and list all their problems (exit 1 if there are any).

    Each problem has its rule, line (header = line 1), column, value, message and a hint; with
    more than one file, a first column names the file. Each file is checked on its own (a key
    repeated across files is reported when they are read together, by any other command).
    A file that cannot be read at all (missing, binary, undecodable) is one error line instead.

    Example: ca-trade validate mydata.csv --format csv
    """

    from ca_trade import inputs, render
    from ca_trade.errors import EXIT_FINDINGS

    problems, rows, names = inputs.check_files(
        files, encoding=encoding, delimiter=_delimiter(delimiter)
    )
    shown = ", ".join(names)

    def tables() -> list[Any]:
        if problems.is_empty():
            return list(_draw().message(f"{shown}: no problems ({rows} data rows checked)"))
        count = problems.height
        title = (
            f"{shown}: {count} problem{'s' if count > 1 else ''} "
            "(line = line in the file; in a Parquet file, the row)"
        )
        return list(_draw().generic_table(problems, title, limit=top or VALIDATE_TOP))

    render.emit(problems, fmt, output=output, excel=excel, build_tables=tables, wide=wide)
    if problems.height:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("import")
@boundary
def import_(
    file: Annotated[
        Path, typer.Argument(help="The download: CSV, TSV or gzipped.", show_default=False)
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the data file here (whole or not at all); FILE.parquet writes Parquet.",
        ),
    ] = None,
    import_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="comtrade, comtrade-bulk, imf, comext or baci [default: from the header].",
            show_default=False,
        ),
    ] = None,
    hs: Annotated[
        list[str] | None,
        typer.Option("--hs", help="Only HS codes starting with this (repeatable), e.g. --hs 2711."),
    ] = None,
    all_countries: Annotated[
        bool,
        typer.Option("--all-countries", help="Keep every country, not only ca-trade's own."),
    ] = False,
    countries: Annotated[
        Path | None,
        typer.Option(
            "--countries",
            help="Country-code file (BACI's country_codes_V*.csv) for numeric or ISO2 codes "
            "[default for BACI: the one beside FILE].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Convert an official download (UN Comtrade, IMF IMTS, Eurostat Comext, CEPII BACI).

    The output is a data file in ca-trade's format, for --data.
    Example: ca-trade import TradeData.csv -o comtrade.csv && ca-trade compare --data comtrade.csv
    """
    from ca_trade import ingest, progress, render

    render.check_data_output(output)
    options = ingest.Options(
        fmt=import_format, hs=tuple(hs or ()), all_countries=all_countries, countries=countries
    )
    size = file.stat().st_size if file.is_file() else 0
    with progress.Bytes(f"importing {file.name}", size) as bar:
        # A regular file is written whole or not at all, so its rows can be checked as they
        # are written; stdout or a device cannot take rows back: they are all checked first.
        regular = output is not None and (output.is_file() or not output.exists())
        result = ingest.convert(file, options, on_progress=bar.update, check_first=not regular)
    render.write_data_chunks(result.chunks(), output)
    years = ", ".join(map(str, result.years))
    if len(result.years) > 5:  # a world-wide download can span decades
        years = f"{result.years[0]}-{result.years[-1]}: {len(result.years)} years"
    skipped = f"; skipped {'; '.join(result.skipped)}" if result.skipped else ""
    where = f" to {output}" if output is not None else ""
    render.say(f"{result.rows} rows ({result.spec.title}, {years}){where}{skipped}")
    for warning in result.warnings:
        render.say(f"warning: {warning}")


@app.command()
@boundary
def fetch(
    year: Annotated[
        list[str] | None,
        typer.Option("--year", help="Year or range, repeatable: --year 2024, --year 2015-2024."),
    ] = None,
    source: Annotated[
        str, typer.Option("--source", "-s", help="comtrade, eurostat, imf, or all (each in turn).")
    ] = "comtrade",
    partner: Annotated[
        list[str] | None,
        typer.Option(
            "--partner",
            "-p",
            help="Partner, repeatable: CHN, EU27, RUS or any ISO3 code (TUR, KOR, USA) "
            "[default: CHN, EU27, RUS].",
            show_default=False,
        ),
    ] = None,
    republic: Annotated[
        list[str] | None,
        typer.Option("--republic", "-r", help="Republic, repeatable [default: all five]."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the data file here (whole or not at all)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ask the services again; ignore the cache.")
    ] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only the cache; say which queries it lacks.")
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="Cache the answers here [default: CA_TRADE_CACHE_DIR, else the user cache "
            "directory].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Fetch Comtrade, Eurostat or IMF figures into a data file.

    Official statistics from UN Comtrade, Eurostat Comext or the IMF's IMTS, both directions
    (each side as reporter) and each republic with the World; every row cites its exact query;
    answers are cached, so a second run works offline. COMTRADE_API_KEY, when set, uses
    Comtrade's keyed route (the key goes in a header only).
    Example: ca-trade fetch --year 2015-2024 --partner CHN --partner RUS -o trade.csv
    """
    from ca_trade import fetch as fetching

    fetching.fetch_to(
        output,
        sources=source,
        years=year or [],
        partners=partner or [],
        republics=republic or [],
        refresh=refresh,
        offline=offline,
        cache_dir=cache_dir,
    )


class Shell(StrEnum):
    """Shells with a completion script."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@app.command()
@boundary
def completion(
    shell: Annotated[
        Shell, typer.Argument(help="bash, zsh or fish.", show_default=False, metavar="SHELL")
    ],
) -> None:
    """Print the shell completion script for bash, zsh or fish (commands, options, values).

    Example: ca-trade completion bash >> ~/.bashrc
    (zsh: >> ~/.zshrc; fish: > ~/.config/fish/completions/ca-trade.fish), then open a new shell.
    """
    # typer's own scripts (what --show-completion prints); imported here only, so --help stays
    # light. typer is pinned below 0.29 in pyproject.toml.
    from typer._completion_shared import get_completion_script

    from ca_trade import render

    script = get_completion_script(
        prog_name="ca-trade", complete_var="_CA_TRADE_COMPLETE", shell=shell.value
    )
    render.write_text(script + "\n", None)
