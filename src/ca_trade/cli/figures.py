"""The figure commands: compare, shares, growth, series, balance (surplus) and mirror."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ca_trade import schema
from ca_trade.errors import UsageError
from ca_trade.inputs import Inputs

if TYPE_CHECKING:
    import polars as pl

from ca_trade.cli.app import (
    _draw,
    app,
    boundary,
)
from ca_trade.cli.options import (
    DEFAULT_TOP,
    AddOpt,
    BasisChoice,
    CurrencyOpt,
    DataOpt,
    DelimiterOpt,
    EncodingOpt,
    ExcelOpt,
    ExplainOpt,
    Flow,
    FormatOpt,
    OutputOpt,
    PartnerOpt,
    RepublicOpt,
    SortOpt,
    TopOpt,
    WideOpt,
    YearOpt,
    _basis_option,
    _delimiter,
    _emit_with_explain,
    _partner,
    _republic,
)


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
    start, end = inputs.growth_span(from_year, to_year)
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

    from ca_trade import compute

    if perspective not in ("partner", "republic"):
        raise UsageError(f"--perspective {perspective!r}", hint="partner or republic")
    wanted_partner, wanted_republic = _partner(partner), _republic(republic)
    inputs = Inputs(data, year, encoding, _delimiter(delimiter), add=add)
    result, summary = compute.balance_report(
        inputs.trade,
        basis=basis.value,
        currency=currency.value,
        rates=inputs.rates,
        year=inputs.year,
        perspective=perspective,
        partner=wanted_partner,
        republic=wanted_republic,
    )
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
