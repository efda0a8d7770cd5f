"""The measures over time and across sides in words (``model.describe`` calls this)."""

from __future__ import annotations

from collections.abc import Callable

from ca_trade.claims.model import Measure


def describe_time(measure: Measure, describe: Callable[[Measure], str]) -> str:
    """'change of CHN–KAZ turnover 2023→2024', 'KAZ growth rank among the five for CHN'..."""
    start = measure.from_year or "year before"
    end = measure.to_year or "claim year"
    if measure.kind == "growth_rank":
        return (
            f"rank of {measure.area} among the five by growth of {measure.by} with "
            f"{measure.partner} {start}→{end}"
        )
    if measure.kind == "mirror_ratio":
        return (
            f"{measure.partner}–{measure.area} {measure.by}: larger ÷ smaller of the two "
            "sides' figures"
        )
    assert measure.left is not None
    of = describe(measure.left)
    if measure.kind == "extreme":
        since = f" since {measure.from_year}" if measure.from_year else ""
        return f"rank of the claim year's {of} among the years in the data{since}, " + (
            "highest first" if measure.order != "lowest" else "lowest first"
        )
    if measure.kind == "avg_growth":
        return f"average annual growth of {of} {start}→{end}"
    if measure.kind == "share_change":
        return f"change of {of} {start}→{end} (points)"
    return f"change of {of} {start}→{end}"
