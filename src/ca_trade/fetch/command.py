"""``ca-trade fetch``: plan the queries, answer each from the cache or the service, gather the
rows and say what is missing.

Order of work for each query: the cache (unless ``refresh``), else the service (unless
``offline``); an answer is parsed before it is cached, so a malformed answer is never stored.
Nothing is summed or derived: the rows are the figures as published, one per key (with
``--source all``, the first source's figure is kept and the others' named in its note).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ca_trade.errors import InputError, ServiceError, UsageError
from ca_trade.fetch import cache as caching
from ca_trade.fetch import comtrade, eurostat, imf
from ca_trade.fetch import http as web
from ca_trade.fetch.rows import (
    SOURCES,
    TITLES,
    MalformedAnswer,
    Parsed,
    Query,
    Row,
    data_file_text,
    merge,
    year_span,
)
from ca_trade.fetch.scope import Scope

NOT_YET = "the country may not have reported yet"


@dataclass
class Options:
    """What the user asked for."""

    scope: Scope
    sources: tuple[str, ...] = ("comtrade",)
    refresh: bool = False
    offline: bool = False


@dataclass
class Result:
    """What a fetch gave: the rows (and the data file's text) and what is missing."""

    rows: list[Row]
    queries: int
    requests: int
    from_cache: int
    empty: list[str] = field(default_factory=list)  # "no data for KAZ 2025 from comtrade (...)"
    gaps: list[str] = field(default_factory=list)  # figures left out, one line each
    not_cached: list[str] = field(default_factory=list)  # --offline: queries not in the cache

    @property
    def text(self) -> str:
        """The data file."""
        return data_file_text(self.rows)


def parse_sources(value: str) -> tuple[str, ...]:
    """``--source``: comtrade, eurostat, imf (comma-separated), or all."""
    if value.strip().lower() == "all":
        return SOURCES
    chosen = []
    for part in value.split(","):
        name = part.strip().lower()
        if name not in SOURCES:
            raise UsageError(
                f"--source {part.strip()!r} is not one of comtrade, eurostat, imf, all",
                hint="--source comtrade",
            )
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def plan(options: Options, say: Callable[[str], None]) -> list[Query]:
    """The queries for the sources and scope asked for, in order."""
    found: list[Query] = []
    for source in options.sources:
        if source == "comtrade":
            found += comtrade.queries(options.scope, comtrade.api_key(), say)
        elif source == "eurostat":
            found += eurostat.queries(options.scope, say)
        else:
            found += imf.queries(options.scope)
    return found


def run(
    options: Options,
    *,
    say: Callable[[str], None],
    manners: web.Manners | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int], object] | None = None,
) -> Result:
    """Fetch every query of ``options``; raise when nothing at all was found.

    ``progress(total)`` makes a context manager with ``step(label, done=, total=)`` (the CLI
    passes ``progress.Steps``); ``manners`` sets pacing and retries (tests: no waiting).
    """
    queries = plan(options, say)
    if not queries:
        raise UsageError("nothing to fetch for this --source, --partner and --republic")
    key = comtrade.api_key()
    client = web.Client(manners or web.default_manners(), secrets=(key,) if key else ())
    store = caching.Cache(cache_dir or caching.default_dir(), say)
    parts: dict[str, list[Row]] = {source: [] for source in options.sources}
    gaps: list[str] = []
    not_cached: list[str] = []
    seen: set[tuple[str, str, int]] = set()  # (source, reporter, year) with any figure
    asked: list[tuple[str, str, int]] = []
    hits = 0
    work = list(queries)
    bar = progress(len(work)) if progress is not None and len(work) > 1 else None
    try:
        if bar is not None:
            bar.__enter__()  # type: ignore[attr-defined]
        done = 0
        while work:
            query = work.pop(0)
            if bar is not None:
                bar.step(query.label, done=done, total=done + len(work) + 1)  # type: ignore[attr-defined]
            answered = _answer(query, options, client, store, key)
            done += 1
            if isinstance(answered, list):  # too big: split into these smaller queries
                work[:0] = answered
                continue
            if answered is None:
                not_cached.append(f"{query.label}: {query.url}")
                continue
            parsed, cached = answered
            hits += cached
            parts[query.source] += parsed.rows
            gaps += [gap.line() for gap in parsed.gaps]
            seen.update((query.source, r.reporter, r.year) for r in parsed.rows)
            seen.update((query.source, g.reporter, int(g.year)) for g in parsed.gaps)
            asked += [(query.source, r, y) for r in query.reporters for y in query.years]
        if bar is not None:
            bar.step("done", done=done, total=done)  # type: ignore[attr-defined]
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)  # type: ignore[attr-defined]
        client.close()
    empty = []
    for source, reporter, year in dict.fromkeys(asked):
        if (source, reporter, year) not in seen:
            empty.append(f"no data for {reporter} {year} from {source} ({NOT_YET})")
    rows = merge(parts[s] for s in options.sources)
    result = Result(rows, len(queries), client.requests, hits, empty, gaps, not_cached)
    if not rows:
        _nothing(result, options)
    return result


def _nothing(result: Result, options: Options) -> None:
    """Raise the one-line error for a fetch that found no figure at all."""
    if result.not_cached and not result.empty:
        count = len(result.not_cached)
        raise InputError(
            f"--offline: {'none of the' if count > 1 else 'the'} {count} "
            f"quer{'ies is' if count > 1 else 'y is not'} in the cache"
            + (f" (first: {result.not_cached[0]})" if count > 1 else f" ({result.not_cached[0]})"),
            hint="run once without --offline",
        )
    first = result.empty[0] if result.empty else "no figure in the answers"
    more = len(result.empty) - 1
    years = year_span(options.scope.years)
    raise InputError(
        first + (f", and {more} more (years {years})" if more > 0 else ""),
        hint="try earlier years, or another --source",
    )


def _answer(
    query: Query, options: Options, client: web.Client, store: caching.Cache, key: str | None
) -> tuple[Parsed, int] | list[Query] | None:
    """The query's rows and whether they came from the cache (1) or not (0); a list of smaller
    queries when the service found it too big; None when offline and not cached."""
    cache_key = caching.query_key(query.source, query.url, query.accept)
    if not options.refresh:
        entry = store.get(cache_key, query.url)
        if entry is not None:
            try:
                return _parse(query, entry.text, entry.retrieved), 1
            except MalformedAnswer as err:
                store.say(f"cache entry for {query.url} is damaged ({err}): treated as missing")
    if options.offline:
        return None
    headers = {"Accept": query.accept, **dict(query.headers)}
    answer = client.get(query.url, source=query.source, headers=headers)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    if isinstance(answer, web.Refusal):
        if answer.status in query.empty_statuses:
            store.put(cache_key, caching.Entry(query.url, "", today))
            return Parsed(), 0
        smaller = _split(query, answer.status)
        if smaller:
            return smaller
        raise _refused(query, answer, key)
    try:
        parsed = _parse(query, answer.text, today)
    except MalformedAnswer as err:
        raise ServiceError(
            f"{query.source} sent an answer that cannot be read ({client.clean(str(err))}) "
            f"for {query.label}",
            hint="try again later; nothing was written or cached",
        ) from None
    store.put(cache_key, caching.Entry(query.url, answer.text, today))
    return parsed, 0


def _parse(query: Query, text: str, retrieved: str) -> Parsed:
    if text == "" and query.empty_statuses:  # a cached "no data" (IMF's 404)
        return Parsed()
    return query.parse(text, retrieved)


def _split(query: Query, status: int) -> list[Query]:
    """A 413 (extraction too big) for several years: the same query, half the years each (a
    single year that is too big is an error)."""
    if status != 413 or query.narrower is None or len(query.years) < 2:
        return []
    middle = len(query.years) // 2
    return [query.narrower(query.years[:middle]), query.narrower(query.years[middle:])]


def _refused(query: Query, answer: web.Refusal, key: str | None) -> ServiceError:
    """The error for an HTTP error answer: the status and the service's own message."""
    said = _message(answer.text)
    if query.source == "comtrade" and key and answer.status in (401, 403):
        return ServiceError(
            f"comtrade refused the key in {comtrade.ENV_KEY} (HTTP {answer.status}"
            + (f": {said}" if said else "")
            + ")",
            hint=f"check {comtrade.ENV_KEY}, or unset it to use the public preview (no key)",
        )
    hint = "try again later"
    if answer.status == 413:
        hint = "ask for fewer years at a time (--year)"
    elif answer.status in (400, 404):
        hint = "check --year, --partner and --republic"
    return ServiceError(
        f"{TITLES[query.source]} ({query.source}) answered HTTP {answer.status}"
        + (f": {said}" if said else "")
        + f" for {query.label}",
        hint=hint,
    )


def _message(text: str) -> str:
    """The service's message in an error body: Eurostat's ``error[0].label``, Comtrade's
    ``message``/``statusCode``, else the first line of the text."""
    try:
        doc = json.loads(text)
    except ValueError:
        return web.first_line(text)
    if isinstance(doc, dict):
        errors = doc.get("error")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return web.first_line(str(errors[0].get("label") or errors[0]))
        for name in ("message", "Message", "error", "title", "detail"):
            if doc.get(name):
                return web.first_line(str(doc[name]))
    return web.first_line(text)


def fetch_to(
    output: Path | None,
    *,
    sources: str,
    years: list[str],
    partners: list[str],
    republics: list[str],
    refresh: bool = False,
    offline: bool = False,
    manners: web.Manners | None = None,
) -> Result:
    """The whole command: parse the options, fetch, write the data file (whole or not at all)
    to ``output`` or stdout, and tell stderr what is missing and what was written."""
    from ca_trade import progress, render
    from ca_trade.fetch import scope as sc
    from ca_trade.output_common import stdout_is_terminal

    if refresh and offline:
        raise UsageError("--refresh and --offline contradict each other", hint="choose one")
    if not years:
        raise UsageError("which years? --year is required", hint="--year 2024, --year 2015-2024")
    if output is None and stdout_is_terminal():
        raise UsageError(
            "fetch writes a data file: give -o FILE, or pipe it",
            hint="ca-trade fetch --year 2024 -o trade.csv",
        )
    scope = Scope(
        years=sc.parse_years(years),
        republics=sc.parse_republics(republics),
        partners=sc.parse_partners(partners),
    )
    options = Options(scope, parse_sources(sources), refresh=refresh, offline=offline)
    result = run(
        options,
        say=render.say,
        manners=manners,
        progress=lambda total: progress.Steps("fetching", total),
    )
    for line in result.not_cached:
        render.say(f"not in the cache (--offline): {line}")
    for line in result.empty:
        render.say(line)
    for line in result.gaps:
        render.say(f"left out: {line}")
    render.write_text(result.text, output)
    titles = ", ".join(TITLES[s] for s in options.sources)
    where = f" to {output}" if output is not None else ""
    render.say(
        f"{len(result.rows)} rows ({titles}, {year_span(scope.years)}){where}; "
        f"{result.queries} queries: {result.from_cache} from the cache, "
        f"{result.requests} requests"
    )
    for warning in _rate_warnings(result.rows):
        render.say(f"warning: {warning}")
    return result


def _rate_warnings(rows: list[Row]) -> list[str]:
    """A warning for EUR rows of years with no ECB rate in the rates file."""
    years = sorted({r.year for r in rows if r.currency == "EUR"})
    if not years:
        return []
    from ca_trade import load

    rates = load.read_rates()
    missing = [str(y) for y in years if y not in rates]
    if not missing:
        return []
    return [
        f"no ECB EUR/USD rate for {', '.join(missing)} in the rates file: the EUR rows of "
        "these years cannot be converted until it is added"
    ]
