"""The cache (offline, refresh, damaged entries) and the Comtrade key (header only, never shown)."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from werkzeug import Request, Response

from ca_trade import progress
from fetch_support import (
    COMTRADE_KEYED_PATH,
    COMTRADE_PATH,
    Env,
    fixture_text,
    rows_of,
    seed_cache,
    serve_comtrade,
)

KAZ_CHN = {"398": "comtrade_kaz_2023_2024.json", "156": "comtrade_chn_kaz_2023_2024.json"}
ARGS = ("--year", "2023-2024", "--republic", "KAZ", "--partner", "CHN")
KEY = "k3y-Zx81-SECRET-9f"


def test_offline_after_one_fetch_gives_the_same_file(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, KAZ_CHN)
    first = fetch_env.fetch(*ARGS, output="first.csv")
    assert first.exit_code == 0, first.stderr
    assert len(fetch_env.server.log) == 2
    entries = sorted(p.name for p in fetch_env.cache.iterdir())
    assert len(entries) == 2 and all(len(n) == 64 + len(".json") for n in entries)
    fetch_env.server.clear()  # the service is gone: every request would now fail
    again = fetch_env.fetch(*ARGS, "--offline", output="again.csv")
    assert again.exit_code == 0, again.stderr
    assert fetch_env.server.log == []
    assert fetch_env.out("again.csv") == fetch_env.out("first.csv")
    assert "2 queries: 2 from the cache, 0 requests" in again.stderr


def test_a_plain_second_run_uses_the_cache_and_refresh_does_not(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, KAZ_CHN)
    fetch_env.fetch(*ARGS)
    assert len(fetch_env.server.log) == 2
    fetch_env.fetch(*ARGS)
    assert len(fetch_env.server.log) == 2
    result = fetch_env.fetch(*ARGS, "--refresh")
    assert result.exit_code == 0
    assert len(fetch_env.server.log) == 4


def test_offline_names_the_queries_not_in_the_cache(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, KAZ_CHN)
    fetch_env.fetch("--year", "2023-2024", "--republic", "KAZ", "--partner", "CHN")
    fetch_env.server.clear()
    result = fetch_env.fetch(
        "--year", "2023-2024", "--republic", "KAZ", "--partner", "CHN", "-p", "RUS", "--offline"
    )
    assert result.exit_code == 0, result.stderr
    missing = [line for line in result.stderr.splitlines() if "not in the cache" in line]
    # KAZ's query changed (RUS added), and Russia's query was never made.
    assert len(missing) == 2
    assert missing[0].startswith("ca-trade: not in the cache (--offline): comtrade KAZ 2023-2024: ")
    assert "partnerCode=156,643,0" in missing[0]
    assert missing[1].startswith("ca-trade: not in the cache (--offline): comtrade RUS 2023-2024")


def test_offline_with_an_empty_cache_is_one_error(fetch_env: Env) -> None:
    result = fetch_env.fetch("--year", "2024", "--republic", "KAZ", "-p", "CHN", "--offline")
    assert result.exit_code == 66
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("ca-trade: error: --offline: none of the 2 queries is in the cache")
    assert fetch_env.server.log == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # a truncated write
        lambda raw: b"\x00\xff" + raw,  # not text
        lambda raw: raw.replace(b"15500000000", b"99900000000"),  # a changed figure
        lambda raw: json.dumps({"format": 1}).encode(),  # fields missing
    ],
    ids=["truncated", "binary", "checksum", "fields"],
)
def test_a_damaged_entry_is_a_miss_with_one_line(fetch_env: Env, damage) -> None:  # type: ignore[no-untyped-def]
    serve_comtrade(fetch_env, {"398": "comtrade_kaz_2023_2024.json"})
    args = ("--year", "2023-2024", "--republic", "KAZ", "--partner", "CHN")
    fetch_env.fetch(*args, output="first.csv")
    kaz_entry = next(p for p in fetch_env.cache.iterdir() if b"reporterCode=398" in p.read_bytes())
    kaz_entry.write_bytes(damage(kaz_entry.read_bytes()))
    offline = fetch_env.fetch(*args, "--offline", output="offline.csv")
    damaged = [line for line in offline.stderr.splitlines() if "damaged" in line]
    assert len(damaged) == 1
    assert damaged[0].startswith("ca-trade: cache entry for http")
    assert "treated as missing" in damaged[0]
    assert "99900" not in offline.stdout + (fetch_env.tmp / "first.csv").read_text()
    # Online, the damaged entry is fetched again and replaced.
    before = len(fetch_env.server.log)
    again = fetch_env.fetch(*args, output="again.csv")
    assert again.exit_code == 0
    assert len(fetch_env.server.log) == before + 1
    assert fetch_env.out("again.csv") == fetch_env.out("first.csv")


def keyed_server(env: Env) -> None:
    def handle(request: Request) -> Response:
        if request.headers.get("Ocp-Apim-Subscription-Key") != KEY:
            return Response(json.dumps({"statusCode": 401, "message": "Access denied"}), 401)
        name = KAZ_CHN.get(request.args["reporterCode"], "comtrade_empty.json")
        return Response(fixture_text(name), content_type="application/json")

    env.server.expect_request(COMTRADE_KEYED_PATH).respond_with_handler(handle)


def drawn_progress(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Let the progress bar draw (as on a terminal) into a buffer the test can read."""
    drawn = io.StringIO()
    console = Console(file=drawn, force_terminal=True, width=120)

    class Visible(progress.Steps):
        def __init__(self, description: str, total: int) -> None:
            super().__init__(description, total, enabled=True, console=console)

    monkeypatch.setattr(progress, "Steps", Visible)
    return drawn


def test_the_key_goes_in_the_header_and_nowhere_else(
    fetch_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    keyed_server(fetch_env)
    drawn = drawn_progress(monkeypatch)
    result = fetch_env.fetch(*ARGS)
    assert result.exit_code == 0, result.stderr
    sent = [r for r, _ in fetch_env.server.log]
    assert [r.headers["Ocp-Apim-Subscription-Key"] for r in sent] == [KEY, KEY]
    assert all(KEY not in r.url for r in sent)
    text = fetch_env.out()
    assert "UN Comtrade data API v1 (keyed)" in text
    assert "/data/v1/get/C/A/HS?" in text
    assert "comtrade KAZ 2023-2024" in drawn.getvalue()  # the bar was drawn...
    places = {
        "data file": text,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "progress": drawn.getvalue(),
        "cache": fetch_env.cache_bytes().decode("utf-8"),
        "cache file names": " ".join(str(p) for p in fetch_env.cache.rglob("*")),
    }
    for where, seen in places.items():
        assert KEY not in seen, where  # ...and held no key


def test_a_bad_key_names_the_variable_and_not_the_key(
    fetch_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "wrong-KEY-0001"
    monkeypatch.setenv("COMTRADE_API_KEY", wrong)

    def handle(request: Request) -> Response:  # a service that echoes what it was sent
        sent = request.headers.get("Ocp-Apim-Subscription-Key")
        return Response(f"Access denied due to invalid subscription key {sent}.", 401)

    fetch_env.server.expect_request(COMTRADE_KEYED_PATH).respond_with_handler(handle)
    result = fetch_env.fetch(*ARGS)
    assert result.exit_code == 69
    assert result.stderr.splitlines() == [
        "ca-trade: error: comtrade refused the key in COMTRADE_API_KEY (HTTP 401: Access denied "
        "due to invalid subscription key ***.). Try: check COMTRADE_API_KEY, or unset it to use "
        "the public preview (no key)"
    ]
    assert wrong not in result.stderr + result.stdout
    assert not (fetch_env.tmp / "out.csv").exists()


def test_without_a_key_the_public_route_is_used(fetch_env: Env) -> None:
    serve_comtrade(fetch_env, KAZ_CHN)
    fetch_env.fetch(*ARGS)
    sent = [r for r, _ in fetch_env.server.log]
    assert {r.path for r in sent} == {COMTRADE_PATH}
    assert all("Ocp-Apim-Subscription-Key" not in r.headers for r in sent)


def test_cache_dir_and_the_retrieval_date_kept_in_the_cache(
    fetch_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CA_TRADE_COMTRADE_URL")  # the UN's own URLs, as seed_cache stores them
    args = seed_cache(fetch_env.tmp / "elsewhere")  # answers retrieved on 2026-12-05
    result = fetch_env.fetch(*args)
    assert result.exit_code == 0, result.stderr
    rows = rows_of(fetch_env.out())
    assert len(rows) == 6  # KAZ with CHN and WLD, CHN with KAZ; 2024; exports and imports
    assert {r["note"].split(";")[0] for r in rows.values()} == {"retrieved 2026-12-05"}
    assert rows[("2024", "CHN", "KAZ", "export")]["source_url"].startswith(
        "https://comtradeapi.un.org/public/v1/preview/C/A/HS?reporterCode=156&period=2024"
    )
    assert fetch_env.server.log == [] and not fetch_env.cache.exists()


def test_with_a_key_a_redirect_is_not_followed(
    fetch_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    fetch_env.server.expect_request(COMTRADE_KEYED_PATH).respond_with_data(
        "", status=302, headers={"Location": "http://elsewhere.invalid/steal"}
    )
    result = fetch_env.fetch(*ARGS)
    assert result.exit_code == 69
    assert "answered HTTP 302" in result.stderr
    assert len(fetch_env.server.log) == 1
