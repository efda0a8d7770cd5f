"""What to fetch: years, republics and partners, parsed from the options, and each source's
codes for them.

The default is the five republics with China, the EU and Russia, both directions (each side as
reporter, so ``mirror`` works), and each republic with the World (WLD, so ``shares`` works).
``--partner`` also takes other countries' ISO3 codes (TUR, KOR, USA...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ca_trade import codes, schema
from ca_trade.errors import UsageError

FIRST_YEAR = 1988  # Comext starts in 1988; Comtrade and the IMF reach further, not needed here
LAST_YEAR = 2100

# Comtrade's numeric codes are UN M49, which differ from ISO 3166 numeric for a few countries.
COMTRADE_NUMERIC = {
    "KAZ": 398,
    "KGZ": 417,
    "TJK": 762,
    "TKM": 795,
    "UZB": 860,
    "CHN": 156,
    "RUS": 643,
    "WLD": 0,
    "USA": 842,
    "FRA": 251,
    "IND": 699,
    "CHE": 757,
    "NOR": 579,
}
# Codes that are not countries, per source: what ca-trade calls them and what the source does.
IMF_AREAS = {"WLD": "G001", "EU27": "G998"}
EUROSTAT_EU = "EU27_2020"


@dataclass(frozen=True)
class Scope:
    """Years, republics and partners (partner codes as ca-trade writes them)."""

    years: tuple[int, ...]
    republics: tuple[str, ...] = schema.REPUBLICS
    partners: tuple[str, ...] = schema.PARTNERS
    world: bool = True


def parse_years(values: Iterable[str]) -> tuple[int, ...]:
    """``--year`` values (``2024``, ``2015-2024``, ``2019,2021``) as sorted distinct years."""
    years: set[int] = set()
    for value in values:
        for part in value.replace(" ", "").split(","):
            match = re.fullmatch(r"(\d{4})(?:[-:](\d{4}))?", part)
            if not match:
                raise UsageError(
                    f"--year {value!r} is not a year or a range of years",
                    hint="--year 2024, --year 2015-2024",
                )
            first = int(match.group(1))
            last = int(match.group(2) or first)
            if first > last:
                raise UsageError(
                    f"--year {part}: the range runs backwards", hint="--year 2015-2024"
                )
            if first < FIRST_YEAR or last > LAST_YEAR:
                raise UsageError(f"--year {part} is outside {FIRST_YEAR}-{LAST_YEAR}")
            years.update(range(first, last + 1))
    return tuple(sorted(years))


def parse_republics(values: Iterable[str]) -> tuple[str, ...]:
    """``--republic`` values (repeatable, or comma-separated) as codes of the five."""
    chosen: list[str] = []
    for value in _split(values):
        upper = value.upper()
        if upper not in schema.REPUBLICS:
            raise UsageError(
                f"--republic {value!r} is not one of the five republics",
                hint=", ".join(schema.REPUBLICS),
            )
        if upper not in chosen:
            chosen.append(upper)
    return tuple(chosen) or schema.REPUBLICS


def parse_partners(values: Iterable[str]) -> tuple[str, ...]:
    """``--partner`` values: CHN, EU27 (EU), RUS or any other country's ISO3 code."""
    chosen: list[str] = []
    for value in _split(values):
        upper = value.upper()
        upper = "EU27" if upper in ("EU", "EU27", "EU27_2020") else upper
        if upper in schema.REPUBLICS or upper in (schema.REGION, schema.WORLD):
            raise UsageError(
                f"--partner {value!r} is not a partner country",
                hint="CHN, EU27, RUS or another country's ISO3 code (TUR, KOR, USA); the "
                "world totals (WLD) are always fetched",
            )
        if upper not in schema.PARTNERS and (len(upper) != 3 or upper not in codes.iso_codes()):
            near = codes.closest(value)
            raise UsageError(
                f"--partner {value!r} is not a known ISO3 country code"
                + (f" (did you mean {near}?)" if near else ""),
                hint="CHN, EU27, RUS, TUR, KOR, USA...",
            )
        if upper not in chosen:
            chosen.append(upper)
    return tuple(chosen) or schema.PARTNERS


def _split(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def comtrade_code(code: str) -> int | None:
    """Comtrade's numeric (M49) code for a ca-trade code; None for the EU (no Comtrade area)."""
    if code in COMTRADE_NUMERIC:
        return COMTRADE_NUMERIC[code]
    if code == "EU27":
        return None
    entry = codes.iso_entry(code)
    return int(entry["numeric"]) if entry else None


def iso2(code: str) -> str | None:
    """The ISO 3166 alpha-2 code (Eurostat's geo codes) of an ISO3 code."""
    entry = codes.iso_entry(code)
    return entry["alpha_2"] if entry else None
