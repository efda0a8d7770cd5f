"""Reading and validating a claims file: TOML text to a ``ClaimSet``, or one clear error.

``parse_claims`` turns the text into ``Claim`` objects or raises ``DataError`` naming the file,
the claim (id and index) and the field; ``read_claims`` reads a file or the built-in set.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from ca_trade import schema
from ca_trade.claims.model import (
    AMOUNT_UNITS,
    BUILTIN_NAME,
    FLOW_KINDS,
    GROWTH_KINDS,
    GROWTH_OF,
    KINDS,
    OP_ALIASES,
    OPERAND_KINDS,
    OPS,
    SHARE_OF,
    TIME_KINDS,
    Claim,
    ClaimSet,
    Measure,
    Source,
    Tolerance,
    a_noun,
    is_share,
    value_kind,
)
from ca_trade.claims.parse_time import group_area
from ca_trade.errors import DataError

# ------------------------------------------------------------------------------- reading


def builtin_text() -> tuple[str, str]:
    """The built-in claim set (the article), packaged in the wheel: (display name, text)."""
    resource = resources.files("ca_trade.claims") / BUILTIN_NAME
    return f"{BUILTIN_NAME} (built-in)", resource.read_text(encoding="utf-8")


def read_claims(path: Path | None) -> ClaimSet:
    """Read and validate a claims file, or the built-in set when ``path`` is None.

    Raises ``InputError`` (missing/unreadable) or ``DataError`` (syntax, schema).
    """
    if path is None:
        name, text = builtin_text()
        return parse_claims(text, name)
    from ca_trade import load

    data = load.read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(
            f"is not UTF-8 text (byte {err.start})",
            path=str(path),
            hint="save the claims file as UTF-8",
        ) from None
    return parse_claims(text, str(path))


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOP_KEYS = {"year", "source", "claim"}
_CLAIM_KEYS = {
    "id",
    "quote",
    "source",
    "year",
    "measure",
    "op",
    "value",
    "unit",
    "than",
    "factor",
    "tolerance",
    "note",
}
_SOURCE_KEYS = {"title", "author", "date", "url"}
_MEASURE_KEYS = {
    "kind",
    "partner",
    "area",
    "perspective",
    "of",
    "to",
    "minus",
    "among",
    "by",
    "product",
    "from_year",
    "to_year",
    "order",
}


class _Where:
    """Builds the ``DataError`` for one claim: file, claim id and index, field."""

    def __init__(self, path: str, index: int | None, claim_id: str | None) -> None:
        self.path, self.index, self.claim_id = path, index, claim_id

    def error(self, key: str, message: str, hint: str | None = None) -> DataError:
        if self.index is None:
            where = f"{key}: "
        elif self.claim_id is None:
            where = f"claim #{self.index}, {key}: "
        else:
            where = f"claim {self.claim_id!r} (#{self.index}), {key}: "
        return DataError(where + message, path=self.path, hint=hint)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(where: _Where, key: str, value: object, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise where.error(key, "missing", hint=f'add {key} = "..."')
        return None
    if not isinstance(value, str) or not value.strip():
        raise where.error(key, f"must be non-empty text, not {value!r}")
    return value.strip()


def _unknown_keys(where: _Where, prefix: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise where.error(
            prefix + unknown[0], "unknown field", hint="fields: " + ", ".join(sorted(allowed))
        )


def _source(where: _Where, key: str, value: object) -> Source:
    if not isinstance(value, dict):
        raise where.error(key, "must be a table with title, author, date (and url)")
    _unknown_keys(where, key + ".", value, _SOURCE_KEYS)
    date = value.get("date")
    if date is not None and not isinstance(date, str):
        date = str(date)  # a TOML date: keep it as written
    title = _text(where, key + ".title", value.get("title"), required=True)
    assert title is not None
    return Source(
        title=title,
        author=_text(where, key + ".author", value.get("author"), required=False),
        date=_text(where, key + ".date", date, required=False),
        url=_text(where, key + ".url", value.get("url"), required=False),
    )


def _code(where: _Where, key: str, value: object, allowed: tuple[str, ...]) -> str:
    if value is None:
        raise where.error(key, "missing", hint=", ".join(allowed))
    if not isinstance(value, str) or value.strip().upper() not in allowed:
        raise where.error(key, f"{value!r} is not one of the codes", hint=", ".join(allowed))
    return value.strip().upper()


def _choice(where: _Where, key: str, value: object, allowed: tuple[str, ...], default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        raise where.error(key, f"{value!r} is not allowed", hint=", ".join(allowed))
    return value.strip().lower()


def _measure(
    where: _Where, key: str, table: object, *, operand: bool = False, growth: bool = False
) -> Measure:
    """One measure table (``operand``: inside a ratio or difference; ``growth``: inside a
    growth, where partner WLD names a republic's own world totals)."""
    if not isinstance(table, dict):
        raise where.error(
            key, "must be a table", hint='measure = { kind = "turnover", partner = "CHN", ... }'
        )
    _unknown_keys(where, key + ".", table, _MEASURE_KEYS)
    allowed = OPERAND_KINDS if operand else KINDS
    kind = table.get("kind")
    if not isinstance(kind, str) or kind.strip().lower() not in allowed:
        what = "missing" if kind is None else f"{kind!r} is not a measure kind"
        if operand and isinstance(kind, str) and kind.strip().lower() in KINDS:
            what = f"{kind!r} cannot be an operand of a ratio or difference"
        raise where.error(key + ".kind", what, hint=", ".join(allowed))
    kind = kind.strip().lower()
    product = _text(where, key + ".product", table.get("product"), required=False)
    regions = (*schema.REPUBLICS, schema.REGION)

    def refuse(*names: str) -> None:
        for name in names:
            if name in table:
                raise where.error(f"{key}.{name}", f"not used by kind {kind!r}")

    if kind in TIME_KINDS:
        from ca_trade.claims.parse_time import time_measure

        return time_measure(where, key, table, kind, refuse)
    refuse("order")
    if kind not in GROWTH_KINDS:
        refuse("from_year", "to_year")
    if kind in GROWTH_KINDS:
        return _growth_measure(where, key, table, kind, refuse)
    if kind in FLOW_KINDS:
        refuse("of", "to", "minus", "among", "by")
        partners = (*schema.PARTNERS, schema.WORLD) if growth else schema.PARTNERS
        partner = _code(where, key + ".partner", table.get("partner"), partners)
        return Measure(
            kind,
            partner=partner,
            area=_code(
                where,
                key + ".area",
                table.get("area"),
                schema.REPUBLICS if partner == schema.WORLD else regions,
            )
            if growth or not isinstance(table.get("area"), list)
            else group_area(where, key + ".area", table["area"]),
            perspective=_choice(
                where,
                key + ".perspective",
                table.get("perspective"),
                ("partner", "republic"),
                "partner",
            ),
            product=product,
        )
    if kind == "share":
        refuse("to", "minus", "among", "by", "perspective")
        return Measure(
            kind,
            partner=_code(where, key + ".partner", table.get("partner"), schema.PARTNERS),
            area=_code(where, key + ".area", table.get("area"), regions),
            share_of=_choice(where, key + ".of", table.get("of"), SHARE_OF, "trade"),
            product=product,
        )
    if kind in ("ratio", "difference"):
        other = "to" if kind == "ratio" else "minus"
        refuse("partner", "area", "among", "by", "perspective", "product")
        refuse("minus" if kind == "ratio" else "to")
        for name in ("of", other):
            if name not in table:
                raise where.error(f"{key}.{name}", "missing", hint=f"{name} = {{ kind = ... }}")
        left = _measure(where, key + ".of", table["of"], operand=True)
        right = _measure(where, f"{key}.{other}", table[other], operand=True)
        if kind == "difference" and is_share(left) != is_share(right):
            raise where.error(key, "a difference needs two amounts or two shares")
        return Measure(kind, left=left, right=right)
    refuse("of", "to", "minus", "perspective")
    among = _choice(
        where, key + ".among", table.get("among"), ("partners", "republics", "countries"), ""
    )
    if not among:
        raise where.error(key + ".among", "missing", hint="partners, republics or countries")
    area_codes = schema.REPUBLICS if among != "partners" else regions
    if among == "countries" and table.get("partner") == "EU27":
        raise where.error(key + ".partner", "the EU is not a country", hint="CHN or RUS")
    return Measure(
        kind,
        partner=_code(where, key + ".partner", table.get("partner"), schema.PARTNERS),
        area=_code(where, key + ".area", table.get("area"), area_codes),
        among=among,
        by=_choice(where, key + ".by", table.get("by"), FLOW_KINDS, "turnover"),
        product=product,
    )


def _growth_measure(
    where: _Where, key: str, table: dict[str, Any], kind: str, refuse: Callable[..., None]
) -> Measure:
    """``{ kind = "growth", of = { kind = "turnover", ... }, from_year = 2023, to_year = 2024 }``.

    ``abs_growth`` takes the same fields.
    """
    refuse("partner", "area", "to", "minus", "among", "by", "perspective", "product")
    if "of" not in table:
        raise where.error(
            key + ".of", "missing", hint='of = { kind = "turnover", partner = "CHN", area = "KAZ" }'
        )
    left = _measure(where, key + ".of", table["of"], operand=True, growth=True)
    if left.kind not in GROWTH_OF:
        raise where.error(
            key + ".of.kind",
            f"the growth of {left.kind!r} is not measured",
            hint=", ".join(GROWTH_OF),
        )
    start = _year(where, key + ".from_year", table.get("from_year"))
    end = _year(where, key + ".to_year", table.get("to_year"))
    if start is not None and end is not None and start >= end:
        raise where.error(key + ".from_year", f"{start} is not before to_year {end}")
    return Measure(kind, left=left, from_year=start, to_year=end)


_UNITS_BY_KIND = {
    "amount": tuple(AMOUNT_UNITS),
    "share": ("%",),
    "ratio": ("x", "%"),
    "rank": ("rank",),
    "growth": ("%",),
}


def _unit(where: _Where, value: object, measure: Measure) -> str | None:
    kind = value_kind(measure)
    allowed = _UNITS_BY_KIND[kind]
    if value is None:
        if kind == "amount":
            raise where.error("unit", "missing for an amount", hint=", ".join(allowed))
        return None
    if isinstance(value, str):
        normal = " ".join(value.split())
        for candidate in allowed:
            if normal.lower() == candidate.lower():
                return candidate
    raise where.error("unit", f"{value!r} does not fit {a_noun(kind)}", hint=", ".join(allowed))


_TOLERANCE_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def _tolerance(where: _Where, value: object) -> Tolerance:
    if _is_number(value):
        assert isinstance(value, int | float)
        if value < 0:
            raise where.error("tolerance", f"{value!r} is negative")
        return Tolerance(float(value), relative=False, text=f"±{value:g}")
    if isinstance(value, str):
        match = _TOLERANCE_PERCENT.match(value)
        if match:
            return Tolerance(float(match.group(1)), relative=True, text=f"±{match.group(1)}%")
    raise where.error(
        "tolerance",
        f"{value!r} is not a tolerance",
        hint='a number in the claim\'s unit (tolerance = 0.5) or a percentage (tolerance = "5%")',
    )


def _year(where: _Where, key: str, value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1900 <= value <= 2100:
        raise where.error(key, f"{value!r} is not a four-digit year")
    return value


def _claim(
    path: str, index: int, table: object, default_source: Source | None, default_year: int | None
) -> Claim:
    where = _Where(path, index, None)
    if not isinstance(table, dict):
        raise where.error("claim", "must be a table ([[claim]])")
    raw_id = table.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    claim_id = _text(where, "id", raw_id, required=True)
    assert claim_id is not None
    where = _Where(path, index, claim_id)
    _unknown_keys(where, "", table, _CLAIM_KEYS)
    quote = _text(where, "quote", table.get("quote"), required=True)
    assert quote is not None
    if "source" in table:
        source = _source(where, "source", table["source"])
    elif default_source is not None:
        source = default_source
    else:
        raise where.error("source", "missing", hint="add [source] at the top or source = {...}")
    if "measure" not in table:
        raise where.error("measure", "missing", hint='measure = { kind = "turnover", ... }')
    measure = _measure(where, "measure", table["measure"])
    raw_op = table.get("op")
    if raw_op is None:
        raise where.error("op", "missing", hint=" ".join(OPS))
    op = OP_ALIASES.get(raw_op, raw_op) if isinstance(raw_op, str) else raw_op
    if op not in OPS:
        raise where.error("op", f"{raw_op!r} is not a comparison", hint=" ".join(OPS))
    has_value, has_than = "value" in table, "than" in table
    if has_value == has_than:
        what = "give value or than, not both" if has_value else "missing (and no than)"
        raise where.error(
            "value", what, hint="value = 95 with unit, or than = { kind = ... } (another measure)"
        )
    value: float | None = None
    upper: float | None = None
    than: Measure | None = None
    if op == "between":
        if not has_value:
            raise where.error("value", "between needs value = [low, high]", hint="value = [-5, 0]")
        value, upper = _range(where, table["value"])
    elif has_value:
        raw_value = table["value"]
        if not _is_number(raw_value):
            hint = 'op = "between" for a range' if isinstance(raw_value, list) else None
            raise where.error("value", f"{raw_value!r} is not a number", hint=hint)
        value = float(raw_value)
        if measure.kind == "rank" and (value != int(value) or not 1 <= value):
            raise where.error("value", f"{raw_value!r} is not a rank (1, 2, 3, ...)")
    else:
        than = _measure(where, "than", table["than"])
        if value_kind(than) != value_kind(measure):
            raise where.error(
                "than",
                f"compares {a_noun(value_kind(measure))} with {a_noun(value_kind(than))}",
                hint="than must be the same kind of value as measure",
            )
        if measure.kind == "rank":
            raise where.error("than", "a rank is compared with a number", hint="value = 1")
    unit = _unit(where, table.get("unit"), measure) if has_value or "unit" in table else None
    if unit is not None and measure.kind == "ratio":
        measure = replace(measure, percent=unit == "%")
        if than is not None and than.kind == "ratio":
            than = replace(than, percent=unit == "%")
    factor = 1.0
    if "factor" in table:
        if not has_than:
            raise where.error("factor", "only used with than", hint="factor = 2 for 'double'")
        if not _is_number(table["factor"]) or table["factor"] <= 0:
            raise where.error("factor", f"{table['factor']!r} is not a positive number")
        factor = float(table["factor"])
    tolerance: Tolerance | None = None
    if op == "≈":
        if "tolerance" not in table:
            raise where.error(
                "tolerance", "missing: ≈ needs one", hint='tolerance = "5%" or tolerance = 0.5'
            )
        tolerance = _tolerance(where, table["tolerance"])
        if not tolerance.relative and value_kind(measure) == "amount" and unit is None:
            raise where.error(
                "tolerance",
                "an absolute tolerance on amounts needs a unit",
                hint='unit = "USD bn", or a relative tolerance such as "5%"',
            )
    elif "tolerance" in table:
        raise where.error("tolerance", f"only used with ≈, not {op}")
    return Claim(
        id=claim_id,
        index=index,
        quote=quote,
        source=source,
        measure=measure,
        op=op,
        value=value,
        unit=unit,
        than=than,
        factor=factor,
        tolerance=tolerance,
        year=_year(where, "year", table.get("year")) or default_year,
        note=_text(where, "note", table.get("note"), required=False),
        upper=upper,
    )


def _range(where: _Where, raw: object) -> tuple[float, float]:
    """``value = [low, high]`` for ``op = "between"``: two numbers, low < high."""
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or not all(_is_number(v) for v in raw)
        or not float(raw[0]) < float(raw[1])
    ):
        raise where.error(
            "value", f"{raw!r} is not a range [low, high] with low < high", hint="value = [-5, 0]"
        )
    return float(raw[0]), float(raw[1])


def parse_claims(text: str, path: str) -> ClaimSet:
    """Parse and validate a claims file's text; ``path`` names it in errors.

    Raises ``DataError`` with the file, the claim (id and index) and the field.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        match = _TOML_WHERE.search(message)
        line = int(match.group(1)) if match else None
        raise DataError(
            "TOML syntax error: "
            + _TOML_WHERE.sub("", message)
            + (f" (column {match.group(2)})" if match else ""),
            path=path,
            line=line,
            hint="see the claims file format in docs/claims.md of the ca-trade source",
        ) from None
    top = _Where(path, None, None)
    _unknown_keys(top, "", document, _TOP_KEYS)
    default_source = _source(top, "source", document["source"]) if "source" in document else None
    default_year = _year(top, "year", document.get("year"))
    tables = document.get("claim")
    if not isinstance(tables, list) or not tables:
        raise top.error("claim", "no [[claim]] tables", hint="add at least one [[claim]]")
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        claim = _claim(path, index, table, default_source, default_year)
        if claim.id in seen:
            raise _Where(path, index, claim.id).error(
                "id", f"duplicate of claim #{seen[claim.id]}", hint="give each claim its own id"
            )
        seen[claim.id] = index
        claims.append(claim)
    return ClaimSet(path=path, claims=tuple(claims))
