"""How a format's raw country codes become ca-trade's: the built-in tables for ca-trade's own
countries, or a country-code file (BACI's ``country_codes_V*.csv``) for every country.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade.errors import DataError, InputError, UsageError
from ca_trade.ingest.comext import ISO2_CODES
from ca_trade.ingest.comtrade import NUMERIC_CODES
from ca_trade.ingest.comtrade import WORLD as COMTRADE_WORLD
from ca_trade.ingest.spec import EU_CODES, OWN, WORLD_CODES, Options, Spec

if TYPE_CHECKING:
    import polars as pl


def _numeric(code: str) -> int | None:
    try:
        return int(code)
    except ValueError:
        return None


def read_countries(path: Path) -> tuple[dict[int, str], dict[str, str]]:
    """A BACI-style country file: numeric code -> ISO3 and ISO2 -> ISO3.

    Columns are matched by name (``country_code``, ``country_iso2``, ``country_iso3``); every
    cell is a string, so Namibia's ISO2 ``NA`` is kept. UTF-8, falling back to Latin-1.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=str(path), hint="check --countries") from None
    except OSError as err:
        raise InputError(f"cannot be read ({err.strerror})", path=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]] if rows else []
    if not {"country_code", "country_iso3"} <= set(header):
        raise DataError(
            "is not a country-code file: it needs columns country_code and country_iso3",
            path=str(path),
            line=1,
            hint="the BACI country_codes_V*.csv file",
        )
    at_code, at_iso3 = header.index("country_code"), header.index("country_iso3")
    at_iso2 = header.index("country_iso2") if "country_iso2" in header else None
    numeric: dict[int, str] = {}
    iso2: dict[str, str] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row or len(row) <= max(at_code, at_iso3):
            continue
        number, iso3 = _numeric(row[at_code].strip()), row[at_iso3].strip().upper()
        if number is None:
            raise DataError(
                f"{row[at_code]!r} is not a numeric code",
                path=str(path),
                line=line,
                column="country_code",
            )
        if iso3:
            numeric[number] = iso3
            if at_iso2 is not None and len(row) > at_iso2 and row[at_iso2].strip():
                iso2[row[at_iso2].strip().upper()] = iso3
    return numeric, iso2


def find_countries(path: Path) -> Path | None:
    """BACI's country file beside the data file (``country_codes_V*.csv``), the newest name."""
    found = sorted(path.parent.glob("country_codes*.csv"))
    return found[-1] if found else None


@dataclass
class Codes:
    """How a format's raw codes become ca-trade codes."""

    numeric: dict[int, str]
    iso2: dict[str, str]
    origin: str  # for the note: where the code table came from

    def own_raw(self, spec: Spec) -> list[str]:
        """The raw codes that map to ca-trade's own countries, as the file holds them."""
        if spec.codes == "numeric":
            return [str(n) for n, iso3 in self.numeric.items() if iso3 in OWN]
        if spec.codes == "iso2":
            return [c for c, iso3 in self.iso2.items() if iso3 in OWN] + list(EU_CODES)
        return [*OWN, *EU_CODES]

    def to_own(self, column: str, spec: Spec, *, partner: bool) -> pl.Expr:
        """A column of raw codes (stripped, upper case) as ca-trade codes; null where unmapped.

        The World's codes become ``WLD`` on the partner side; the EU's become ``EU27``.
        """
        import polars as pl

        raw = pl.col(column)
        if spec.codes == "numeric":
            table: dict[int, str | None] = dict(self.numeric)
            if spec.name == "comtrade-bulk":
                table[COMTRADE_WORLD] = "WLD" if partner else None
            mapped = raw.cast(pl.Int64, strict=False).replace_strict(
                table, default=None, return_dtype=pl.String
            )
        elif spec.codes == "iso2":
            mapped = raw.replace_strict(
                {**self.iso2, **EU_CODES}, default=None, return_dtype=pl.String
            )
        else:
            mapped = raw.replace(EU_CODES)
        if partner:
            mapped = pl.when(raw.is_in(list(WORLD_CODES))).then(pl.lit("WLD")).otherwise(mapped)
        return mapped


def codes_for(spec: Spec, options: Options, path: Path) -> Codes:
    """The code tables for this file: ``--countries``, BACI's file beside it, or the built-in."""
    countries = options.countries
    if countries is None and spec.name == "baci":
        countries = find_countries(path)
    if countries is not None and spec.codes == "iso3":
        raise UsageError(f"--countries is not used with {spec.title}: its codes are ISO3 already")
    if countries is not None:
        numeric, iso2 = read_countries(countries)
        return Codes(numeric, iso2, f"codes={countries.name}")
    if options.all_countries and spec.codes != "iso3":
        raise UsageError(
            f"--all-countries needs --countries FILE for {spec.title}: its codes are "
            f"{'numeric' if spec.codes == 'numeric' else 'ISO2'} and ca-trade knows only its own",
            hint="--countries country_codes_V202501.csv (BACI's country file)",
        )
    return Codes(dict(NUMERIC_CODES), dict(ISO2_CODES), "")
