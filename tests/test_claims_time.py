"""The measures over time and across sides (change, avg_growth, share_change, extreme,
growth_rank, mirror_ratio), each with values worked out by hand from a small fixture.

tests/data/claims/time/four_years.csv, USD millions (made-up figures):
  CHN customs, CHN-KAZ total: 2021 25000, 2022 31000, 2023 41000, 2024 40000
  KAZ statistics, KAZ-CHN total: 2021 18000, (2022 none), 2023 31500, 2024 30100
  CHN-UZB total 2023 14000, 2024 13780; UZB-CHN total 2023 13700, 2024 12400
  UZB-WLD total 2023 62500, 2024 65900
  CHN-KGZ total 2023 19800, 2024 22710; KGZ-CHN total 2024 5500 (none in 2023)
  CHN-TJK total 2023 3900, 2024 3860; CHN-TKM total 2023 10000, 2024 10650
The republic rule falls back to China's figure where the republic publishes none (2022 for
Kazakhstan, 2023 for Kyrgyzstan): a change across that year mixes reporters.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DATA, invoke

FIXTURE = DATA / "claims" / "time" / "four_years.csv"
HEAD = '[source]\ntitle = "hand-worked"\n\n'


def _check(runner: CliRunner, tmp_path: Path, body: str, year: int = 2024) -> list[dict[str, str]]:
    claims = tmp_path / "claims.toml"
    claims.write_text(f"year = {year}\n" + HEAD + body, encoding="utf-8")
    result = invoke(runner, "check", str(claims), "--data", str(FIXTURE), "-f", "csv")
    assert result.exit_code in (0, 1), result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _by_basis(rows: list[dict[str, str]]) -> dict[str, float | None]:
    return {
        r["statistics"]: float(r["computed_value"]) if r["computed_value"] else None for r in rows
    }


FLOW = '{ kind = "turnover", partner = "CHN", area = "KAZ" }'


def test_change_in_money(runner: CliRunner, tmp_path: Path) -> None:
    """ "fell by about $1bn": 40000 - 41000 = -1000 (China's); 30100 - 31500 = -1400 (Kazakh)."""
    rows = _check(
        runner,
        tmp_path,
        f'[[claim]]\nid = "c"\nquote = "q"\nmeasure = {{ kind = "change", of = {FLOW} }}\n'
        'op = "≈"\nvalue = -1\nunit = "USD bn"\ntolerance = "5%"\n',
    )
    assert _by_basis(rows) == {"partner": 40000 - 41000, "republic": 30100 - 31500}
    assert {r["statistics"]: r["result"] for r in rows} == {
        "partner": "holds",  # |-1000 - (-1000)| <= 50
        "republic": "fails",  # |-1400 - (-1000)| = 400 > 50
    }


def test_average_annual_growth(runner: CliRunner, tmp_path: Path) -> None:
    """2021 -> 2024, three years, compound: (40000/25000)^(1/3) - 1 and (30100/18000)^(1/3) - 1."""
    rows = _check(
        runner,
        tmp_path,
        f'[[claim]]\nid = "a"\nquote = "q"\nmeasure = {{ kind = "avg_growth", of = {FLOW}, '
        'from_year = 2021 }\nop = ">"\nvalue = 15\nunit = "%"\n',
    )
    got = _by_basis(rows)
    assert got["partner"] == pytest.approx(((40000 / 25000) ** (1 / 3) - 1) * 100)  # 16.96
    assert got["republic"] == pytest.approx(((30100 / 18000) ** (1 / 3) - 1) * 100)  # 18.70
    assert rows[0]["verdict"] == "holds"


def test_average_growth_like_with_like_only(runner: CliRunner, tmp_path: Path) -> None:
    """From 2022 the republic rule has China's figure (Kazakhstan published none): 2022 from
    CHN, 2024 from KAZ is not like with like. China's own: (40000/31000)^(1/2) - 1 = 13.59%."""
    rows = _check(
        runner,
        tmp_path,
        f'[[claim]]\nid = "a"\nquote = "q"\nmeasure = {{ kind = "avg_growth", of = {FLOW}, '
        'from_year = 2022 }\nop = ">"\nvalue = 10\nunit = "%"\n',
    )
    results = {r["statistics"]: r for r in rows}
    assert float(results["partner"]["computed_value"]) == pytest.approx(
        ((40000 / 31000) ** 0.5 - 1) * 100
    )
    unlike = [r for r in rows if r["result"] == "not checkable"]
    assert (
        len(unlike) == 1
        and "2022 from CHN customs, 2024 from KAZ" in (unlike[0]["computed_missing_reason"])
    )


def test_share_change_in_points(runner: CliRunner, tmp_path: Path) -> None:
    """China's share of Uzbekistan's trade, 2023 -> 2024, in points:
    China's customs over Uzbekistan's world total: 13780/65900 - 14000/62500 = 20.91 - 22.40;
    Uzbekistan's own: 12400/65900 - 13700/62500 = 18.82 - 21.92."""
    rows = _check(
        runner,
        tmp_path,
        '[[claim]]\nid = "s"\nquote = "q"\nmeasure = { kind = "share_change", of = { kind = '
        '"share", partner = "CHN", area = "UZB" } }\nop = "<"\nvalue = 0\nunit = "%"\n',
    )
    got = _by_basis(rows)
    assert got["mixed"] == pytest.approx((13780 / 65900 - 14000 / 62500) * 100)  # -1.49
    assert got["republic"] == pytest.approx((12400 / 65900 - 13700 / 62500) * 100)  # -3.10
    assert rows[0]["verdict"] == "holds"


def test_extreme_over_the_years_in_the_data(runner: CliRunner, tmp_path: Path) -> None:
    """A record in 2023: China's 25000, 31000, 41000 -> 2023 is the highest (rank 1);
    Kazakhstan's 18000 (2021), 31500 (2023): 2022 is China's figure, left out; rank 1."""
    body = (
        f'[[claim]]\nid = "e"\nquote = "q"\nmeasure = {{ kind = "extreme", of = {FLOW} }}\n'
        'op = "="\nvalue = 1\n'
    )
    rows = _check(runner, tmp_path, body, year=2023)
    assert _by_basis(rows) == {"partner": 1.0, "republic": 1.0}
    coverage = {r["statistics"]: r["coverage"] for r in rows}
    assert "years compared 2021–2023 (3 years" in coverage["partner"]
    assert "years compared 2021–2023 (2 years" in coverage["republic"]
    assert "left out (other reporter or missing): 2022" in coverage["republic"]
    # 2024: China's 40000 < 41000 (2023): second; Kazakhstan's 30100 < 31500: second.
    later = _check(runner, tmp_path, body, year=2024)
    assert _by_basis(later) == {"partner": 2.0, "republic": 2.0}
    assert later[0]["verdict"] == "fails"


def test_rank_by_growth(runner: CliRunner, tmp_path: Path) -> None:
    """Growth of trade with China 2023 -> 2024 on China's customs: KGZ 22710/19800 - 1 = +14.70%,
    TKM +6.50%, TJK -1.03%, UZB -1.57%, KAZ -2.44%: Kyrgyzstan is first. On the republics'
    figures Kyrgyzstan's 2023 figure is China's: not like with like, not checkable."""
    rows = _check(
        runner,
        tmp_path,
        '[[claim]]\nid = "g"\nquote = "q"\nmeasure = { kind = "growth_rank", partner = "CHN", '
        'area = "KGZ" }\nop = "="\nvalue = 1\n',
    )
    results = {r["statistics"]: r for r in rows}
    assert float(results["partner"]["computed_value"]) == 1.0
    assert results["partner"]["result"] == "holds"
    assert [r["result"] for r in rows if r["statistics"] != "partner"] == ["not checkable"]
    tkm = _check(
        runner,
        tmp_path,
        '[[claim]]\nid = "g"\nquote = "q"\nmeasure = { kind = "growth_rank", partner = "CHN", '
        'area = "TKM" }\nop = "="\nvalue = 2\n',
    )
    assert _by_basis(tkm)["partner"] == 2.0


def test_mirror_ratio(runner: CliRunner, tmp_path: Path) -> None:
    """ "The Kyrgyz and Chinese figures differ almost fourfold": 22710 / 5500 = 4.129."""
    rows = _check(
        runner,
        tmp_path,
        '[[claim]]\nid = "m"\nquote = "q"\nmeasure = { kind = "mirror_ratio", partner = "CHN", '
        'area = "KGZ" }\nop = "≈"\nvalue = 4\nunit = "x"\ntolerance = "5%"\n',
    )
    assert len(rows) == 1  # the same value on both rules: one row
    assert rows[0]["statistics"] == "mixed"
    assert float(rows[0]["computed_value"]) == pytest.approx(22710 / 5500)
    assert rows[0]["verdict"] == "holds"  # |4.129 - 4| <= 0.2
    none = _check(
        runner,
        tmp_path,
        '[[claim]]\nid = "m"\nquote = "q"\nmeasure = { kind = "mirror_ratio", partner = "CHN", '
        'area = "TJK" }\nop = ">"\nvalue = 1\nunit = "x"\n',
    )
    assert none[0]["verdict"] == "not checkable"  # Tajikistan publishes no total with China


def test_a_year_not_in_the_data_is_not_checkable(runner: CliRunner, tmp_path: Path) -> None:
    rows = _check(
        runner,
        tmp_path,
        f'[[claim]]\nid = "c"\nquote = "q"\nmeasure = {{ kind = "change", of = {FLOW}, '
        'from_year = 2015, to_year = 2024 }\nop = ">"\nvalue = 0\nunit = "USD bn"\n',
    )
    assert rows[0]["verdict"] == "not checkable"
    assert "no data for 2015" in rows[0]["verdict_detail"]


@pytest.mark.parametrize(
    ("measure", "field"),
    [
        (f'{{ kind = "avg_growth", of = {FLOW} }}', "measure.from_year"),
        (f'{{ kind = "extreme", of = {FLOW}, to_year = 2024 }}', "measure.to_year"),
        (f'{{ kind = "share_change", of = {FLOW} }}', "measure.of.kind"),
        ('{ kind = "growth_rank", partner = "CHN", area = "CA5" }', "measure.area"),
        (f'{{ kind = "extreme", of = {FLOW}, order = "biggest" }}', "measure.order"),
    ],
)
def test_bad_time_measures_name_the_field(
    runner: CliRunner, tmp_path: Path, measure: str, field: str
) -> None:
    claims = tmp_path / "bad.toml"
    claims.write_text(
        HEAD + f'[[claim]]\nid = "x"\nquote = "q"\nmeasure = {measure}\nop = "="\nvalue = 1\n',
        encoding="utf-8",
    )
    result = invoke(runner, "check", str(claims), "--data", str(FIXTURE))
    assert result.exit_code == 65
    assert f"claim 'x' (#1), {field}:" in result.stderr


# ------------------------------------------------------------------------------- breadth

BUNDLED_2024 = DATA.parent.parent / "data" / "trade_2024.csv"


def _check_bundled(runner: CliRunner, tmp_path: Path, body: str) -> list[dict[str, str]]:
    claims = tmp_path / "claims.toml"
    claims.write_text("year = 2024\n" + HEAD + body, encoding="utf-8")
    result = invoke(runner, "check", str(claims), "--data", str(BUNDLED_2024), "-f", "csv")
    assert result.exit_code in (0, 1), result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_group_of_republics(runner: CliRunner, tmp_path: Path) -> None:
    """ "Kazakhstan, Uzbekistan, Kyrgyzstan and Tajikistan together traded $84bn with China"
    (bundled 2024): China's customs 43820 + 13780 + 22710 + 3860 = 84170; the republics' own
    30100 + 12400 + 5500 + 1960 = 49960."""
    rows = _check_bundled(
        runner,
        tmp_path,
        '[[claim]]\nid = "g"\nquote = "q"\nmeasure = { kind = "turnover", partner = "CHN", '
        'area = ["KAZ", "UZB", "KGZ", "TJK"] }\nop = "≈"\nvalue = 84\nunit = "USD bn"\n'
        'tolerance = "5%"\n',
    )
    assert _by_basis(rows) == {
        "partner": 43820 + 13780 + 22710 + 3860,
        "republic": 30100 + 12400 + 5500 + 1960,
    }
    assert rows[0]["test"] == "CHN–KAZ+KGZ+TJK+UZB turnover ≈ 84 USD bn (±5%)"
    assert rows[0]["verdict"] == "depends on basis"


def test_a_group_with_a_missing_figure_is_not_checkable(runner: CliRunner, tmp_path: Path) -> None:
    """The EU's exports in 2024 are known for Kazakhstan (its imports from the EU, R4005) and
    Uzbekistan only: the EU's exports to Kyrgyzstan and Uzbekistan are not checkable."""
    rows = _check_bundled(
        runner,
        tmp_path,
        '[[claim]]\nid = "g"\nquote = "q"\nmeasure = { kind = "exports", partner = "EU27", '
        'area = ["KGZ", "UZB"] }\nop = ">"\nvalue = 1\nunit = "USD bn"\n',
    )
    assert {r["verdict"] for r in rows} == {"not checkable"}


def test_rank_among_the_countries_in_the_data(runner: CliRunner, tmp_path: Path) -> None:
    """China is Kazakhstan's largest single-country partner: 43820 (China's customs) and 30100
    (Kazakhstan's) against Russia's 28700 and Kazakhstan's 28000 for Russia; the EU (a bloc)
    is left out."""
    rows = _check_bundled(
        runner,
        tmp_path,
        '[[claim]]\nid = "r"\nquote = "q"\nmeasure = { kind = "rank", partner = "CHN", '
        'area = "KAZ", among = "countries" }\nop = "="\nvalue = 1\n',
    )
    # China's customs against Russia's figure is two reporters: mixed (not like for like).
    assert _by_basis(rows) == {"mixed": 1.0, "republic": 1.0}
    assert rows[0]["verdict"] == "holds"  # on Kazakhstan's own figures for both
    assert all("countries in the data: CHN, RUS" in r["coverage"] for r in rows)
    bad = tmp_path / "bad.toml"
    bad.write_text(
        HEAD + '[[claim]]\nid = "x"\nquote = "q"\nmeasure = { kind = "rank", partner = "EU27", '
        'area = "KAZ", among = "countries" }\nop = "="\nvalue = 1\n',
        encoding="utf-8",
    )
    refused = invoke(runner, "check", str(bad))
    assert refused.exit_code == 65 and "the EU is not a country" in refused.stderr


def test_russia_is_second_among_the_countries(runner: CliRunner, tmp_path: Path) -> None:
    """Russia for Kazakhstan (bundled 2024): 28700 (Russia's) < 43820 (China's customs), and
    28000 < 30100 on Kazakhstan's own figures: second on both."""
    rows = _check_bundled(
        runner,
        tmp_path,
        '[[claim]]\nid = "r"\nquote = "q"\nmeasure = { kind = "rank", partner = "RUS", '
        'area = "KAZ", among = "countries" }\nop = "="\nvalue = 2\n',
    )
    assert _by_basis(rows) == {"mixed": 2.0, "republic": 2.0}
    assert rows[0]["verdict"] == "holds"


# ------------------------------------------------------------------------------- bounds

BOUNDED = DATA / "claims" / "time" / "bounded.csv"


def _check_bounded(runner: CliRunner, tmp_path: Path, body: str) -> list[dict[str, str]]:
    claims = tmp_path / "claims.toml"
    claims.write_text("year = 2024\n" + HEAD + body, encoding="utf-8")
    result = invoke(runner, "check", str(claims), "--data", str(BOUNDED), "-f", "csv")
    assert result.exit_code in (0, 1), result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_change_from_a_lower_bound_is_a_lower_bound(runner: CliRunner, tmp_path: Path) -> None:
    """bounded.csv: China's customs 41000 (2023) and "exceeded" 44000 (2024, bound lower): the
    change is more than 44000 - 41000 = 3000. "rose by more than $3bn" holds for every value
    the data allow; "rose by about $3bn" (±150) may hold or fail: not decidable."""
    more = _check_bounded(
        runner,
        tmp_path,
        f'[[claim]]\nid = "c"\nquote = "q"\nmeasure = {{ kind = "change", of = {FLOW} }}\n'
        'op = ">"\nvalue = 3\nunit = "USD bn"\n',
    )
    assert {r["verdict"] for r in more} == {"holds"}
    assert float(more[0]["computed_value"]) == 44000 - 41000
    about = _check_bounded(
        runner,
        tmp_path,
        f'[[claim]]\nid = "c"\nquote = "q"\nmeasure = {{ kind = "change", of = {FLOW} }}\n'
        'op = "≈"\nvalue = 3\nunit = "USD bn"\ntolerance = "5%"\n',
    )
    assert {r["verdict"] for r in about} == {"not decidable"}


def test_a_record_from_a_lower_bound(runner: CliRunner, tmp_path: Path) -> None:
    """2024's "over 44000" is above 2023's 41000 whatever its true value: a record (rank 1)."""
    rows = _check_bounded(
        runner,
        tmp_path,
        f'[[claim]]\nid = "e"\nquote = "q"\nmeasure = {{ kind = "extreme", of = {FLOW} }}\n'
        'op = "="\nvalue = 1\n',
    )
    assert {r["verdict"] for r in rows} == {"holds"}
    low = _check_bounded(
        runner,
        tmp_path,
        f'[[claim]]\nid = "e"\nquote = "q"\nmeasure = {{ kind = "extreme", of = {FLOW}, '
        'order = "lowest" }\nop = "="\nvalue = 2\n',
    )
    assert {r["verdict"] for r in low} == {"holds"}  # the higher of two: second lowest
