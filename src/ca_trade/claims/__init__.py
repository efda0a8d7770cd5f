"""Published claims about trade figures, tested against the data: parse, validate, evaluate.

A claims file is TOML (format in docs/claims.md): ``[[claim]]`` tables, each
with an ``id``, the ``quote``, a source, a ``measure`` in the tool's own terms, an ``op`` and
either a ``value`` (with its ``unit``) or another measure (``than``). The built-in claim set,
``dragons_soft_power.toml``, lives beside this package's modules and ships in the wheel.

- ``model``: the dataclasses and the words for them (``describe``, ``describe_test``);
- ``parse``: reading and validation (``read_claims``, ``parse_claims``);
- ``values``: each measure's value on one basis rule, with the interval the data allow;
- ``checking``: the tests against the data (``evaluate``, ``all_hold``, ``verdicts``), loaded
  on first use (they need Polars; reading and drafting claims do not).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ca_trade.claims.model import (
    AMOUNT_UNITS,
    BUILTIN_NAME,
    DEPENDS,
    FAILS,
    HOLDS,
    KINDS,
    MIXED,
    NOT_CHECKABLE,
    NOT_DECIDABLE,
    OPS,
    VERDICTS,
    Claim,
    ClaimSet,
    Measure,
    Source,
    Tolerance,
    describe,
    describe_test,
    value_kind,
)
from ca_trade.claims.parse import builtin_text, parse_claims, read_claims

if TYPE_CHECKING:
    from ca_trade.claims.checking import (
        CHECK_SCHEMA,
        all_hold,
        compare_values,
        decide,
        evaluate,
        verdicts,
    )
    from ca_trade.claims.values import Value

# Testing claims needs Polars; reading and drafting them does not: these load when first used.
_LAZY = {
    "CHECK_SCHEMA": "checking",
    "all_hold": "checking",
    "compare_values": "checking",
    "decide": "checking",
    "evaluate": "checking",
    "verdicts": "checking",
    "Value": "values",
}


def __getattr__(name: str) -> object:
    """The names that need Polars, imported on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"ca_trade.claims.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'ca_trade.claims' has no attribute {name!r}")


__all__ = [
    "AMOUNT_UNITS",
    "BUILTIN_NAME",
    "CHECK_SCHEMA",
    "DEPENDS",
    "FAILS",
    "HOLDS",
    "KINDS",
    "MIXED",
    "NOT_CHECKABLE",
    "NOT_DECIDABLE",
    "VERDICTS",
    "OPS",
    "Claim",
    "ClaimSet",
    "Measure",
    "Source",
    "Tolerance",
    "Value",
    "all_hold",
    "builtin_text",
    "compare_values",
    "decide",
    "describe",
    "describe_test",
    "evaluate",
    "parse_claims",
    "read_claims",
    "value_kind",
    "verdicts",
]
