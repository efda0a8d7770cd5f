"""Published claims about trade figures, tested against the data: parse, validate, evaluate.

A claims file is TOML (format in the README, under "ca-trade check"): ``[[claim]]`` tables, each
with an ``id``, the ``quote``, a source, a ``measure`` in the tool's own terms, an ``op`` and
either a ``value`` (with its ``unit``) or another measure (``than``). ``parse_claims`` turns the
text into ``Claim`` objects or raises ``DataError`` naming the file, the claim and the field.

``evaluate`` tests every claim on every basis the data allow. It runs the SAME computations as
the other commands (``compute.balance`` for flows and balances, ``compute.compare`` for the
partners' ranking, ``compute.shares`` for shares) once with each basis rule, ``partner`` and
``republic``, and labels each result by whose statistics actually went into it: ``partner``,
``republic``, or ``mixed`` when the arithmetic combines both sides (e.g. China's customs figure
over a republic's own world total). One verdict per claim follows from those results.

Pure functions, no printing.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from ca_trade import compute, schema
from ca_trade.errors import DataError
from ca_trade.figures import Basis

BUILTIN_NAME = "dragons_soft_power.toml"

FLOW_KINDS = ("turnover", "exports", "imports", "balance")
OPERAND_KINDS = (*FLOW_KINDS, "share")
KINDS = (*FLOW_KINDS, "share", "ratio", "difference", "rank")
SHARE_OF = ("trade", "imports", "exports")
OPS = (">", ">=", "<", "<=", "≈", "=")
OP_CODES = {">": "gt", ">=": "ge", "<": "lt", "<=": "le", "≈": "approx", "=": "eq"}
OP_ALIASES = {"~": "≈", "~=": "≈", "approx": "≈", "==": "=", "≥": ">=", "≤": "<="}
AMOUNT_UNITS = {"USD bn": ("USD", 1000.0), "USD m": ("USD", 1.0)}
AMOUNT_UNITS |= {"EUR bn": ("EUR", 1000.0), "EUR m": ("EUR", 1.0)}
RULES: tuple[Basis, ...] = ("partner", "republic")

HOLDS, FAILS, DEPENDS, NOT_CHECKABLE = "holds", "fails", "depends on basis", "not checkable"

CHECK_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "claim_index": pl.Int64,
    "claim_id": pl.String,
    "year": pl.Int64,
    "statistics": pl.String,
    "basis_rule": pl.String,
    "test": pl.String,
    "op": pl.String,
    "unit": pl.String,
    "claimed_value": pl.Float64,
    "computed_value": pl.Float64,
    "than_value": pl.Float64,
    "tolerance_value": pl.Float64,
    "result": pl.String,
    "verdict": pl.String,
    "verdict_detail": pl.String,
    "reporters": pl.String,
    "coverage": pl.String,
    "computed_derived": pl.Boolean,
    "computed_missing_reason": pl.String,
    "computed_source_lines": pl.List(pl.Int64),
    "quote": pl.String,
    "source_title": pl.String,
    "source_author": pl.String,
    "source_date": pl.String,
    "source_url": pl.String,
    "note": pl.String,
}


# ------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Measure:
    """One of the tool's measures. Which fields matter depends on ``kind``.

    Flows (turnover, exports, imports, balance): ``partner``, ``area``, ``perspective``
    (``partner``: the partner's exports/imports/balance, as everywhere in ca-trade; ``republic``:
    the republic's). Share: ``partner``'s share of ``area``'s ``share_of`` (trade, imports,
    exports). Ratio and difference: ``left`` ÷ or − ``right``. Rank: ``partner`` among the
    partners for ``area`` (``among="partners"``) or ``area`` among the five for ``partner``
    (``among="republics"``), by ``by``. ``product`` names goods the data do not break out.
    """

    kind: str
    partner: str | None = None
    area: str | None = None
    perspective: str = "partner"
    share_of: str | None = None
    among: str | None = None
    by: str = "turnover"
    product: str | None = None
    left: Measure | None = None
    right: Measure | None = None
    percent: bool = False  # ratio expressed in % rather than as a plain ratio


@dataclass(frozen=True)
class Source:
    """Where a claim was published."""

    title: str
    author: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Tolerance:
    """For ``≈``: ``amount`` in the claim's unit (absolute) or percent of the target (relative)."""

    amount: float
    relative: bool
    text: str


@dataclass(frozen=True)
class Claim:
    """One testable claim: ``measure op value`` (in ``unit``) or ``measure op factor × than``."""

    id: str
    index: int
    quote: str
    source: Source
    measure: Measure
    op: str
    value: float | None = None
    unit: str | None = None
    than: Measure | None = None
    factor: float = 1.0
    tolerance: Tolerance | None = None
    year: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class ClaimSet:
    """The claims of one file, and the file's name for messages."""

    path: str
    claims: tuple[Claim, ...]


# ------------------------------------------------------------------------------- reading


def builtin_text() -> tuple[str, str]:
    """The built-in claim set (the article), packaged in the wheel: (display name, text)."""
    resource = resources.files("ca_trade") / "claims" / BUILTIN_NAME
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


def _measure(where: _Where, key: str, table: object, *, operand: bool = False) -> Measure:
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

    if kind in FLOW_KINDS:
        refuse("of", "to", "minus", "among", "by")
        return Measure(
            kind,
            partner=_code(where, key + ".partner", table.get("partner"), schema.PARTNERS),
            area=_code(where, key + ".area", table.get("area"), regions),
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
        if kind == "difference" and _is_share(left) != _is_share(right):
            raise where.error(key, "a difference needs two amounts or two shares")
        return Measure(kind, left=left, right=right)
    refuse("of", "to", "minus", "perspective")
    among = _choice(where, key + ".among", table.get("among"), ("partners", "republics"), "")
    if not among:
        raise where.error(key + ".among", "missing", hint="partners or republics")
    area_codes = schema.REPUBLICS if among == "republics" else regions
    return Measure(
        kind,
        partner=_code(where, key + ".partner", table.get("partner"), schema.PARTNERS),
        area=_code(where, key + ".area", table.get("area"), area_codes),
        among=among,
        by=_choice(where, key + ".by", table.get("by"), FLOW_KINDS, "turnover"),
        product=product,
    )


def _is_share(measure: Measure) -> bool:
    return measure.kind == "share" or (
        measure.kind == "difference" and measure.left is not None and _is_share(measure.left)
    )


def value_kind(measure: Measure) -> str:
    """What a measure's value is: ``amount``, ``share``, ``ratio`` or ``rank``."""
    if measure.kind in FLOW_KINDS:
        return "amount"
    if measure.kind == "difference":
        return "share" if _is_share(measure) else "amount"
    return measure.kind if measure.kind != "share" else "share"


_UNITS_BY_KIND = {
    "amount": tuple(AMOUNT_UNITS),
    "share": ("%",),
    "ratio": ("x", "%"),
    "rank": ("rank",),
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
    raise where.error("unit", f"{value!r} does not fit {_a(kind)}", hint=", ".join(allowed))


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


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
    than: Measure | None = None
    if has_value:
        raw_value = table["value"]
        if not _is_number(raw_value):
            raise where.error("value", f"{raw_value!r} is not a number")
        value = float(raw_value)
        if measure.kind == "rank" and (value != int(value) or not 1 <= value):
            raise where.error("value", f"{raw_value!r} is not a rank (1, 2, 3, ...)")
    else:
        than = _measure(where, "than", table["than"])
        if value_kind(than) != value_kind(measure):
            raise where.error(
                "than",
                f"compares {_a(value_kind(measure))} with {_a(value_kind(than))}",
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
    )


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
            hint="see the claims file format in the README",
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


# ------------------------------------------------------------------------------- describing


_FLOW_WORDS = {"exports": "exports to", "imports": "imports from", "balance": "balance with"}


def describe(measure: Measure) -> str:
    """A measure in words, e.g. 'CHN–CA5 turnover', 'CHN share of UZB imports'."""
    product = f" ({measure.product})" if measure.product else ""
    if measure.kind == "turnover":
        return f"{measure.partner}–{measure.area} turnover{product}"
    if measure.kind in FLOW_KINDS:
        subject, other = measure.partner, measure.area
        if measure.perspective == "republic":
            subject, other = other, subject
        return f"{subject} {_FLOW_WORDS[measure.kind]} {other}{product}"
    if measure.kind == "share":
        return f"{measure.partner} share of {measure.area} {measure.share_of}{product}"
    if measure.kind in ("ratio", "difference"):
        assert measure.left is not None and measure.right is not None
        sign = "÷" if measure.kind == "ratio" else "−"
        return f"({describe(measure.left)}) {sign} ({describe(measure.right)})"
    if measure.among == "partners":
        return f"rank of {measure.partner} among CHN/EU27/RUS for {measure.area} by {measure.by}"
    return f"rank of {measure.area} among the five for {measure.partner} by {measure.by}"


def describe_test(claim: Claim) -> str:
    """The claim's test in words, e.g. 'CHN–CA5 turnover ≈ 95 USD bn (±5%)'."""
    tolerance = f" ({claim.tolerance.text})" if claim.tolerance else ""
    if claim.than is not None:
        times = "" if claim.factor == 1 else f"{claim.factor:g} × "
        return f"{describe(claim.measure)} {claim.op} {times}{describe(claim.than)}{tolerance}"
    assert claim.value is not None
    if claim.measure.kind == "rank":
        return f"{describe(claim.measure)} {claim.op} {claim.value:g}"
    unit = "" if claim.unit in (None, "%", "x") else " " + str(claim.unit)
    symbol = {"%": "%", "x": "×"}.get(claim.unit or "", "")
    return f"{describe(claim.measure)} {claim.op} {claim.value:g}{symbol}{unit}{tolerance}"


# ------------------------------------------------------------------------------- evaluating


@dataclass
class Value:
    """A measure's value on one basis rule, with what went into it."""

    value: float | None
    sides: set[str] = field(default_factory=set)
    reporters: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    derived: bool = False

    def merged(self, other: Value, value: float | None) -> Value:
        return Value(
            value,
            self.sides | other.sides,
            self.reporters + other.reporters,
            self.coverage + other.coverage,
            self.missing + other.missing,
            sorted(set(self.lines + other.lines)),
            self.derived or other.derived,
        )


def _side_of(code: str) -> str:
    return "partner" if code in schema.PARTNERS else "republic"


def _codes(reporter: object) -> list[str]:
    if not isinstance(reporter, str) or not reporter:
        return []
    return [c for c in reporter.split(",") if c]


_PARTIAL = re.compile(r"(\d)/(\d) republics with both")


def _is_partial(coverage: object) -> bool:
    if not isinstance(coverage, str):
        return False
    if "partial" in coverage:
        return True
    match = _PARTIAL.search(coverage)
    return bool(match) and match.group(1) != match.group(2)  # type: ignore[union-attr]


class _Frames:
    """The computations' frames, each computed once per (basis rule, ...)."""

    def __init__(self, trade: pl.DataFrame, currency: str, rates: dict[int, float]) -> None:
        self.trade, self.currency, self.rates = trade, currency, rates
        self.unit = compute.unit_suffix(currency)
        self._cache: dict[tuple[object, ...], pl.DataFrame] = {}

    def balance(self, rule: Basis, year: int, perspective: str) -> pl.DataFrame:
        key = ("balance", rule, year, perspective)
        if key not in self._cache:
            self._cache[key] = compute.balance(
                self.trade,
                basis=rule,
                currency=self.currency,
                rates=self.rates,
                year=year,
                perspective=perspective,
            )
        return self._cache[key]

    def compare(self, rule: Basis, year: int, area: str) -> pl.DataFrame:
        key = ("compare", rule, year, area)
        if key not in self._cache:
            self._cache[key] = compute.compare(
                self.trade,
                basis=rule,
                currency=self.currency,
                rates=self.rates,
                year=year,
                area=area,
            )
        return self._cache[key]

    def shares(self, rule: Basis, year: int) -> pl.DataFrame:
        key = ("shares", rule, year)
        if key not in self._cache:
            self._cache[key] = compute.shares(
                self.trade, basis=rule, currency=self.currency, rates=self.rates, year=year
            )
        return self._cache[key]


def _one(frame: pl.DataFrame, **equal: str) -> dict[str, Any]:
    rows = frame.filter(*[pl.col(k) == v for k, v in equal.items()]).to_dicts()
    assert len(rows) == 1, (equal, len(rows))
    return rows[0]


def _flow_value(row: dict[str, Any], measure_name: str, unit: str, label: str) -> Value:
    """A flow or balance from a ``compute.balance``/``compare`` row."""
    parts = ("exports", "imports") if measure_name == "balance" else (measure_name,)
    reporters = [c for part in parts for c in _codes(row.get(f"{part}_reporter"))]
    value = row.get(measure_name + unit)
    coverage = row.get(f"{measure_name}_coverage")
    out = Value(
        value if isinstance(value, float) else None,
        sides={_side_of(c) for c in reporters},
        reporters=[f"{label}: {','.join(dict.fromkeys(reporters))}"] if reporters else [],
        coverage=[f"{label}: {coverage}"] if coverage else [],
        lines=list(row.get(f"{measure_name}_source_lines") or []),
        derived=bool(row.get(f"{measure_name}_derived")),
    )
    if out.value is None:
        out.missing.append(str(row.get(f"{measure_name}_missing_reason") or f"{label}: missing"))
    elif any(_is_partial(row.get(f"{part}_coverage")) for part in (*parts, measure_name)):
        out.missing.append(f"{label} covers only part of the five ({coverage})")
    return out


def _measure_value(frames: _Frames, measure: Measure, rule: Basis, year: int) -> Value:
    u = frames.unit
    label = describe(measure)
    if measure.kind in FLOW_KINDS:
        frame = frames.balance(rule, year, measure.perspective)
        row = _one(frame, partner=str(measure.partner), area=str(measure.area))
        out = _flow_value(row, measure.kind, u, label)
    elif measure.kind == "share":
        out = _share_value(frames, measure, rule, year, label)
    elif measure.kind in ("ratio", "difference"):
        assert measure.left is not None and measure.right is not None
        a = _measure_value(frames, measure.left, rule, year)
        b = _measure_value(frames, measure.right, rule, year)
        result: float | None = None
        if a.value is not None and b.value is not None:
            if measure.kind == "difference":
                result = a.value - b.value
            elif b.value != 0:
                result = a.value / b.value * (100.0 if measure.percent else 1.0)
        out = a.merged(b, result)
        if result is None and a.value is not None and b.value is not None:
            out.missing.append(f"{describe(measure.right)} is zero")
    else:
        out = _rank_value(frames, measure, rule, year)
    if measure.product:
        out.missing.insert(
            0,
            f"no product data: the data hold merchandise totals only, not {measure.product} "
            f"({label})",
        )
    return out


def _share_value(frames: _Frames, measure: Measure, rule: Basis, year: int, label: str) -> Value:
    of = str(measure.share_of)
    frame = frames.shares(rule, year)
    row = _one(frame, partner=str(measure.partner), area=str(measure.area))
    value = row.get(f"{of}_share_pct")
    numerator = _codes(row.get(f"{of}_reporter"))
    has_world = row.get(f"world_{of}{frames.unit}") is not None
    sides = {_side_of(c) for c in numerator} | ({"republic"} if has_world else set())
    coverage = row.get(f"{of}_coverage")
    who = ",".join(numerator) or "—"
    if not has_world:
        denominator = "— (no world total)"
    elif measure.area == schema.REGION:
        denominator = "the republics' own world totals"
    else:
        denominator = f"{measure.area}'s own world total"
    out = Value(
        value if isinstance(value, float) else None,
        sides=sides,
        reporters=[f"{label}: {who} ÷ {denominator}"],
        coverage=[f"{label}: {coverage}"] if coverage else [],
        lines=list(row.get(f"{of}_source_lines") or []),
        derived=bool(row.get(f"{of}_derived")),
    )
    if out.value is None:
        out.missing.append(str(row.get(f"{of}_missing_reason") or f"{label}: missing"))
    elif _is_partial(coverage):
        missing = [
            str(r[f"{of}_missing_reason"])
            for r in frame.filter(
                (pl.col("partner") == measure.partner)
                & pl.col("area").is_in(schema.REPUBLICS)
                & pl.col(f"{of}_share_pct").is_null()
            ).to_dicts()
        ]
        out.missing.append(
            f"{label} covers only {coverage}; missing: " + "; ".join(missing or ["?"])
        )
    return out


def _rank_value(frames: _Frames, measure: Measure, rule: Basis, year: int) -> Value:
    u = frames.unit
    by = measure.by
    if measure.among == "partners":
        frame = frames.compare(rule, year, str(measure.area))
        subject, key = str(measure.partner), "partner"
    else:
        frame = frames.balance(rule, year, "partner").filter(
            (pl.col("partner") == measure.partner) & pl.col("area").is_in(schema.REPUBLICS)
        )
        subject, key = str(measure.area), "area"
    parts = [
        _flow_value(
            row,
            by,
            u,
            f"{row['partner']}–{row['area']} {by}",
        )
        for row in frame.to_dicts()
    ]
    merged = Value(None)
    for part in parts:
        merged = merged.merged(part, None)
    values = {row[key]: part.value for row, part in zip(frame.to_dicts(), parts, strict=True)}
    mine = values.get(subject)
    if merged.missing or mine is None:
        merged.value = None
        if not merged.missing:
            merged.missing.append(f"no {by} figure for {subject}")
        return merged
    if measure.among == "partners" and by == "turnover":
        rank = _one(frame, partner=subject)["rank"]  # compare's own ranking
    else:
        rank = 1 + sum(1 for v in values.values() if v is not None and v > mine)
    merged.value = float(rank)
    return merged


@dataclass
class _Row:
    rule: str
    label: str
    computed: Value
    target: Value | None
    claimed: float | None
    tolerance: float | None
    result: str


def _claimed_in_unit(claim: Claim, currency: str, rates: dict[int, float], year: int) -> float:
    assert claim.value is not None
    if claim.unit in AMOUNT_UNITS:
        claim_currency, scale = AMOUNT_UNITS[claim.unit]
        value = claim.value * scale
        if claim_currency != currency:
            rate = rates[year]
            value = value * rate if currency == "USD" else value / rate
        return value
    return claim.value


def _tolerance_in_unit(
    claim: Claim, target: float, currency: str, rates: dict[int, float], year: int
) -> float | None:
    if claim.tolerance is None:
        return None
    if claim.tolerance.relative:
        return abs(target) * claim.tolerance.amount / 100
    if claim.unit in AMOUNT_UNITS:
        return abs(
            _claimed_in_unit(replace(claim, value=claim.tolerance.amount), currency, rates, year)
        )
    return claim.tolerance.amount


def compare_values(op: str, computed: float, target: float, tolerance: float | None) -> bool:
    """Whether ``computed op target`` holds (``≈``: within ``tolerance``; ``=``: exactly)."""
    if op == ">":
        return computed > target
    if op == ">=":
        return computed >= target
    if op == "<":
        return computed < target
    if op == "<=":
        return computed <= target
    if op == "≈":
        return abs(computed - target) <= (tolerance or 0.0) + 1e-9 * max(1.0, abs(target))
    return math.isclose(computed, target, rel_tol=1e-12, abs_tol=1e-12)


def _evaluate_rule(
    frames: _Frames, claim: Claim, rule: Basis, year: int
) -> tuple[Value, Value | None, float | None, float | None, str]:
    computed = _measure_value(frames, claim.measure, rule, year)
    target: Value | None = None
    if claim.than is not None:
        target = _measure_value(frames, claim.than, rule, year)
        goal = None if target.value is None else target.value * claim.factor
        claimed = None
    else:
        claimed = _claimed_in_unit(claim, frames.currency, frames.rates, year)
        goal = claimed
    tolerance = (
        None
        if goal is None
        else _tolerance_in_unit(claim, goal, frames.currency, frames.rates, year)
    )
    missing = computed.missing + (target.missing if target else [])
    if missing or computed.value is None or goal is None:
        result = NOT_CHECKABLE
    else:
        result = HOLDS if compare_values(claim.op, computed.value, goal, tolerance) else FAILS
    return computed, target, claimed, tolerance, result


def _label(computed: Value, target: Value | None, rule: str) -> str:
    sides = computed.sides | (target.sides if target else set())
    if not sides:
        return rule
    return sides.pop() if len(sides) == 1 else "mixed"


def _verdict(rows: list[_Row]) -> tuple[str, str]:
    checked = [r for r in rows if r.result != NOT_CHECKABLE]
    if not checked:
        reasons = dict.fromkeys(m for r in rows for m in _missing(r))
        return NOT_CHECKABLE, "; ".join(reasons) or "no figure"

    def on(result: str) -> str:
        return " and ".join(dict.fromkeys(r.label for r in checked if r.result == result))

    results = {r.result for r in checked}
    skipped = "".join(
        f"; not checkable on {r.label}: {'; '.join(_missing(r))}"
        for r in rows
        if r.result == NOT_CHECKABLE
    )
    if results == {HOLDS}:
        return HOLDS, f"holds on {on(HOLDS)}{skipped}"
    if results == {FAILS}:
        return FAILS, f"fails on {on(FAILS)}{skipped}"
    return DEPENDS, f"holds on {on(HOLDS)}; fails on {on(FAILS)}{skipped}"


def _missing(row: _Row) -> list[str]:
    return row.computed.missing + (row.target.missing if row.target else [])


def evaluate(
    claim_set: ClaimSet,
    trade: pl.DataFrame,
    *,
    currency: str,
    rates: dict[int, float],
    year: int,
) -> pl.DataFrame:
    """Test every claim on every basis the data allow; one row per claim and basis.

    Takes the claims and the loader's frame; ``year`` is the default for claims that name none.
    Returns ``CHECK_SCHEMA``'s columns: claim_index, claim_id, year, statistics (whose the
    figures are: partner, republic or mixed), basis_rule (the rule(s) that produced the row),
    test, op (gt, ge, lt, le, approx, eq), unit (``usd_m``/``eur_m`` millions of
    ``currency``, ``pct``, ``ratio``, ``rank``), claimed_value,
    computed_value, than_value (the other measure × factor), tolerance_value (absolute, in
    unit), result (holds / fails / not checkable on this basis), verdict and verdict_detail (the
    claim's, on every row), reporters, coverage, computed_derived, computed_missing_reason,
    computed_source_lines (data-file lines behind the computed and compared values), quote and
    source_title/author/date/url, note.
    """
    frames = _Frames(trade, currency, rates)
    years = set(trade.get_column("year").unique().to_list())
    unit_of = {"amount": currency.lower() + "_m", "share": "pct", "rank": "rank"}
    records: list[dict[str, Any]] = []
    for claim in claim_set.claims:
        claim_year = claim.year or year
        rows: list[_Row] = []
        if claim_year not in years:
            reason = (
                f"no data for {claim_year} (the data hold {', '.join(map(str, sorted(years)))})"
            )
            claimed = (
                _claimed_in_unit(claim, currency, rates, claim_year)
                if claim.value is not None
                and (claim.unit not in AMOUNT_UNITS or claim_year in rates)
                else None
            )
            rows.append(
                _Row(
                    "partner,republic",
                    "—",
                    Value(None, missing=[reason]),
                    None,
                    claimed,
                    None,
                    NOT_CHECKABLE,
                )
            )
        else:
            for rule in RULES:
                computed, target, claimed, tolerance, result = _evaluate_rule(
                    frames, claim, rule, claim_year
                )
                label = _label(computed, target, rule)
                same = next(
                    (
                        r
                        for r in rows
                        if r.label == label
                        and r.computed.value == computed.value
                        and (r.target.value if r.target else None)
                        == (target.value if target else None)
                    ),
                    None,
                )
                if same is not None:
                    same.rule += "," + rule
                    continue
                rows.append(_Row(rule, label, computed, target, claimed, tolerance, result))
        verdict, detail = _verdict(rows)
        kind = value_kind(claim.measure)
        if kind == "ratio":
            unit = "pct" if claim.measure.percent else "ratio"
        else:
            unit = unit_of[kind]
        for row in rows:
            both = row.computed if row.target is None else row.computed.merged(row.target, None)
            records.append(
                {
                    "claim_index": claim.index,
                    "claim_id": claim.id,
                    "year": claim_year,
                    "statistics": row.label,
                    "basis_rule": row.rule,
                    "test": describe_test(claim),
                    "op": OP_CODES[claim.op],
                    "unit": unit,
                    "claimed_value": row.claimed,
                    "computed_value": row.computed.value,
                    "than_value": (
                        None
                        if row.target is None or row.target.value is None
                        else row.target.value * claim.factor
                    ),
                    "tolerance_value": row.tolerance,
                    "result": row.result,
                    "verdict": verdict,
                    "verdict_detail": detail,
                    "reporters": "; ".join(dict.fromkeys(both.reporters)) or None,
                    "coverage": "; ".join(dict.fromkeys(both.coverage)) or None,
                    "computed_derived": both.derived,
                    "computed_missing_reason": "; ".join(dict.fromkeys(both.missing)) or None,
                    "computed_source_lines": both.lines,
                    "quote": claim.quote,
                    "source_title": claim.source.title,
                    "source_author": claim.source.author,
                    "source_date": claim.source.date,
                    "source_url": claim.source.url,
                    "note": claim.note,
                }
            )
    return pl.DataFrame(records, schema=CHECK_SCHEMA)


def all_hold(result: pl.DataFrame) -> bool:
    """True when every checkable claim holds (the exit status of ``check``).

    Takes ``evaluate``'s frame; a claim that fails or depends on basis makes it False.
    """
    return result.filter(pl.col("verdict").is_in([FAILS, DEPENDS])).height == 0


def verdicts(result: pl.DataFrame) -> pl.DataFrame:
    """One row per claim: claim_index, claim_id, test, verdict, verdict_detail.

    Takes ``evaluate``'s frame.
    """
    return (
        result.group_by("claim_index", maintain_order=True)
        .first()
        .select("claim_index", "claim_id", "test", "verdict", "verdict_detail")
    )
