"""The options and argument checks the commands share (``Annotated`` aliases, defined once)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ca_trade import schema
from ca_trade.errors import UsageError
from ca_trade.inputs import Inputs
from ca_trade.schema import OutputFormat

if TYPE_CHECKING:
    import polars as pl


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


class Flow(StrEnum):
    """A flow, from the partner's side."""

    total = "total"
    export = "export"
    import_ = "import"


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
