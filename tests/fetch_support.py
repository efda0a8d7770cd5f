"""Shared set-up for the fetch tests: a local server in each API's format, no waiting.

``fetch_env`` points the three base URLs at pytest-httpserver, the cache at a temp folder, and
makes the manners instant (no pacing, no backoff sleeps: the waits asked for are recorded in
``Env.waits``). Nothing here reaches the internet.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from ca_trade.cli import app
from ca_trade.fetch import http as web
from conftest import DATA

FIXTURES = DATA / "fetch"
COMTRADE_PATH = "/comtrade/public/v1/preview/C/A/HS"
COMTRADE_KEYED_PATH = "/comtrade/data/v1/get/C/A/HS"
EUROSTAT_PATH = "/eurostat/statistics/1.0/data/DS-045409"
IMF_PREFIX = "/imf/data/dataflow/IMF.STA/IMTS/+/"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@dataclass
class Env:
    server: HTTPServer
    cache: Path
    tmp: Path
    waits: list[float] = field(default_factory=list)

    def fetch(self, *args: str, output: str | None = "out.csv"):  # type: ignore[no-untyped-def]
        """Run ``ca-trade fetch ARGS -o tmp/out.csv`` through the CLI, stdout and stderr apart."""
        extra = ["-o", str(self.tmp / output)] if output else []
        return CliRunner().invoke(app, ["fetch", *args, *extra], catch_exceptions=False)

    def out(self, name: str = "out.csv") -> str:
        return (self.tmp / name).read_text(encoding="utf-8")

    def cache_bytes(self) -> bytes:
        return b"".join(p.read_bytes() for p in sorted(self.cache.rglob("*")) if p.is_file())


@pytest.fixture
def fetch_env(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("CA_TRADE_COMTRADE_URL", base + "/comtrade")
    monkeypatch.setenv("CA_TRADE_EUROSTAT_URL", base + "/eurostat")
    monkeypatch.setenv("CA_TRADE_IMF_URL", base + "/imf")
    monkeypatch.setenv("CA_TRADE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    env = Env(httpserver, tmp_path / "cache", tmp_path)

    def instant() -> web.Manners:
        return web.Manners(pace=0.0, timeout=5.0, sleep=env.waits.append)

    monkeypatch.setattr(web, "default_manners", instant)
    return env


def comtrade_by_reporter(files: dict[str, str]) -> Callable[[Request], Response]:
    """A Comtrade handler answering by ``reporterCode`` (unknown reporters: the empty answer)."""

    def handle(request: Request) -> Response:
        name = files.get(request.args.get("reporterCode", ""), "comtrade_empty.json")
        return Response(fixture_text(name), content_type="application/json")

    return handle


def serve_comtrade(env: Env, files: dict[str, str]) -> None:
    env.server.expect_request(COMTRADE_PATH).respond_with_handler(comtrade_by_reporter(files))


def rows_of(text: str) -> dict[tuple[str, str, str, str], dict[str, str]]:
    """A data file's rows by key (year, reporter, partner, flow)."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    return {(r["year"], r["reporter"], r["partner"], r["flow"]): r for r in reader}


def json_body(data: object) -> str:
    return json.dumps(data)


def seed_cache(folder: Path) -> list[str]:
    """A cache holding the Comtrade answers for KAZ with CHN, 2024, at the UN's real URLs (so
    that ``fetch --year 2024 -r KAZ -p CHN --offline --cache-dir FOLDER`` runs with no server);
    the arguments to run it."""
    import os

    from ca_trade.fetch import cache, comtrade
    from ca_trade.fetch.scope import Scope

    saved = os.environ.pop(comtrade.ENV_URL, None)
    try:
        queries = comtrade.queries(Scope((2024,), ("KAZ",), ("CHN",)), None, lambda _: None)
    finally:
        if saved is not None:
            os.environ[comtrade.ENV_URL] = saved
    store = cache.Cache(folder, lambda _: None)
    answers = {"KAZ": "comtrade_kaz_2023_2024.json", "CHN": "comtrade_chn_kaz_2023_2024.json"}
    for query in queries:
        text = fixture_text(answers[query.reporters[0]])
        key = cache.query_key(query.source, query.url, query.accept)
        store.put(key, cache.Entry(query.url, text, "2026-12-05"))
    return ["--year", "2024", "-r", "KAZ", "-p", "CHN", "--offline", "--cache-dir", str(folder)]
