"""Which codes a data file may hold (``ca_trade.codes``), and the closest code to a typo.

Expected codes are written by hand: ISO 3166-1 alpha-3 codes as the standard gives them
(UZB Uzbekistan, KAZ Kazakhstan, AIA Anguilla, SUN the USSR, formerly used).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from ca_trade import codes, schema


@pytest.mark.parametrize(
    "code",
    [*schema.COUNTERPARTS, "USA", "DEU", "AIA", "NAM", "SUN", "YUG", "S19", "ZA1", "EUR"],
)
def test_known(code: str) -> None:
    assert codes.is_known(code)


@pytest.mark.parametrize(
    "code", ["UZK", "XYZ", "uzb", "Kazakhstan", "KZ", "", "EU28", "W00", "_X", "XX", " KAZ"]
)
def test_unknown(code: str) -> None:
    assert not codes.is_known(code)


def test_the_iso_list_is_complete() -> None:
    # 249 codes in ISO 3166-1 (as of its 2024 edition), the five republics among them.
    iso = codes.iso_codes()
    assert len(iso) == 249
    assert set(schema.REPUBLICS) | {"CHN", "RUS"} <= iso
    assert not {"EU27", "CA5", "WLD"} & iso


def test_unknown_lists_each_code_once_sorted() -> None:
    assert codes.unknown(["UZK", "KAZ", "XYZ", "UZK", "S19", "SUN"]) == ["UZK", "XYZ"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("UZK", "UZB"),  # one letter off a republic's code
        ("KAY", "KAZ"),
        ("CHM", "CHN"),  # own codes come first: not CHE or CHL
        ("RSU", "RUS"),  # two letters swapped
        ("uzb", "UZB"),  # lower case
        ("Kazakhstan", "KAZ"),  # a name
        ("kz", "KAZ"),  # ISO alpha-2
        ("860", "UZB"),  # ISO numeric
        ("EU", "EU27"),
    ],
)
def test_closest(typed: str, meant: str) -> None:
    assert codes.closest(typed) == meant


@pytest.mark.parametrize("typed", ["Narnia", "QQQQQQ", ""])
def test_nothing_close(typed: str) -> None:
    assert codes.closest(typed) is None


def test_message_names_the_closest_code() -> None:
    assert codes.message("UZK") == "UZK is not a known country or area code (did you mean UZB?)"
    assert codes.message("Narnia") == "Narnia is not a known country or area code"


def test_own_codes_need_no_code_list() -> None:
    # Loading the bundled data (ca-trade's own codes only) reads no ISO list and does not
    # import pycountry.
    script = (
        "import sys\n"
        "from ca_trade import codes, load\n"
        "load.read_trade()\n"
        "assert 'pycountry' not in sys.modules\n"
        "assert codes.iso_codes.cache_info().currsize == 0\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
