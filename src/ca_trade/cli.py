"""The command line: parse options, call the pure functions, hand the frame to ``render``.

The only module that imports typer, and the one place errors become exit codes (``boundary``).
Polars is imported inside command bodies, so ``ca-trade --help`` starts without it.

Shared options are ``Annotated`` aliases defined once here (frictionless's ``common.py`` idea);
a command is a docstring, its options and a few lines.
"""

from __future__ import annotations

import copy
import errno
import functools
import os
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer._click.exceptions import ClickException
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperGroup

from ca_trade import __version__, schema
from ca_trade.errors import EXIT_INTERNAL, EXIT_IO_ERROR, CaTradeError, UsageError
from ca_trade.inputs import Inputs
from ca_trade.schema import OutputFormat

if TYPE_CHECKING:
    import polars as pl

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that went away


class _OneLineErrors(TyperGroup):
    """The root group: a usage error Click finds (a bad option value, an unknown option or
    command) is one ``ca-trade: error:`` line, as the tool's own usage errors are, exit 2."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run as Click's standalone mode does, but write usage errors as one line."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except ClickUsageError as err:
            command = err.ctx.command_path if err.ctx is not None else "ca-trade"
            message = err.format_message().rstrip()
            _say_error(f"{message}{'' if message.endswith('.') else '.'} Try: {command} --help")
            sys.exit(err.exit_code)
        except ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except typer.Abort:
            _say_error("aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
    name="ca-trade",
    help=(
        "Central Asia's trade with China, the EU and Russia: shares, balances and comparisons, "
        "every figure with its basis, derivation and coverage."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": bool(os.environ.get("CA_TRADE_DEBUG"))}

F = TypeVar("F", bound=Callable[..., Any])


def _say_error(message: str) -> None:
    # Plain text, one line: no rich import on the error path, and nothing read as markup.
    sys.stderr.write(f"ca-trade: error: {message}\n")
    sys.stderr.flush()


def _draw() -> ModuleType:
    """``ca_trade.tables``, imported on first use: only a table needs rich.

    Table builders are called by ``render.emit`` for the table format only, so a CSV, TSV or
    JSON run never imports rich. (The module is untyped here; the table tests call each one.)
    """
    from ca_trade import tables

    return tables


def boundary(command: F) -> F:
    """Turn the tool's errors into one stderr line and an exit code; traceback only with --debug."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except SystemExit as err:
            if _is_broken_pipe(err.__context__):  # Rich's Console.on_broken_pipe: exit 1
                _silence_stdout()
                raise typer.Exit(EXIT_BROKEN_PIPE) from None
            raise
        except CaTradeError as err:
            if _state["debug"]:
                traceback.print_exc()
            _say_error(err.one_line())
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            raise
        except BaseException as err:  # noqa: BLE001 - top-level handler (Polars panics are BaseException)
            if _is_broken_pipe(err):
                _silence_stdout()
                raise typer.Exit(EXIT_BROKEN_PIPE) from None
            return _internal(err)

    return wrapper  # type: ignore[return-value]


def _is_broken_pipe(err: BaseException | None) -> bool:
    """True for a write to a reader that went away, however the writer reported it.

    Python raises ``BrokenPipeError``; a native writer may raise a plain ``OSError`` with errno
    EPIPE, or (Polars) an error whose only trace is the text "Broken pipe (os error 32)".
    The cause/context chain is followed, since wrappers re-raise.
    """
    seen = 0
    while err is not None and seen < 10:
        if isinstance(err, BrokenPipeError) or getattr(err, "errno", None) == errno.EPIPE:
            return True
        text = str(err)
        if "Broken pipe" in text or "os error 32" in text:
            return True
        err = err.__cause__ or err.__context__
        seen += 1
    return False


def _flush_stdout() -> None:
    """Flush stdout at exit; a reader that went away gives the broken-pipe exit, quietly."""
    try:
        sys.stdout.flush()
    except Exception as err:  # noqa: BLE001 - any flush failure at exit
        _stdout_failed(err)


def _stdout_failed(err: BaseException) -> None:
    """Exit for a write to stdout that failed outside ``boundary``: quietly with 141 for a
    reader that went away, with one line and 74 for an OS error (a full disk)."""
    _silence_stdout()
    if _is_broken_pipe(err):
        sys.exit(EXIT_BROKEN_PIPE)
    if isinstance(err, OSError):
        _say_error(f"cannot write to standard output: {err.strerror or err}")
        sys.exit(EXIT_IO_ERROR)


def _internal(err: BaseException) -> None:
    if _state["debug"]:
        traceback.print_exc()
    _say_error(
        f"internal error: {type(err).__name__}: {err}. Run with --debug for the traceback "
        "and please report it"
    )
    raise typer.Exit(EXIT_INTERNAL) from None


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class BasisChoice(StrEnum):
    """Whose statistics to prefer (``--basis``; ``schema.BasisRule`` in the library)."""

    partner = "partner"
    republic = "republic"


DataOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        help="Data file in ca-trade's format (CSV or Parquet), read instead of the bundled "
        "data; repeat to combine files [default: the bundled data]. To add to the bundled "
        "data, use --add.",
    ),
]
AddOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--add",
        help="Also read this data file with the bundled data (or with --data); repeatable. "
        "A figure given twice is an error naming both lines.",
    ),
]
YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="Year [default: the latest year in which China, the EU and Russia each have a "
        "figure with the region; a later, partial year only when asked for].",
    ),
]
CurrencyOpt = Annotated[
    schema.Currency,
    typer.Option("--currency", help="Currency of the figures (ECB annual averages)."),
]
FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="table, md (Markdown), csv, tsv, json, xlsx or parquet [default: from -o's "
        "extension; else table on a terminal, csv when piped].",
    ),
]
WideOpt = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="Draw the table with every column, however wide the terminal (as in a pipe).",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (whole or not at all), not stdout; its extension (.csv .tsv "
        ".json .md .xlsx .parquet) picks the format.",
    ),
]
ExcelOpt = Annotated[
    bool,
    typer.Option(
        "--excel",
        help="CSV for spreadsheet programs: UTF-8 BOM and CRLF line ends (or -o FILE.xlsx).",
    ),
]
ExplainOpt = Annotated[
    bool, typer.Option("--explain", help="List the data rows behind each figure, for citing.")
]
EncodingOpt = Annotated[
    str | None,
    typer.Option("--encoding", help="Encoding of --data [default: UTF-8, BOM honoured]."),
]
DelimiterOpt = Annotated[
    str | None, typer.Option("--delimiter", help="Field delimiter of --data [default: ',' ].")
]
RepublicOpt = Annotated[
    str | None,
    typer.Option("--republic", "-r", help="One republic: KAZ, KGZ, TJK, TKM or UZB."),
]


def _basis_option(default_help: str) -> Any:
    return typer.Option(
        "--basis", "-b", help=f"Whose statistics come first {default_help}.", show_default=False
    )


def _republic(code: str | None) -> str | None:
    if code is None:
        return None
    upper = code.upper()
    if upper not in schema.REPUBLICS:
        raise UsageError(
            f"--republic {code!r} is not one of the five republics",
            hint=", ".join(schema.REPUBLICS),
        )
    return upper


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    value = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(value, value)
    if len(value) != 1:
        raise UsageError(f"--delimiter {value!r} must be one character", hint="--delimiter ';'")
    return value


def _print_version(wanted: bool) -> None:
    # Eager, so that `ca-trade --version` needs no command.
    if wanted:
        typer.echo(f"ca-trade {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    if debug:
        _state["debug"] = True


@app.command()
@boundary
def compare(
    republic: RepublicOpt = None,
    basis: Annotated[
        BasisChoice, _basis_option("[default: partner: China's customs, the EU's, Russia's]")
    ] = BasisChoice.partner,
    data: DataOpt = None,
    add: AddOpt = None,
    year: YearOpt = None,
    currency: CurrencyOpt = schema.Currency.USD,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    explain: ExplainOpt = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
) -> None:
    """China, the EU and Russia side by side in trade with the five republics (or one).

    Example: ca-trade compare --republic KGZ --basis republic
    """
    from ca_trade import compute

    area = _republic(republic) or schema.REGION
    inputs = Inputs(data, year, encoding, _delimiter(delimiter), add=add)
    result = compute.compare(
        inputs.trade,
        basis=basis.value,
        currency=currency.value,
        rates=inputs.rates,
        year=inputs.year,
        area=area,
    )
    _emit_with_explain(
        result,
        inputs,
        fmt,
        output,
        excel,
        explain,
        wide=wide,
        keys=["partner", "area"],
        tables=lambda why: _draw().compare_tables(
            result, currency=currency.value, basis_rule=basis.value, explain=why
        ),
    )


TopOpt = Annotated[
    int | None,
    typer.Option("--top", min=1, help="Show at most N rows in the table [default: 40]."),
]
PartnerOpt = Annotated[
    str | None, typer.Option("--partner", "-p", help="One partner: CHN, EU27 or RUS.")
]
DEFAULT_TOP = 40
SortOpt = Annotated[
    str | None,
    typer.Option(
        "--sort",
        help="Sort by this column, as the table names it (balance, turnover, exports, "
        "imports, share...) or as CSV does (balance_usd_m); largest first for numbers.",
    ),
]


def _partner(code: str | None) -> str | None:
    if code is None:
        return None
    upper = code.upper()
    if upper not in schema.PARTNERS:
        raise UsageError(
            f"--partner {code!r} is not one of the partners", hint=", ".join(schema.PARTNERS)
        )
    return upper


@app.command()
@boundary
def shares(
    partner: PartnerOpt = None,
    republic: RepublicOpt = None,
    sort: SortOpt = None,
    basis: Annotated[
        BasisChoice,
        _basis_option("[default: republic: numerator and denominator from the same statistics]"),
    ] = BasisChoice.republic,
    data: DataOpt = None,
    add: AddOpt = None,
    year: YearOpt = None,
    currency: CurrencyOpt = schema.Currency.USD,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    explain: ExplainOpt = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
) -> None:
    """Each partner's share of each republic's trade, imports and exports, and of the five's.

    Example: ca-trade shares --basis partner   (flags the mixed-basis shares)
    """
    from ca_trade import compute, filters

    wanted = {"partner": _partner(partner), "republic": _republic(republic)}
    inputs = Inputs(data, year, encoding, _delimiter(delimiter), add=add)
    result = compute.shares(
        inputs.trade,
        basis=basis.value,
        currency=currency.value,
        rates=inputs.rates,
        year=inputs.year,
    )
    result = filters.pairs(result, **wanted)
    if sort:
        result = filters.sort(result, sort, filters.SHARES_HEADERS)
    _emit_with_explain(
        result,
        inputs,
        fmt,
        output,
        excel,
        explain,
        wide=wide,
        keys=["area", "partner"],
        tables=lambda why: _draw().shares_tables(result, basis_rule=basis.value, explain=why),
    )


@app.command()
@boundary
def growth(
    partner: PartnerOpt = None,
    republic: RepublicOpt = None,
    from_year: Annotated[
        int | None,
        typer.Option("--from", help="First year [default: the year before --to in the data]."),
    ] = None,
    to_year: Annotated[
        int | None,
        typer.Option(
            "--to", help="Second year [default: the default year, as for --year elsewhere]."
        ),
    ] = None,
    basis: Annotated[
        BasisChoice, _basis_option("[default: partner: China's customs, the EU's, Russia's]")
    ] = BasisChoice.partner,
    data: DataOpt = None,
    add: AddOpt = None,
    currency: CurrencyOpt = schema.Currency.USD,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    explain: ExplainOpt = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
) -> None:
    """The change from one year to the next: turnover, exports and imports, in money and in %.

    A change is computed only like with like: both years from the same reporter (and, for the
    five together, the same republics); otherwise the row says why there is none.
    Example: ca-trade growth --basis republic --from 2023 --to 2024
    """
    from ca_trade import compute, filters, render

    wanted = {"partner": _partner(partner), "republic": _republic(republic)}
    inputs = Inputs(
        data,
        None,
        encoding,
        _delimiter(delimiter),
        add=add,
        all_years=True,
        note_partial=to_year is None,
    )
    start, end = compute.growth_years(
        inputs.trade, from_year, inputs.year if to_year is None else to_year
    )
    inputs.require_year("--to", end)
    if from_year is not None:
        inputs.require_year("--from", start)
    if start >= end:
        raise UsageError(
            f"--from {start} must come before --to {end}", hint="--from 2023 --to 2024"
        )
    result = compute.growth(
        inputs.trade,
        basis=basis.value,
        currency=currency.value,
        rates=inputs.rates,
        from_year=start,
        to_year=end,
    )
    result = filters.pairs(result, **wanted)

    def explained() -> pl.DataFrame:
        return compute.explain(compute.growth_figures(result), inputs.trade, ["partner", "area"])

    why = explained() if explain else None

    def tables() -> Any:
        from ca_trade.tables.growth import growth_tables
        from ca_trade.tables.sources import explain_tables

        blocks = growth_tables(result, currency=currency.value, basis_rule=basis.value)
        return blocks if why is None else [*blocks, *explain_tables(why)]

    machine = result if why is None else why
    render.emit(
        machine,
        fmt,
        output=output,
        excel=excel,
        wide=wide,
        build_tables=tables,
        sources=explained,
        trade=inputs.trade,
    )


class Flow(StrEnum):
    """A flow, from the partner's side."""

    total = "total"
    export = "export"
    import_ = "import"


@app.command()
@boundary
def series(
    partner: Annotated[
        str, typer.Option("--partner", "-p", help="The partner: CHN, EU27 or RUS.")
    ] = "CHN",
    republic: RepublicOpt = None,
    flow: Annotated[
        Flow, typer.Option("--flow", help="total (turnover), export or import, the partner's.")
    ] = Flow.total,
    basis: Annotated[
        BasisChoice, _basis_option("[default: partner: China's customs, the EU's, Russia's]")
    ] = BasisChoice.partner,
    data: DataOpt = None,
    add: AddOpt = None,
    currency: CurrencyOpt = schema.Currency.USD,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (whole or not at all); FILE.svg or FILE.png draws the chart.",
        ),
    ] = None,
    excel: ExcelOpt = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
) -> None:
    """One partner's trade with the five republics (or one) over the years, with a chart.

    Each year: the value, whose figure it is, and the change from the year before, computed
    only like with like; where the reporter or the coverage changes, a break and no change.
    Example: ca-trade series --partner CHN --republic KAZ -o kaz.svg
    """
    from ca_trade import chart, render
    from ca_trade.compute import series as series_module

    code = _partner(partner)
    assert code is not None
    inputs = Inputs(
        data,
        None,
        encoding,
        _delimiter(delimiter),
        add=add,
        all_years=True,
        note_partial=False,
    )
    result = series_module.series(
        inputs.trade,
        partner=code,
        area=_republic(republic) or schema.REGION,
        flow=flow.value,
        basis=basis.value,
        currency=currency.value,
        rates=inputs.rates,
    )
    if output is not None and output.suffix.lower() in chart.CHART_SUFFIXES:
        image = chart.chart_bytes(
            result, currency=currency.value, image_format=output.suffix.lower()[1:]
        )
        render.write_chunks([image], output)
        return
    render.emit(
        result,
        fmt,
        output=output,
        excel=excel,
        wide=wide,
        build_tables=lambda: _draw().series_tables(
            result, currency=currency.value, basis_rule=basis.value
        ),
    )


@app.command("balance")
@boundary
def balance_command(
    partner: PartnerOpt = None,
    republic: RepublicOpt = None,
    sort: SortOpt = None,
    perspective: Annotated[
        str,
        typer.Option(
            "--perspective",
            help="partner: the partner's exports, imports and balance; republic: the other way.",
        ),
    ] = "partner",
    basis: Annotated[BasisChoice, _basis_option("[default: partner]")] = BasisChoice.partner,
    data: DataOpt = None,
    add: AddOpt = None,
    year: YearOpt = None,
    currency: CurrencyOpt = schema.Currency.USD,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    explain: ExplainOpt = False,
    top: TopOpt = None,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
) -> None:
    """Balances (surpluses) of each partner with each republic and the five; who holds the surplus.

    Example: ca-trade balance --partner CHN
    """
    import polars as pl

    from ca_trade import compute

    if perspective not in ("partner", "republic"):
        raise UsageError(f"--perspective {perspective!r}", hint="partner or republic")
    wanted_partner, wanted_republic = _partner(partner), _republic(republic)
    inputs = Inputs(data, year, encoding, _delimiter(delimiter), add=add)
    result = compute.balance(
        inputs.trade,
        basis=basis.value,
        currency=currency.value,
        rates=inputs.rates,
        year=inputs.year,
        perspective=perspective,
    )
    summary = compute.surplus_summary(
        result
        if perspective == "partner"
        else compute.balance(
            inputs.trade,
            basis=basis.value,
            currency=currency.value,
            rates=inputs.rates,
            year=inputs.year,
        )
    )
    if wanted_partner:
        result = result.filter(pl.col("partner") == wanted_partner)
        summary = summary.filter(pl.col("partner") == wanted_partner)
    if wanted_republic:
        result = result.filter(pl.col("area") == wanted_republic)
    if sort:
        from ca_trade import filters

        result = filters.sort(result, sort)
    _emit_with_explain(
        result,
        inputs,
        fmt,
        output,
        excel,
        explain,
        wide=wide,
        keys=["partner", "area"],
        tables=lambda why: _draw().balance_tables(
            result,
            summary,
            currency=currency.value,
            basis_rule=basis.value,
            top=top or DEFAULT_TOP,
            explain=why,
        ),
    )


app.command("surplus", help="Alias of balance.")(balance_command)


@app.command()
@boundary
def mirror(
    partner: PartnerOpt = None,
    republic: RepublicOpt = None,
    include_derived: Annotated[
        bool,
        typer.Option(
            "--derived/--no-derived", help="Let derived figures take part (they are marked)."
        ),
    ] = True,
    data: DataOpt = None,
    add: AddOpt = None,
    year: YearOpt = None,
    currency: CurrencyOpt = schema.Currency.USD,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    top: TopOpt = None,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
) -> None:
    """The same flow as each side reports it: the gap, the ratio and the gap index.

    Example: ca-trade mirror --top 5
    """
    from ca_trade import compute, filters, render

    wanted = {"partner": _partner(partner), "republic": _republic(republic)}
    inputs = Inputs(data, year, encoding, _delimiter(delimiter), add=add)
    result = compute.mirror(
        inputs.trade,
        currency=currency.value,
        rates=inputs.rates,
        year=inputs.year,
        include_derived=include_derived,
    )
    result = filters.pairs(result, **wanted)
    render.emit(
        result,
        fmt,
        output=output,
        excel=excel,
        wide=wide,
        build_tables=lambda: _draw().mirror_tables(
            result, currency=currency.value, top=top or DEFAULT_TOP
        ),
        sources=lambda: compute.explain(result, inputs.trade, ["partner", "area"]),
        trade=inputs.trade,
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


def _emit_with_explain(
    result: pl.DataFrame,
    inputs: Inputs,
    fmt: OutputFormat | None,
    output: Path | None,
    excel: bool,
    explain: bool,
    *,
    keys: list[str],
    tables: Callable[[pl.DataFrame | None], Any],
    wide: bool = False,
) -> None:
    """Emit a result; with --explain, the table gains its sources and machine formats print them."""
    from ca_trade import compute, render

    why = compute.explain(result, inputs.trade, keys) if explain else None
    machine = result if why is None else why
    render.emit(
        machine,
        fmt,
        build_tables=lambda: tables(why),
        output=output,
        excel=excel,
        wide=wide,
        sources=lambda: why if why is not None else compute.explain(result, inputs.trade, keys),
        trade=inputs.trade,
    )


VALIDATE_TOP = 1000


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
    import polars as pl

    from ca_trade import inputs, load, progress, render
    from ca_trade.errors import EXIT_FINDINGS

    bundled = not files
    paths = inputs.bundled_paths() if bundled else list(files or [])
    names = [inputs.display_name(path, bundled) for path in paths]
    rates = load.read_rates()
    found, rows = [], 0
    for path, name in zip(paths, names, strict=True):
        # A file that cannot be split into records is one problem (rule unbalanced-quote etc.).
        with progress.reading(path, name) as bar:
            problems, count = inputs.check_file(
                path,
                rates,
                encoding=encoding,
                delimiter=_delimiter(delimiter),
                on_progress=bar.update,
            )
        rows += count
        if len(paths) > 1:
            problems = problems.select(pl.lit(name, dtype=pl.String).alias("file"), pl.all())
        found.append(problems)
    problems = pl.concat(found)
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


@app.command()
@boundary
def check(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Claims file (TOML) [default: the built-in claims of the article "
            "'The Dragon's Soft Power'].",
            show_default=False,
        ),
    ] = None,
    data: DataOpt = None,
    add: AddOpt = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="Year of claims that name none [default: the latest year in which China, the "
            "EU and Russia each have a figure with the region].",
        ),
    ] = None,
    currency: CurrencyOpt = schema.Currency.USD,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    output: OutputOpt = None,
    excel: ExcelOpt = False,
    explain: ExplainOpt = False,
    details: Annotated[
        bool,
        typer.Option(
            "--details",
            help="One row per basis: claimed, computed, result and whose figures "
            "[default: a line per claim, verdict first].",
        ),
    ] = False,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    article: Annotated[
        Path | None,
        typer.Option(
            "--article",
            help="Draft the claims from this article (text, Markdown or HTML) and check them: "
            "claims read by machine, to review (see 'ca-trade claims draft').",
            show_default=False,
        ),
    ] = None,
    save_draft: Annotated[
        Path | None,
        typer.Option(
            "--save-draft",
            help="With --article: also write the drafted claims file here, to correct it.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Test published claims against the data, on every basis: holds, fails, depends on basis.

    Each claim is computed like the other commands do, once with the partner's statistics first
    and once with the republics' first; the verdict says on whose statistics it holds.
    Exit status 0 when every checkable claim holds, 1 otherwise.

    Example: ca-trade check my_claims.toml --explain
    """
    from ca_trade import claims
    from ca_trade.claims import article_check
    from ca_trade.errors import EXIT_FINDINGS

    claim_set, skipped = article_check.claims_to_check(file, article, save_draft)
    if claim_set is None:
        return
    inputs = Inputs(data, year, encoding, _delimiter(delimiter), add=add, all_years=True)
    result = claims.evaluate(
        claim_set, inputs.trade, currency=currency.value, rates=inputs.rates, year=inputs.year
    )
    tally = article_check.tally_lines(result, claim_set, skipped)
    _emit_with_explain(
        result,
        inputs,
        fmt,
        output,
        excel,
        explain,
        wide=wide,
        keys=["claim_id", "statistics", "basis_rule"],
        tables=lambda why: _draw().check_tables(
            result, claims_name=claim_set.path, explain=why, details=details, tally=tally
        ),
    )
    article_check.say_tally(tally, fmt, article)
    if not claims.all_hold(result):
        raise typer.Exit(EXIT_FINDINGS)


claims_app = typer.Typer(
    name="claims",
    help="Claims files: draft one from an article's text.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(claims_app, name="claims")


@claims_app.command("draft")
@boundary
def claims_draft(
    article: Annotated[
        Path,
        typer.Argument(help="The article: plain text, Markdown or HTML.", show_default=False),
    ],
    output: OutputOpt = None,
) -> None:
    """Draft a claims file from an article: one claim per figure statement, to review.

    Read by fixed rules (docs/claims.md, "Drafting claims"), no network and no model: each
    guessed field carries a '# review:' comment, and statements that cannot be claims
    (part-year, services, investment...) are listed at the end with the reason.

    Example: ca-trade claims draft story.txt -o story.toml && ca-trade check story.toml
    """
    from ca_trade.claims import article_check

    article_check.draft_command(article, output)


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


def _whole_summaries() -> None:
    """Give each command its docstring's whole first line as its short help: Click would cut
    it at 45 characters with '...' in the root --help."""
    for info in app.registered_commands:
        if info.short_help is None and info.help is None and info.callback is not None:
            doc = (info.callback.__doc__ or "").strip()
            info.short_help = doc.partition("\n")[0].strip() or None


_whole_summaries()


def _app_for(args: list[str]) -> typer.Typer:
    """The app, with only the command that ``args`` names when they name one of ours.

    Typer turns every registered command into a click command (reading each signature and its
    type hints) before running one: about 20 ms of every start-up for the ten commands that do
    not run. The root's options are all flags, so the first argument that is not an option names
    the command. Anything else (no command, a root option other than ``--debug`` before it,
    a misspelt name, completion) gets the whole app, so that the listing and click's
    suggestions are unchanged.
    """
    at = next((i for i, arg in enumerate(args) if not arg.startswith("-")), None)
    # Before the name, only --debug: the root's --help (and --version, -h, --) print or change
    # what the whole app would.
    if at is None or any(arg != "--debug" for arg in args[:at]):
        return app
    chosen = [
        info
        for info in app.registered_commands
        if info.callback is not None
        and (info.name or typer.main.get_command_name(info.callback.__name__)) == args[at]
    ]
    groups = [group for group in app.registered_groups if group.name == args[at]]
    if len(chosen) + len(groups) != 1:
        return app
    lean = copy.copy(app)
    lean.registered_commands = chosen
    lean.registered_groups = groups  # `claims draft`: the claims group alone
    return lean


def main() -> None:
    """Console-script entry point."""
    if os.environ.get("_CA_TRADE_COMPLETE"):  # a shell asking for completions (`completion`)
        from typer._completion_classes import completion_init

        completion_init()
    try:
        _app_for(sys.argv[1:])()
    except KeyboardInterrupt:
        _say_error("interrupted")
        sys.exit(130)
    except SystemExit:
        _flush_stdout()
        raise
    except OSError as err:  # help or usage text that could not be written (outside `boundary`)
        _stdout_failed(err)
