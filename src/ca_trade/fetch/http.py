"""HTTP for ``fetch``: one GET at a time, paced, with timeouts and a few retries.

The only module of ca-trade that imports httpx (inside ``Client``, so importing this module
costs nothing). The manners the services ask for:

- pacing: at least ``Manners.pace`` seconds between the starts of two requests (about one a
  second: Comtrade asks for it); tests set it to zero;
- timeouts (``Manners.timeout``), then at most ``Manners.retries`` more tries, with exponential
  backoff, on a timeout, 429 or 5xx; a ``Retry-After`` header (seconds or an HTTP date) is
  honoured, up to ``Manners.longest_wait``;
- a secret (the Comtrade key) travels in a header only, and is cut out of every message; with
  a secret, redirects are not followed (the header would go to wherever they point).

Errors are ``ServiceError`` (exit 69), one line each: no network or DNS failure ("check your
connection, or use --offline"), a timeout, or the service's HTTP status with the first line of
its answer.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ca_trade.errors import ServiceError

OFFLINE_HINT = "check your connection, or use --offline"


@dataclass
class Manners:
    """How politely to ask: pacing, timeouts, retries. ``sleep``/``clock`` are injectable."""

    pace: float = 1.0
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 2.0
    longest_wait: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def default_manners() -> Manners:
    """The manners a real run uses (tests replace this function's result)."""
    return Manners()


@dataclass
class Answer:
    """A successful (2xx) answer: its status, content type and text."""

    status: int
    content_type: str
    text: str


@dataclass
class Refusal:
    """An HTTP error answer that retrying will not change (4xx other than 429)."""

    status: int
    text: str


@dataclass
class Client:
    """A paced GET with retries. ``secrets`` are cut out of every message it raises."""

    manners: Manners = field(default_factory=default_manners)
    secrets: tuple[str, ...] = ()
    requests: int = 0
    _last: float | None = None
    _client: Any = None

    def get(
        self, url: str, *, source: str, headers: dict[str, str] | None = None
    ) -> Answer | Refusal:
        """GET ``url``: the answer, a refusal (4xx), or ``ServiceError`` after the retries."""
        import httpx

        if self._client is None:
            from ca_trade import __version__

            # A redirect is followed only when no secret travels: httpx keeps custom headers
            # (the key's) on a redirect to another host.
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.manners.timeout),
                follow_redirects=not any(self.secrets),
                headers={"User-Agent": f"ca-trade/{__version__} (+fetch)"},
            )
        host = urlsplit(url).netloc or url
        attempt = 0
        while True:
            self._wait_turn()
            self.requests += 1
            try:
                response = self._client.get(url, headers=headers or {})
            except httpx.TimeoutException:
                if attempt < self.manners.retries:
                    attempt += 1
                    self._backoff(attempt, None)
                    continue
                raise ServiceError(
                    f"{source} did not answer within {self.manners.timeout:g} s "
                    f"({attempt + 1} tries)",
                    hint=OFFLINE_HINT,
                ) from None
            except httpx.TransportError as err:  # DNS, refused, reset: no retry helps soon
                raise ServiceError(
                    f"cannot reach {host} ({self.clean(_reason(err))})", hint=OFFLINE_HINT
                ) from None
            status = response.status_code
            if 200 <= status < 300:
                return Answer(status, response.headers.get("content-type", ""), response.text)
            if (status == 429 or status >= 500) and attempt < self.manners.retries:
                attempt += 1
                self._backoff(attempt, response.headers.get("retry-after"))
                continue
            if status == 429 or status >= 500:
                said = first_line(self.clean(response.text))
                raise ServiceError(
                    f"{source} answered HTTP {status}{': ' + said if said else ''} "
                    f"({attempt + 1} tries)",
                    hint="try again later",
                )
            return Refusal(status, self.clean(response.text))

    def clean(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _wait_turn(self) -> None:
        now = self.manners.clock()
        if self._last is not None:
            wait = self._last + self.manners.pace - now
            if wait > 0:
                self.manners.sleep(wait)
                now += wait
        self._last = now

    def _backoff(self, attempt: int, retry_after: str | None) -> None:
        wait = self.manners.backoff ** (attempt - 1)
        asked = parse_retry_after(retry_after)
        if asked is not None:
            if asked > self.manners.longest_wait:
                raise ServiceError(
                    f"rate-limited: the service asks to wait {asked:.0f} s",
                    hint="try again later",
                )
            wait = max(wait, asked)
        if wait > 0:
            self.manners.sleep(wait)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    import datetime as dt

    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def first_line(text: str, limit: int = 200) -> str:
    """The first non-blank line of ``text``, at most ``limit`` characters."""
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


def _reason(err: Exception) -> str:
    text = str(err) or type(err).__name__
    return first_line(text)
