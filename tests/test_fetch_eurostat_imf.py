"""``fetch`` from Eurostat Comext (JSON-stat) and the IMF (SDMX-ML 3.0), local server only."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug import Request, Response

from ca_trade.errors import DataError
from ca_trade.fetch import eurostat, imf
from ca_trade.fetch.rows import MalformedAnswer
from fetch_support import EUROSTAT_PATH, IMF_PREFIX, Env, fixture_text, rows_of, serve_comtrade

REAL_SAMPLE = "eurostat_comext_ds045409_eu27_imports_us_total_2024m01_m02.json"
EU_KZ = "eurostat_eu27_kz_2022_2024_extra_freq.json"


# ---------------------------------------------------------------- JSON-stat


def test_the_real_eurostat_sample_gives_its_two_known_values() -> None:
    found = eurostat.cells(json.loads(fixture_text(REAL_SAMPLE)))
    # The recording's freq has A and M; only M holds data, at flat indices 2 and 3.
    assert [(c["freq"], c["partner"], c["flow"], c["time"], v) for c, v, _ in found] == [
        ("M", "US", "1", "2024-01", 28417786122),
        ("M", "US", "1", "2024-02", 27944902670),
    ]


def test_the_real_sample_gives_no_annual_row() -> None:
    parsed = eurostat.parse(
        fixture_text(REAL_SAMPLE), "2026-12-05", url="u", partners={"US": "USA"}, years=(2024,)
    )
    assert parsed.rows == [] and parsed.gaps == []  # monthly cells are not annual figures


def test_json_stat_strides_with_an_extra_empty_category() -> None:
    parsed = eurostat.parse(
        fixture_text(EU_KZ), "2026-12-05", url="u", partners={"KZ": "KAZ"}, years=(2022, 2023, 2024)
    )
    got = {(r.year, r.flow): r.value_millions for r in parsed.rows}
    # freq [M, A] x flow [1, 2] x time [2022, 2023, 2024]: strides 6, 3, 1; A starts at 6.
    # Index 7 = A, flow 1 (EU import), 2023: 25,312,400,000 EUR = 25312.4 m.
    assert got == {
        (2023, "import"): 25312.4,
        (2024, "import"): 27081.6,
        (2022, "export"): 8100.0,
        (2023, "export"): 10050.0,
        (2024, "export"): 11270.0,
    }
    assert [g.line() for g in parsed.gaps] == [
        "eurostat 2022 EU27->KAZ import: status c (confidential): left out"
    ]
    by_year = {(r.year, r.flow): r for r in parsed.rows}
    assert "status p" in by_year[(2024, "export")].note
    assert {r.currency for r in parsed.rows} == {"EUR"}


def test_json_stat_that_does_not_fit_its_size_is_malformed() -> None:
    doc = json.loads(fixture_text(EU_KZ))
    doc["size"][0] = 3  # freq claims three categories but indexes two
    with pytest.raises(MalformedAnswer, match="does not fit size"):
        eurostat.cells(doc)
    doc = json.loads(fixture_text(EU_KZ))
    doc["value"]["12"] = 1.0  # a cell past the end of 2 x 1 x 1 x 1 x 2 x 1 x 3 = 12 cells
    with pytest.raises(MalformedAnswer, match="outside the 12 cells"):
        eurostat.cells(doc)


def serve_eurostat(env: Env, files: dict[str, str]) -> None:
    def handle(request: Request) -> Response:
        name = files.get(request.args["partner"])
        if name is None:
            return Response('{"error":[{"status":404,"label":"nothing"}]}', status=404)
        return Response(fixture_text(name), content_type="application/json")

    env.server.expect_request(EUROSTAT_PATH).respond_with_handler(handle)


def test_fetch_from_eurostat(fetch_env: Env) -> None:
    serve_eurostat(fetch_env, {"KZ": EU_KZ})
    result = fetch_env.fetch(
        "--source", "eurostat", "--year", "2022-2024", "--republic", "KAZ", "--partner", "EU27"
    )
    assert result.exit_code == 0, result.stderr
    rows = rows_of(fetch_env.out())
    row = rows[("2023", "EU27", "KAZ", "import")]
    assert row["value_millions"] == "25312.4"
    assert row["currency"] == "EUR"
    assert row["source"].startswith("Eurostat Comext API, DS-045409")
    query = parse_qs(urlsplit(row["source_url"]).query)
    assert query["reporter"] == ["EU27_2020"] and query["partner"] == ["KZ"]
    assert query["flow"] == ["1", "2"] and query["time"] == ["2022", "2023", "2024"]
    assert query["freq"] == ["A"] and query["indicators"] == ["VALUE_IN_EUROS"]
    assert ("2022", "EU27", "KAZ", "import") not in rows  # confidential: never a zero
    assert "left out: eurostat 2022 EU27->KAZ import: status c (confidential)" in result.stderr
    # The bundled ECB rates cover 2015-2025 since the history files: no warning for 2022.
    assert "no ECB EUR/USD rate" not in result.stderr


def test_eurostat_413_for_one_year_is_its_own_message(fetch_env: Env) -> None:
    fetch_env.server.expect_request(EUROSTAT_PATH).respond_with_data(
        fixture_text("eurostat_comext_error_413_extraction_too_big.json"), status=413
    )
    result = fetch_env.fetch(
        "--source", "eurostat", "--year", "2024", "--republic", "KAZ", "--partner", "EU27"
    )
    assert result.exit_code == 69
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        "ca-trade: error: Eurostat Comext (eurostat) answered HTTP 413: EXTRACTION_TOO_BIG: "
        "The requested extraction is too big"
    )
    assert line.endswith("Try: ask for fewer years at a time (--year)")


def test_eurostat_413_for_several_years_is_split_in_two(fetch_env: Env) -> None:
    def handle(request: Request) -> Response:
        if len(request.args.getlist("time")) > 2:
            body = fixture_text("eurostat_comext_error_413_extraction_too_big.json")
            return Response(body, status=413, content_type="application/json")
        return Response(fixture_text(EU_KZ), content_type="application/json")

    fetch_env.server.expect_request(EUROSTAT_PATH).respond_with_handler(handle)
    result = fetch_env.fetch(
        "--source", "eurostat", "--year", "2021-2024", "--republic", "KAZ", "--partner", "EU27"
    )
    assert result.exit_code == 0, result.stderr
    times = [r.args.getlist("time") for r, _ in fetch_env.server.log]
    assert times == [["2021", "2022", "2023", "2024"], ["2021", "2022"], ["2023", "2024"]]
    rows = rows_of(fetch_env.out())
    assert rows[("2024", "EU27", "KAZ", "export")]["source_url"].endswith("time=2023&time=2024")
    assert "no data for EU27 2021 from eurostat" in result.stderr


# ---------------------------------------------------------------- IMF


def imf_parse(name: str, years: tuple[int, ...] = (2023, 2024)):  # type: ignore[no-untyped-def]
    codes = {"KAZ": "KAZ", "CHN": "CHN", "G001": "WLD"}
    return imf.parse(fixture_text(name), "2026-12-05", url="u", codes=codes, years=years)


def test_imf_scale_6_with_values_in_dollars() -> None:
    parsed = imf_parse("imf_kaz_2023_2024.xml")
    got = {(r.year, r.partner, r.flow): r.value_millions for r in parsed.rows}
    # OBS_VALUE 13000000000 with SCALE 6 is $13bn (13000 m), not 13000 trillion.
    assert got == {
        (2023, "CHN", "export"): 13000.0,
        (2024, "CHN", "export"): 15000.0,
        (2023, "CHN", "import"): 14000.0,
        (2024, "CHN", "import"): 15500.0,
        (2024, "WLD", "export"): 80000.0,
    }
    assert "SCALE=6 read as display scale" in parsed.rows[0].note
    # The series in EUR is left out, named; the quarterly one is not an annual figure.
    assert [g.line() for g in parsed.gaps] == [
        "imf 2024 KAZ->WLD import: unit EUR, not US dollars: left out"
    ]


def test_imf_marking_of_a_mirror_figure_makes_it_compiled() -> None:
    rows = {(r.year, r.flow, r.partner): r for r in imf_parse("imf_kaz_2023_2024.xml").rows}
    marked = rows[(2024, "import", "CHN")]
    assert marked.basis == "compiled"
    assert "IMF DERIVATION_TYPE=MIRROR" in marked.note
    assert rows[(2023, "import", "CHN")].basis == "official"
    assert "IMF G001 (World)" in rows[(2024, "export", "WLD")].note


def test_imf_values_already_in_millions_are_refused() -> None:
    with pytest.raises(DataError, match="look already expressed in units of 10\\^6"):
        imf_parse("imf_kaz_already_scaled.xml")


def test_imf_malformed_xml() -> None:
    with pytest.raises(MalformedAnswer, match="not XML"):
        imf.parse("<oops", "2026-12-05", url="u", codes={}, years=(2024,))
    with pytest.raises(MalformedAnswer, match="no DataSet"):
        imf.parse("<html><body/></html>", "2026-12-05", url="u", codes={}, years=(2024,))


def test_fetch_from_the_imf(fetch_env: Env) -> None:
    def handle(request: Request) -> Response:
        key = request.path.removeprefix(IMF_PREFIX)
        if key.startswith("KAZ."):
            return Response(fixture_text("imf_kaz_2023_2024.xml"), content_type="application/xml")
        return Response(fixture_text("imf_no_results_404.txt"), status=404)

    fetch_env.server.expect_request(
        "/imf/data/dataflow/IMF.STA/IMTS/+/KAZ.XG_FOB_USD+MG_CIF_USD.CHN+G001.A"
    ).respond_with_handler(handle)
    fetch_env.server.expect_request(
        "/imf/data/dataflow/IMF.STA/IMTS/+/CHN.XG_FOB_USD+MG_CIF_USD.KAZ.A"
    ).respond_with_handler(handle)
    result = fetch_env.fetch(
        "--source", "imf", "--year", "2023-2024", "--republic", "KAZ", "--partner", "CHN"
    )
    assert result.exit_code == 0, result.stderr
    rows = rows_of(fetch_env.out())
    assert len(rows) == 5
    row = rows[("2024", "KAZ", "CHN", "import")]
    assert row["basis"] == "compiled"
    assert row["source"].startswith("IMF SDMX 3.0 API, IMF.STA IMTS")
    assert row["source_url"].endswith(
        "/imf/data/dataflow/IMF.STA/IMTS/+/KAZ.XG_FOB_USD+MG_CIF_USD.CHN+G001.A"
        "?c%5BTIME_PERIOD%5D=ge:2023-01-01+le:2024-12-31"
        "&dimensionAtObservation=TIME_PERIOD&detail=full"
    )
    accepts = {r.headers.get("Accept") for r, _ in fetch_env.server.log}
    assert accepts == {"application/xml"}
    # The IMF's 404 "No Results Found" is an empty answer, not an error.
    assert "no data for CHN 2023-2024 from imf (the country may not have reported yet)" in (
        result.stderr
    )


def serve_imf(env: Env, kaz_file: str) -> None:
    def handle(request: Request) -> Response:
        if request.path.removeprefix(IMF_PREFIX).startswith("KAZ."):
            return Response(fixture_text(kaz_file), content_type="application/xml")
        return Response(fixture_text("imf_no_results_404.txt"), status=404)

    env.server.expect_request(re.compile("^/imf/")).respond_with_handler(handle)


def test_imf_values_already_scaled_stop_the_fetch_with_65(fetch_env: Env) -> None:
    serve_imf(fetch_env, "imf_kaz_already_scaled.xml")
    result = fetch_env.fetch("--source", "imf", "--year", "2024", "-r", "KAZ", "-p", "CHN")
    assert result.exit_code == 65
    (line,) = result.stderr.splitlines()
    assert "OBS_VALUE is at most 80000 with SCALE 6" in line
    assert not (fetch_env.tmp / "out.csv").exists()
    assert not fetch_env.cache.exists() or not any(fetch_env.cache.iterdir())


def test_all_sources_one_row_per_key_the_others_named(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, {"398": "comtrade_kaz_2023_2024.json"})
    serve_eurostat(fetch_env, {"KZ": EU_KZ})
    serve_imf(fetch_env, "imf_kaz_2023_2024.xml")
    result = fetch_env.fetch(
        "--source", "all", "--year", "2023-2024", "-r", "KAZ", "-p", "CHN", "-p", "EU27"
    )
    assert result.exit_code == 0, result.stderr
    rows = rows_of(fetch_env.out())
    # Comtrade and the IMF both publish KAZ's exports to China in 2024 (15,000 m): one row,
    # Comtrade's, with the IMF's figure named in the note.
    kept = rows[("2024", "KAZ", "CHN", "export")]
    assert kept["source"].startswith("UN Comtrade")
    assert kept["note"].endswith("also IMF SDMX 3.0 API, IMF.STA IMTS (International Trade in "
                                 "Goods), annual: 15000 USD m")  # fmt: skip
    assert rows[("2024", "EU27", "KAZ", "export")]["currency"] == "EUR"  # Eurostat's
    assert "comtrade: the EU is no Comtrade reporter or partner here" in result.stderr
    paths = {r.path.split("/")[1] for r, _ in fetch_env.server.log}
    assert paths == {"comtrade", "eurostat", "imf"}
