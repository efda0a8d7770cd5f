"""The claims commands: check, and claims draft."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ca_trade import schema
from ca_trade.inputs import Inputs

if TYPE_CHECKING:
    pass

from ca_trade.cli.app import (
    _draw,
    app,
    boundary,
)
from ca_trade.cli.options import (
    AddOpt,
    CurrencyOpt,
    DataOpt,
    DelimiterOpt,
    EncodingOpt,
    ExcelOpt,
    ExplainOpt,
    FormatOpt,
    OutputOpt,
    WideOpt,
    _delimiter,
    _emit_with_explain,
)


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
    and once with the republics' first; the verdict says on whose statistics it holds. It rests
    on like-for-like figures ("mixed reporters" when only one reporter's figure against
    another's decides it), and on every value the data allow ("not decidable" when a bound such
    as "exceeded $44bn" allows both answers). Exit status 0 unless a claim fails or depends on
    basis.

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
