"""``ca-trade fetch`` from UN Comtrade, against a local server in Comtrade's format."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

from ca_trade import schema
from fetch_support import (
    COMTRADE_PATH,
    Env,
    rows_of,
    serve_comtrade,
)

KAZ_CHN = {"398": "comtrade_kaz_2023_2024.json", "156": "comtrade_chn_kaz_2023_2024.json"}
TODAY = dt.datetime.now(dt.UTC).date().isoformat()


def test_several_years_and_a_mirror_pair(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, KAZ_CHN)
    result = fetch_env.fetch("--year", "2023-2024", "--republic", "KAZ", "--partner", "CHN")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    text = fetch_env.out()
    assert text.splitlines()[0] == ",".join(schema.COLUMNS)
    rows = rows_of(text)
    # KAZ with CHN and the World, CHN with KAZ: 2 years x (2 + 2 + 2) flows.
    assert len(rows) == 12
    # 28,000,000,000 USD = 28000 million; China's side and Kazakhstan's side of one flow.
    assert rows[("2024", "CHN", "KAZ", "export")]["value_millions"] == "28000"
    assert rows[("2024", "KAZ", "CHN", "import")]["value_millions"] == "15500"
    assert rows[("2023", "KAZ", "WLD", "export")]["value_millions"] == "78000"
    # The record split by transport mode (1,000,000,000) is not another figure, nor added.
    assert rows[("2024", "KAZ", "CHN", "export")]["value_millions"] == "15000"
    row = rows[("2023", "CHN", "KAZ", "import")]
    assert row["value_millions"] == "16300"
    assert row["currency"] == "USD"
    assert row["basis"] == "official"
    assert row["source"].startswith("UN Comtrade public preview API v1")
    assert row["note"].startswith(f"retrieved {TODAY}")
    # source_url is the exact query that was sent.
    query = parse_qs(urlsplit(row["source_url"]).query)
    assert urlsplit(row["source_url"]).path == COMTRADE_PATH
    assert query["reporterCode"] == ["156"]
    assert query["period"] == ["2023,2024"]
    assert query["partnerCode"] == ["398"]
    assert query["partner2Code"] == ["0"] and query["motCode"] == ["0"]
    assert query["customsCode"] == ["C00"] and query["cmdCode"] == ["TOTAL"]
    sent = [r.url for r, _ in fetch_env.server.log]
    assert row["source_url"] in sent
    # Only totals are written: no row is derived (no flow 'total').
    assert {r["flow"] for r in rows.values()} == {"export", "import"}
    assert "12 rows (UN Comtrade, 2023-2024)" in result.stderr


def test_the_default_scope_is_both_directions_and_the_world(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, KAZ_CHN)
    result = fetch_env.fetch("--year", "2024")
    assert result.exit_code == 0, result.stderr
    asked = {
        (parse_qs(urlsplit(r.url).query)["reporterCode"][0],
         parse_qs(urlsplit(r.url).query)["partnerCode"][0])
        for r, _ in fetch_env.server.log
    }  # fmt: skip
    republics = "398", "417", "762", "795", "860"
    # Each republic with China, Russia and the World; China and Russia with the five.
    expected = {(r, "156,643,0") for r in republics}
    expected |= {(p, ",".join(republics)) for p in ("156", "643")}
    assert asked == expected
    assert "comtrade: the EU is no Comtrade reporter or partner here" in result.stderr


def test_an_empty_answer_is_named_not_written(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, {})
    before = "year\nkept\n"
    (fetch_env.tmp / "out.csv").write_text(before, encoding="utf-8")
    result = fetch_env.fetch("--year", "2025", "--republic", "KAZ", "--partner", "CHN")
    assert result.exit_code == 66
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "ca-trade: error: no data for KAZ 2025 from comtrade (the country may not have "
        "reported yet); nor for CHN 2025 from comtrade. Try: try earlier years"
    )
    assert (fetch_env.tmp / "out.csv").read_text(encoding="utf-8") == before


def test_one_empty_reporter_is_listed_and_the_rest_written(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, {"398": "comtrade_kaz_2023_2024.json"})
    result = fetch_env.fetch("--year", "2023-2024", "--republic", "KAZ", "--partner", "CHN")
    assert result.exit_code == 0, result.stderr
    assert "no data for CHN 2023-2024 from comtrade (the country may not have reported yet)" in (
        result.stderr
    )
    assert len(rows_of(fetch_env.out())) == 8  # KAZ: 2 years x (CHN, WLD) x 2 flows


def test_a_confidential_figure_is_left_out_and_listed(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, {"762": "comtrade_tjk_2024_confidential.json"})
    result = fetch_env.fetch("--year", "2024", "--republic", "TJK", "--partner", "CHN")
    assert result.exit_code == 0, result.stderr
    assert "left out: comtrade 2024 TJK->CHN export: no value" in result.stderr
    # Tajikistan's answer has figures for 2024, but none with the World: named, not zero.
    assert "missing: comtrade TJK 2024: no figure for WLD export, WLD import" in result.stderr
    rows = rows_of(fetch_env.out())
    assert list(rows) == [("2024", "TJK", "CHN", "import")]  # never a zero export
    assert rows[("2024", "TJK", "CHN", "import")]["value_millions"] == "3100"
    assert "isReported=false" in rows[("2024", "TJK", "CHN", "import")]["note"]


def test_stdout_when_piped(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, KAZ_CHN)
    result = fetch_env.fetch("--year", "2024", "--republic", "KAZ", "--partner", "CHN", output=None)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 6
    assert "to " not in result.stderr.splitlines()[-1]


def test_other_partners_use_comtrades_own_numeric_codes(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, {})
    fetch_env.fetch("--year", "2024", "--republic", "UZB", "--partner", "USA", "-p", "TUR")
    asked = {r.args["reporterCode"]: r.args["partnerCode"] for r, _ in fetch_env.server.log}
    # M49: the USA is 842 (ISO 3166 numeric says 840); Turkey 792.
    assert asked == {"860": "842,792,0", "842": "860", "792": "860"}


def test_bad_options_are_usage_errors(fetch_env: Env) -> None:
    for args, words in [
        (["--year", "2024-2015"], "runs backwards"),
        (["--year", "24"], "is not a year"),
        (["--year", "2024", "--republic", "CHN"], "is not one of the five"),
        (["--year", "2024", "--partner", "TRK"], "is not a known ISO3 country code"),
        (["--year", "2024", "--source", "wto"], "is not one of comtrade"),
        (["--year", "2024", "--offline", "--refresh"], "contradict"),
        ([], "--year is required"),
    ]:
        result = fetch_env.fetch(*args)
        assert result.exit_code == 2, args
        assert words in result.stderr, (args, result.stderr)
        assert len(result.stderr.splitlines()) == 1
    assert fetch_env.server.log == []
