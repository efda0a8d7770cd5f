"""The guards every format shares, applied to the summed aggregate one unit (whole years) at a
time, each vectorised:

- only annual rows count (``Partials`` counts the others);
- rows that are breakdowns (partner2 not World, a mode of transport, a customs procedure) are
  dropped: a total row exists for every breakdown in a classic download;
- per key the product ``TOTAL`` (level 0) is used when present, else the sum of the products at
  the most aggregated level present (HS-2 before HS-4 before HS-6), so levels are never mixed;
- World stays partner WLD and is never summed with the partners;
- every code written is a known country or area code, and no code is dropped without a word;
- no negative sums, no zero rows, no self-trade, no two source codes on one key;
- the rows obey the data file's rules before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ca_trade import schema
from ca_trade.errors import DataError, UsageError

if TYPE_CHECKING:
    import polars as pl

KEY = ["year", "reporter", "partner", "flow"]


def hs_filter(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """``--hs`` prefixes checked (digits, none inside another) and de-duplicated."""
    for prefix in prefixes:
        if not re.fullmatch(r"\d{1,10}", prefix):
            raise UsageError(f"--hs {prefix!r} is not an HS code", hint="--hs 2711 (digits)")
    for a in prefixes:
        for b in prefixes:
            if a != b and b.startswith(a):
                raise UsageError(f"--hs {a} already covers --hs {b}", hint="give one of them")
    return tuple(dict.fromkeys(prefixes))


@dataclass
class Tally:
    """What the guards saw over all units, for the messages and the file-wide rules."""

    only_breakdown: int = 0  # keys that have breakdown rows but no total row
    any_total: bool = False  # some key has a total row
    scales: set[str] = field(default_factory=set)
    largest: float | None = None
    codes: dict[str, set[str]] = field(default_factory=dict)  # side -> mapped codes seen
    raw_of: dict[tuple[str, str], str] = field(default_factory=dict)  # (side, code) -> raw
    unmapped: dict[str, set[str]] = field(default_factory=dict)  # side -> raw codes


def summed(unit: pl.DataFrame) -> pl.DataFrame:
    """Partials summed per key: same columns, one row per distinct key."""
    import polars as pl

    keys = [c for c in unit.columns if c not in ("value", "rows")]
    return unit.group_by(keys).agg(pl.col("value").sum(), pl.col("rows").sum())


def totals(frame: pl.DataFrame, tally: Tally, key: list[str] = KEY) -> pl.DataFrame:
    """The total rows of each key at its most aggregated product level.

    Takes a summed unit (``key``: the columns that name a figure); returns it without the
    ``breakdown`` column, where present.
    """
    import polars as pl

    if "breakdown" in frame.columns:
        if frame.get_column("breakdown").any():
            flagged = frame.with_columns((~pl.col("breakdown")).any().over(key).alias("_has"))
            tally.only_breakdown += flagged.filter(~pl.col("_has")).select(key).unique().height
            frame = flagged.filter(~pl.col("breakdown")).drop("_has")
        frame = frame.drop("breakdown")
    tally.any_total = tally.any_total or frame.height > 0
    if "level" in frame.columns and frame.get_column("level").n_unique() > 1:
        frame = frame.filter(pl.col("level") == pl.col("level").min().over(key))
    if "scale" in frame.columns:
        scales = frame.get_column("scale")
        tally.scales.update(s for s in scales.unique().to_list() if s)
        largest = frame.filter(scales != "").get_column("value").max()
        if isinstance(largest, float):
            tally.largest = largest if tally.largest is None else max(tally.largest, largest)
    return frame


def note_codes(table: pl.DataFrame, side: str, tally: Tally) -> bool:
    """Remember how the distinct codes of a side were mapped (columns raw, code).

    Returns True when two raw codes became one code (then keys may repeat, and
    ``no_duplicates`` must look).
    """
    seen: set[str] = set()
    merged = False
    for raw, code in table.iter_rows():  # one row per distinct code: a few hundred at most
        if code is None:
            tally.unmapped.setdefault(side, set()).add(raw)
            continue
        merged = merged or code in seen
        seen.add(code)
        tally.codes.setdefault(side, set()).add(code)
        tally.raw_of.setdefault((side, code), raw)
    return merged


def keep_valid(frame: pl.DataFrame, all_countries: bool, path: Path) -> pl.DataFrame:
    """Rows of the chosen countries, without self-trade, World reporters and zeros.

    Takes and returns a mapped unit (reporter, partner as ca-trade codes, null when unmapped).
    A negative sum is an error.
    """
    import polars as pl

    reporter, partner = pl.col("reporter"), pl.col("partner")
    if all_countries:
        chosen = reporter.is_not_null() & partner.is_not_null()
    else:
        chosen = reporter.is_in(schema.REPORTERS) & partner.is_in(schema.COUNTERPARTS)
    keep = chosen & (reporter != partner) & (reporter != schema.WORLD)
    negative = frame.filter(keep & (pl.col("value") < 0))
    if negative.height:
        row = negative.row(0, named=True)
        raise DataError(
            f"{row['reporter']} {row['partner']} {row['year']} {row['flow']} sums to "
            f"{row['value']}: negative",
            path=str(path),
            hint="check the file for adjustment rows",
        )
    return frame.filter(keep & (pl.col("value") != 0))


def no_duplicates(frame: pl.DataFrame, path: Path) -> None:
    """Two source codes that became the same key are an error (checked when codes merged)."""
    import polars as pl

    duplicated = frame.filter(pl.struct(*KEY).is_duplicated())
    if duplicated.height:
        first = duplicated.row(0, named=True)
        raise DataError(
            f"two source codes become the same key {first['year']} {first['reporter']} "
            f"{first['partner']} {first['flow']}",
            path=str(path),
            hint="check the country codes (or --countries file)",
        )


def check_cells(cells: dict[str, str], path: Path) -> None:
    """The text cells every row shares (currency, basis, source, source_url) obey the data
    file's rules: checked once, not on every row."""
    allowed = {"currency": schema.CURRENCIES, "basis": schema.BASES}
    for column, value in cells.items():
        broken = (
            not value
            or (column in allowed and value not in allowed[column])
            or (column == "source_url" and not re.fullmatch(r"https?://\S+", value))
        )
        if broken:
            raise DataError(
                f"the converted data breaks the rules of column {column}: {value!r}",
                path=str(path),
                hint="please report this with the file's header",
            )


def check_rows(frame: pl.DataFrame, value_factor: float, path: Path) -> None:
    """The data file's value rules on the rows about to be written, vectorised.

    Takes year, reporter, partner, flow and value (× ``value_factor`` = millions). Codes,
    self-trade and key uniqueness are guarded above. These rules fail on what the download
    itself holds (a year 0, a negative adjustment), so the hint points at the download.
    """
    import polars as pl

    value = pl.col("value") * value_factor
    in_source = "check that row in the download; ca-trade's data file cannot hold it"
    rules = [
        ("bad-year", ~pl.col("year").is_between(1900, 2100), "year {} is outside 1900-2100"),
        ("non-finite-number", ~value.is_finite(), "the value of {} is not finite"),
        ("negative-value", value < 0, "the value of {} is negative"),
    ]
    for rule, broken, message in rules:
        bad = frame.filter(broken)
        if bad.height:
            row = bad.row(0, named=True)
            key = f"{row['year']} {row['reporter']} {row['partner']} {row['flow']}"
            raise DataError(
                f"the converted data breaks rule {rule}: {message.format(key)}",
                path=str(path),
                hint=in_source,
            )


def unknown_codes(tally: Tally) -> list[tuple[str, str]]:
    """(side, code) of every code seen that has a country code's shape but is not known.

    Without ``--all-countries`` these are the partners of ca-trade's reporters: a typo there
    (UZK for UZB) would otherwise leave a figure out without a word.
    """
    from ca_trade import codes as known

    found: list[tuple[str, str]] = []
    for side in ("reporter", "partner"):
        seen = sorted(tally.codes.get(side, set()) - set(schema.COUNTERPARTS))
        found.extend((side, code) for code in known.unknown(seen))
    return found
