"""The glue behind ``ca-trade claims draft`` and ``ca-trade check --article``.

``claims_to_check`` gives ``check`` its claims: a claims file, the built-in set, or an
article's drafted claims (labelled as read by machine); ``tally_lines`` and ``say_tally``
give the tally of why claims could not be checked. The CLI stays a few lines.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade.claims import tally
from ca_trade.claims.model import ClaimSet
from ca_trade.claims.parse import parse_claims, read_claims
from ca_trade.errors import UsageError

if TYPE_CHECKING:
    import polars as pl

    from ca_trade.schema import OutputFormat

MACHINE = "read by machine"


def draft_command(article: Path, output: Path | None) -> None:
    """``claims draft``: write the drafted file (stdout or ``output``), a summary on stderr."""
    from ca_trade import render
    from ca_trade.claims.draft import draft_file

    drafted, text = draft_file(article)
    if drafted.drafts:
        parse_claims(text, str(output or "the drafted claims"))  # a bug if it does not parse
    render.write_text(text, output)
    where = f" into {output}" if output is not None else ""
    render.say(
        f"drafted {len(drafted.drafts)} claim{'s' if len(drafted.drafts) != 1 else ''} from "
        f"{article}{where}; {len(drafted.skips)} statement"
        f"{'s' if len(drafted.skips) != 1 else ''} not expressible or not read (listed at "
        "the end); review every field marked '# review:'"
    )


def claims_to_check(
    file: Path | None, article: Path | None, save_draft: Path | None
) -> tuple[ClaimSet | None, list[str]]:
    """The claims ``check`` tests, and the drafter's skipped statements (``--article``).

    None instead of a claim set when the article holds no statement the drafter could read
    (said on stderr)."""
    if article is None:
        if save_draft is not None:
            raise UsageError("--save-draft needs --article", hint="ca-trade check --article FILE")
        return read_claims(file), []
    if file is not None:
        raise UsageError(
            "give a claims file or --article, not both",
            hint="ca-trade check --article story.txt",
        )
    from ca_trade import render
    from ca_trade.claims.draft import draft_file

    drafted, text = draft_file(article)
    if save_draft is not None:
        render.write_text(text, save_draft)
    skipped = [s.reason for s in drafted.skips]
    if not drafted.drafts:
        render.say(
            f"no claims read from {article}: no figure statement the drafter could express"
            + "".join(f"\n  {line}" for line in tally.lines(Counter(), _skips(skipped)))
        )
        return None, skipped
    claim_set = parse_claims(text, f"{article} (claims {MACHINE})")
    claims = tuple(
        replace(c, note=f"{MACHINE}: {c.note}" if c.note else MACHINE) for c in claim_set.claims
    )
    saved = f"saved in {save_draft}" if save_draft else "--save-draft FILE keeps them"
    render.say(f"{len(claims)} claims {MACHINE} from {article}, to review ({saved})")
    return ClaimSet(claim_set.path, claims), skipped


def _skips(skipped: list[str]) -> Counter[str]:
    return tally.not_expressible(skipped)


def tally_lines(result: pl.DataFrame, claim_set: ClaimSet, skipped: list[str]) -> list[str]:
    """The tally of why claims could not be checked or expressed (note lines)."""
    return tally.lines(tally.not_checkable(result, claim_set), _skips(skipped))


def say_tally(lines: list[str], fmt: OutputFormat | None, article: Path | None) -> None:
    """With --article and CSV, TSV or JSON, the tally on stderr too (a table has it as notes
    under it; a claims file's machine output, like its other notes, has none)."""
    from ca_trade import render
    from ca_trade.schema import OutputFormat

    machine = (OutputFormat.csv, OutputFormat.tsv, OutputFormat.json)
    if article is not None and lines and render.pick_format(fmt) in machine:
        for line in lines:
            render.say(line)
