"""Reading the measures over time and across sides (``model.TIME_KINDS``) from a claims file.

``change``, ``avg_growth``, ``share_change`` and ``extreme`` take ``of`` (a flow, or a share for
``share_change``) and years; ``growth_rank`` and ``mirror_ratio`` take ``partner``, ``area`` and
``by``. Formats and examples: docs/claims.md, "Measures over time and across sides".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ca_trade import schema
from ca_trade.claims.model import GROWTH_OF, Measure

_ALL = ("partner", "area", "of", "to", "minus", "among", "by", "perspective", "product")


def group_area(where: Any, key: str, value: list[object]) -> str:
    """``area = ["KAZ", "UZB", "KGZ", "TJK"]``: two to five republics, as "KAZ+KGZ+TJK+UZB"."""
    codes = sorted({str(v).strip().upper() for v in value})
    wrong = [c for c in codes if c not in schema.REPUBLICS]
    if wrong or len(codes) < 2 or len(codes) != len(value):
        raise where.error(
            key,
            f"{value!r} is not a group of two to five different republics",
            hint='area = ["KAZ", "UZB"] (or "CA5" for the five as compiled)',
        )
    return "+".join(codes)


def time_measure(
    where: Any, key: str, table: dict[str, Any], kind: str, refuse: Callable[..., None]
) -> Measure:
    """One measure of ``TIME_KINDS`` (``where`` is parse's error builder)."""
    from ca_trade.claims import parse

    if kind in ("growth_rank", "mirror_ratio"):
        refuse(*(n for n in _ALL if n not in ("partner", "area", "by")), "order")
        if kind == "mirror_ratio":
            refuse("from_year", "to_year")
        areas = schema.REPUBLICS if kind == "growth_rank" else (*schema.REPUBLICS, schema.REGION)
        measure = Measure(
            kind,
            partner=parse._code(where, key + ".partner", table.get("partner"), schema.PARTNERS),
            area=parse._code(where, key + ".area", table.get("area"), areas),
            by=parse._choice(where, key + ".by", table.get("by"), GROWTH_OF, "turnover"),
            among="republics" if kind == "growth_rank" else None,
        )
        return _years(where, key, table, measure)
    refuse(*(n for n in _ALL if n != "of"))
    if kind != "extreme":
        refuse("order")
    if "of" not in table:
        raise where.error(
            key + ".of", "missing", hint='of = { kind = "turnover", partner = "CHN", area = "KAZ" }'
        )
    of = parse._measure(where, key + ".of", table["of"], operand=True, growth=True)
    allowed: tuple[str, ...] = ("share",) if kind == "share_change" else GROWTH_OF
    if kind == "extreme":
        allowed = (*GROWTH_OF, "balance")
    if of.kind not in allowed:
        raise where.error(
            key + ".of.kind", f"{kind} is not measured on {of.kind!r}", hint=", ".join(allowed)
        )
    if of.product:
        raise where.error(key + ".of.product", "the data hold no product figures over time")
    order = None
    if kind == "extreme":
        order = parse._choice(
            where, key + ".order", table.get("order"), ("highest", "lowest"), "highest"
        )
        if "to_year" in table:
            raise where.error(key + ".to_year", "not used by extreme: the claim's year is tested")
    measure = Measure(kind, left=of, order=order)
    measure = _years(where, key, table, measure)
    if kind == "avg_growth" and measure.from_year is None:
        raise where.error(key + ".from_year", "missing: average growth since when?", hint="2015")
    return measure


def _years(where: Any, key: str, table: dict[str, Any], measure: Measure) -> Measure:
    from dataclasses import replace

    from ca_trade.claims import parse

    start = parse._year(where, key + ".from_year", table.get("from_year"))
    end = parse._year(where, key + ".to_year", table.get("to_year"))
    if start is not None and end is not None and start >= end:
        raise where.error(key + ".from_year", f"{start} is not before to_year {end}")
    return replace(measure, from_year=start, to_year=end)
