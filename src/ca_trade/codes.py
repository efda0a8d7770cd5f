"""Which reporter and partner codes a data file may hold, and the closest known code to a typo.

A code is known when it is one of:

1. ca-trade's own codes: the five republics (KAZ KGZ TJK TKM UZB), their partners CHN and RUS,
   and the aggregates EU27 (the European Union of 27), CA5 (the five republics together) and WLD
   (the World).
2. A current ISO 3166-1 alpha-3 code (249 codes), from the maintained list in the ``pycountry``
   package (its ``iso3166-1.json``), read only when a code outside (1) and (4) needs looking up.
3. A formerly used ISO 3166-1 alpha-3 code (ISO 3166-3, e.g. SUN USSR, YUG Yugoslavia, SCG Serbia
   and Montenegro, ANT Netherlands Antilles, CSK Czechoslovakia, DDR German Democratic Republic),
   from ``pycountry``'s ``iso3166-3.json``: Comtrade keeps them for the years they were in use.
4. The special area codes that ``ca-trade import --all-countries`` can write from UN Comtrade
   (``reporterISO``/``partnerISO``): Comtrade's own codes for areas that are not ISO 3166
   countries. ``import`` keeps a code of three capitals or digits starting with a capital, so of
   Comtrade's special codes these are the ones it can write (``SPECIAL``):

   - ``S19`` Other Asia, not elsewhere specified (nes): in practice Taiwan (Comtrade area 490);
   - ``E19``, ``E29``, ``F19``, ``F49``, ``F97``, ``O19``, ``A49``, ``A59``, ``A79``, ``R20``,
     ``R91``: Comtrade's regional "nes" areas (trade whose partner is known only by region, as
     Other Europe nes, Europe EFTA nes, Other Africa nes, Oceania nes);
   - ``ZA1`` the Southern African Customs Union, under which Comtrade files South Africa's
     older reports;
   - ``EUR`` the European Union as a Comtrade reporter (ca-trade's own code for it is EU27).

   The list of Comtrade's special codes is the one the Harvard Growth Lab's Comtrade downloader
   keeps (``NES_COUNTRIES``, ``EXCL_REPORTER_GROUPS``, and its note on ZA1); S19 for Taiwan is
   also in ``reference/import_formats.md``. Which region each regional code stands for is not
   checked here. Comtrade's other special areas (``_X`` Areas nes, ``X1``, ``X2``, ``XX``
   (bunkers, free zones, special categories), ``_AC``, ``W00`` World) are never written: World
   becomes WLD, and the rest are not three capitals, so ``import`` reports them as codes that are
   not countries and leaves them out. IMF IMTS writes ISO 3166 codes (its country groups, like
   ``G001``, have four characters and are left out the same way); Comext and BACI codes go
   through a code table to ISO codes.

Anything else in a data file is an ``unknown-code`` problem (exit 65) with the closest known code:
a typo like ``UZK`` would otherwise make a republic's rows vanish from every figure.

This module imports no Polars; callers pass plain strings (or anything with ``unique()`` and
``to_list()``, like a Polars Series).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from ca_trade import schema

OWN = frozenset(schema.COUNTERPARTS)

NES = "a Comtrade regional area, not elsewhere specified"
SPECIAL = {
    "S19": "Other Asia, nes (in practice Taiwan)",
    **dict.fromkeys(
        ("E19", "E29", "F19", "F49", "F97", "O19", "A49", "A59", "A79", "R20", "R91"), NES
    ),
    "ZA1": "Southern African Customs Union (Comtrade)",
    "EUR": "European Union (Comtrade reporter)",
}

HINT = "use ISO 3166 alpha-3 codes in capitals (KAZ, CHN, RUS), or EU27, CA5, WLD"


@cache
def _pycountry_json(name: str, key: str) -> list[dict[str, str]]:
    """Entries of one of pycountry's data files, read without importing pycountry (~90 ms).

    Read once a process; callers must not change the list."""
    spec = importlib.util.find_spec("pycountry")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "databases" / name
        if path.is_file():
            entries: list[dict[str, str]] = json.loads(path.read_bytes())[key]
            return entries
    raise ModuleNotFoundError(  # pragma: no cover - pycountry is a dependency
        f"pycountry's {name} is missing: reinstall ca-trade"
    )


@cache
def iso_codes() -> frozenset[str]:
    """The current ISO 3166-1 alpha-3 codes."""
    return frozenset(c["alpha_3"] for c in _pycountry_json("iso3166-1.json", "3166-1"))


@cache
def former_codes() -> frozenset[str]:
    """Formerly used ISO 3166-1 alpha-3 codes (ISO 3166-3)."""
    return frozenset(
        c["alpha_3"] for c in _pycountry_json("iso3166-3.json", "3166-3") if "alpha_3" in c
    )


def iso_entry(alpha_3: str) -> dict[str, str] | None:
    """The ISO 3166-1 entry of an alpha-3 code (its ``alpha_2``, ``numeric``, names), or None."""
    for entry in _pycountry_json("iso3166-1.json", "3166-1"):
        if entry["alpha_3"] == alpha_3:
            return entry
    return None


def is_known(code: str) -> bool:
    """Whether a reporter or partner code is accepted in a data file (see the module docstring)."""
    if code in OWN or code in SPECIAL:
        return True
    if len(code) != 3:
        return False
    return code in iso_codes() or code in former_codes()


def unknown(codes: Iterable[str] | Any) -> list[str]:
    """The codes that are not known, each once, sorted.

    Takes a list of strings or a Polars Series (its distinct values are looked at).
    """
    if hasattr(codes, "unique") and hasattr(codes, "to_list"):
        codes = codes.unique().to_list()
    distinct = {c for c in codes if c is not None}
    outside = distinct - OWN - SPECIAL.keys()
    return sorted(c for c in outside if not is_known(c))


@cache
def _suggestable() -> tuple[str, ...]:
    """Codes a typo may be corrected to: own first, then current ISO and special codes."""
    rest = sorted((iso_codes() | SPECIAL.keys()) - OWN)
    return (*schema.COUNTERPARTS, *rest)


def _by_name(text: str) -> str | None:
    """A country's alpha-3 code from its name, alpha-2 or numeric code, exactly (any case)."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for entry in _pycountry_json("iso3166-1.json", "3166-1"):
        names = (entry.get(k, "") for k in ("name", "official_name", "common_name", "alpha_2"))
        if wanted in (n.casefold() for n in names) or wanted == entry.get("numeric"):
            return entry["alpha_3"]
    return None


@cache
def closest(code: str) -> str | None:
    """The known code a user most likely meant, or None when nothing is close.

    In order: the same code in capitals; a country named, or given by alpha-2 or numeric code;
    one of ca-trade's codes that starts with it (EU for EU27); a code one letter away or with
    two letters swapped (ca-trade's own codes first); else, for a code of up to four
    characters, the closest by ``difflib`` (ratio 0.6 or more).
    """
    upper = code.strip().upper()
    if upper != code and is_known(upper):
        return upper
    named = _by_name(code)
    if named is not None:
        return "EU27" if named == "EUR" else named
    if len(upper) > 4:  # a name that is no country's: no code is like it
        return None
    for own in schema.COUNTERPARTS:
        if len(upper) >= 2 and own.startswith(upper) and own != upper:
            return own  # EU for EU27
    candidates = _suggestable()
    if len(upper) == 3:
        for candidate in candidates:
            if len(candidate) != 3:
                continue
            differ = [i for i in range(3) if candidate[i] != upper[i]]
            swapped = (
                len(differ) == 2
                and differ[1] == differ[0] + 1
                and candidate[differ[0]] == upper[differ[1]]
                and candidate[differ[1]] == upper[differ[0]]
            )
            if len(differ) == 1 or swapped:
                return candidate
    import difflib

    best = max(
        (difflib.SequenceMatcher(None, upper, c).ratio(), -i, c) for i, c in enumerate(candidates)
    )
    return best[2] if best[0] >= 0.6 else None


def message(code: str) -> str:
    """The message of an ``unknown-code`` problem, naming the closest code when there is one."""
    near = closest(code)
    text = f"{code} is not a known country or area code"
    return f"{text} (did you mean {near}?)" if near else text
