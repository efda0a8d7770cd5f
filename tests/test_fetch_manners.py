"""Retries, Retry-After, timeouts, pacing and the errors of ``fetch`` (a local server only)."""

from __future__ import annotations

import socket
import time

import pytest
from werkzeug import Request, Response

from ca_trade.errors import ServiceError
from ca_trade.fetch import http as web
from fetch_support import (
    COMTRADE_PATH,
    Env,
    fixture_text,
    rows_of,
)

KAZ = ("--year", "2023-2024", "--republic", "KAZ", "--partner", "CHN")
KAZ_ANSWER = fixture_text("comtrade_kaz_2023_2024.json")


def serve_kaz_only(env: Env) -> None:
    def handle(request: Request) -> Response:
        text = KAZ_ANSWER if request.args["reporterCode"] == "398" else '{"count":0,"data":[]}'
        return Response(text, content_type="application/json")

    env.server.expect_request(COMTRADE_PATH).respond_with_handler(handle)


def test_a_429_then_success_waits_as_asked(fetch_env: Env) -> None:
    fetch_env.server.expect_oneshot_request(COMTRADE_PATH).respond_with_data(
        "Too many requests", status=429, headers={"Retry-After": "7"}
    )
    serve_kaz_only(fetch_env)
    result = fetch_env.fetch(*KAZ)
    assert result.exit_code == 0, result.stderr
    assert len(rows_of(fetch_env.out())) == 8
    assert len(fetch_env.server.log) == 3  # the 429, its retry, China's query
    # Retry-After: 7 beats the first backoff step (1 s).
    assert fetch_env.waits == [7.0]


def test_5xx_is_retried_a_few_times_then_one_line_and_69(fetch_env: Env) -> None:
    fetch_env.server.expect_request(COMTRADE_PATH).respond_with_data(
        "Service Unavailable\nsecond line", status=503
    )
    result = fetch_env.fetch(*KAZ)
    assert result.exit_code == 69
    assert result.stderr.splitlines() == [
        "ca-trade: error: comtrade answered HTTP 503: Service Unavailable (4 tries). "
        "Try: try again later"
    ]
    assert len(fetch_env.server.log) == 4  # one try and three retries
    assert fetch_env.waits == [1.0, 2.0, 4.0]  # exponential backoff
    assert not (fetch_env.tmp / "out.csv").exists()


def test_a_5xx_then_success(fetch_env: Env) -> None:
    fetch_env.server.expect_oneshot_request(COMTRADE_PATH).respond_with_data("oops", status=502)
    serve_kaz_only(fetch_env)
    assert fetch_env.fetch(*KAZ).exit_code == 0
    assert fetch_env.waits == [1.0]


def test_a_timeout(fetch_env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response(KAZ_ANSWER, content_type="application/json")

    fetch_env.server.expect_request(COMTRADE_PATH).respond_with_handler(slow)
    waits: list[float] = []
    monkeypatch.setattr(
        web,
        "default_manners",
        lambda: web.Manners(pace=0, timeout=0.2, retries=1, sleep=waits.append),
    )
    result = fetch_env.fetch(*KAZ)
    assert result.exit_code == 69
    assert result.stderr.splitlines() == [
        "ca-trade: error: comtrade did not answer within 0.2 s (2 tries). "
        "Try: check your connection, or use --offline"
    ]
    assert waits == [1.0]


def test_a_malformed_body_is_an_error_and_is_not_cached(fetch_env: Env) -> None:
    fetch_env.server.expect_request(COMTRADE_PATH).respond_with_data(
        "<html><body>Maintenance</body></html>", content_type="text/html"
    )
    result = fetch_env.fetch(*KAZ)
    assert result.exit_code == 69
    (line,) = result.stderr.splitlines()
    assert line.startswith("ca-trade: error: comtrade sent an answer that cannot be read (not JSON")
    assert "for comtrade KAZ 2023-2024" in line
    assert not (fetch_env.tmp / "out.csv").exists()
    assert not fetch_env.cache.exists() or not any(fetch_env.cache.iterdir())


def test_a_body_in_json_but_not_comtrades_shape(fetch_env: Env) -> None:
    fetch_env.server.expect_request(COMTRADE_PATH).respond_with_json({"count": 1})
    result = fetch_env.fetch(*KAZ)
    assert result.exit_code == 69
    assert "no 'data' list in the answer" in result.stderr


def test_no_network_says_check_your_connection(
    fetch_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("CA_TRADE_COMTRADE_URL", f"http://127.0.0.1:{port}")
    result = fetch_env.fetch(*KAZ)
    assert result.exit_code == 69
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"ca-trade: error: cannot reach 127.0.0.1:{port} (")
    assert line.endswith("Try: check your connection, or use --offline")


def test_dns_failure_says_check_your_connection(
    fetch_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    # .invalid never resolves (RFC 2606), so this needs no network at all.
    monkeypatch.setenv("CA_TRADE_COMTRADE_URL", "http://comtrade.invalid")
    result = fetch_env.fetch(*KAZ)
    assert result.exit_code == 69
    assert "cannot reach comtrade.invalid" in result.stderr
    assert "check your connection, or use --offline" in result.stderr


def test_an_api_error_gives_its_status_and_message(fetch_env: Env) -> None:
    fetch_env.server.expect_request(COMTRADE_PATH).respond_with_json(
        {"statusCode": 400, "message": "Invalid reporterCode"}, status=400
    )
    result = fetch_env.fetch(*KAZ)
    assert result.exit_code == 69
    assert result.stderr.splitlines() == [
        "ca-trade: error: UN Comtrade (comtrade) answered HTTP 400: Invalid reporterCode for "
        "comtrade KAZ 2023-2024. Try: check --year, --partner and --republic"
    ]
    assert len(fetch_env.server.log) == 1  # a 4xx is not retried


def test_a_retry_after_beyond_reason_is_not_waited(fetch_env: Env) -> None:
    fetch_env.server.expect_request(COMTRADE_PATH).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "86400"}
    )
    result = fetch_env.fetch(*KAZ)
    assert result.exit_code == 69
    assert "rate-limited: the service asks to wait 86400 s" in result.stderr
    assert fetch_env.waits == []


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_requests_are_paced_one_a_second(fetch_env: Env) -> None:
    fetch_env.server.expect_request("/x").respond_with_data("ok")
    fake = FakeClock()
    client = web.Client(web.Manners(pace=1.0, sleep=fake.sleep, clock=fake.clock))
    url = fetch_env.server.url_for("/x")
    client.get(url, source="test")
    fake.now += 0.25  # the work between two requests took a quarter of a second
    client.get(url, source="test")
    client.get(url, source="test")
    client.close()
    assert fake.slept == [0.75, 1.0]  # each start at least 1 s after the one before


def test_retry_after_as_an_http_date() -> None:
    later = time.time() + 30
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(later))
    waited = web.parse_retry_after(stamp)
    assert waited is not None and 28 <= waited <= 30
    assert web.parse_retry_after("12") == 12.0
    assert web.parse_retry_after("soon") is None
    assert web.parse_retry_after(None) is None


def test_errors_never_carry_the_secret(fetch_env: Env) -> None:
    fetch_env.server.expect_request("/x").respond_with_data("bad key s3cr3t-KEY", status=500)
    client = web.Client(
        web.Manners(pace=0, retries=0, sleep=lambda s: None), secrets=("s3cr3t-KEY",)
    )
    with pytest.raises(ServiceError) as caught:
        client.get(fetch_env.server.url_for("/x"), source="test")
    assert "s3cr3t-KEY" not in caught.value.one_line()
    assert "bad key ***" in caught.value.one_line()
