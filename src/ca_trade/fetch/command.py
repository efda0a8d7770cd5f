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
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

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
    lacking: list[str] = field(default_factory=list)  # figures absent from answers with others

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


class Bar(Protocol):
    """A progress display: ``progress.Steps``."""

    def step(self, label: str, *, done: int, total: int | None = None) -> None: ...


@dataclass
class _Tally:
    """What the answers gave so far."""

    sources: tuple[str, ...]
    parts: dict[str, list[Row]] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)
    not_cached: list[str] = field(default_factory=list)
    seen: set[tuple[str, str, int]] = field(default_factory=set)  # (source, reporter, year)
    asked: dict[tuple[str, str, int], None] = field(default_factory=dict)
    absent: dict[tuple[str, str, tuple[str, ...]], list[int]] = field(default_factory=dict)
    hits: int = 0

    def add(self, query: Query, parsed: Parsed) -> None:
        """Count one answer: its rows, the figures it left out, and the figures it lacks."""
        self.parts.setdefault(query.source, []).extend(parsed.rows)
        self.gaps += [gap.line() for gap in parsed.gaps]
        had = {(r.reporter, r.year) for r in parsed.rows}
        had |= {(g.reporter, int(g.year)) for g in parsed.gaps}
        self.seen.update((query.source, reporter, year) for reporter, year in had)
        for reporter in query.reporters:
            for year in query.years:
                self.asked[(query.source, reporter, year)] = None
        # A reporter-year with figures but not every one asked for: name the absent ones.
        written = {(r.year, r.reporter, r.partner, r.flow) for r in parsed.rows}
        written |= {(int(g.year), g.reporter, g.partner, g.flow) for g in parsed.gaps}
        for reporter, year in sorted(had):
            absent = tuple(
                f"{partner} {flow}"
                for partner in query.counterparts
                for flow in ("export", "import")
                if (year, reporter, partner, flow) not in written
            )
            if absent:
                self.absent.setdefault((query.source, reporter, absent), []).append(year)

    def empty(self) -> list[tuple[str, str, str]]:
        """(source, reporter, years) for the reporter-years with nothing, one per reporter."""
        years: dict[tuple[str, str], list[int]] = {}
        for source, reporter, year in self.asked:
            if (source, reporter, year) not in self.seen:
                years.setdefault((source, reporter), []).append(year)
        return [(source, reporter, year_span(found)) for (source, reporter), found in years.items()]

    def lacking(self) -> list[str]:
        """``comtrade CHN 2023-2024: no figure for KGZ export, ...`` for reporter-years that
        have figures, but not every one asked for."""
        return [
            f"{source} {reporter} {year_span(years)}: no figure for {', '.join(absent)}"
            for (source, reporter, absent), years in self.absent.items()
        ]


def run(
    options: Options,
    *,
    say: Callable[[str], None],
    manners: web.Manners | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int], AbstractContextManager[Bar]] | None = None,
) -> Result:
    """Fetch every query of ``options``; raise when nothing at all was found.

    ``progress(total)`` makes the bar (the CLI passes ``progress.Steps``), used when there is
    more than one query; ``manners`` sets pacing and retries (tests: no waiting).
    """
    queries = plan(options, say)
    if not queries:
        raise UsageError("nothing to fetch for this --source, --partner and --republic")
    key = comtrade.api_key()
    client = web.Client(manners or web.default_manners(), secrets=(key,) if key else ())
    store = caching.Cache(cache_dir or caching.default_dir(), say)
    tally = _Tally(options.sources)
    work = list(queries)
    shown = progress(len(work)) if progress is not None and len(work) > 1 else nullcontext()
    with shown as bar, closing(client):
        done = 0
        while work:
            query = work.pop(0)
            if bar is not None:
                bar.step(query.label, done=done, total=done + len(work) + 1)
            answered = _answer(query, options, client, store, key)
            done += 1
            if isinstance(answered, list):  # too big: these smaller queries instead
                work[:0] = answered
            elif answered is None:
                tally.not_cached.append(f"{query.label}: {query.url}")
            else:
                tally.add(query, answered[0])
                tally.hits += answered[1]
        if bar is not None:
            bar.step("done", done=done, total=done)
    rows = merge(tally.parts.get(s, []) for s in options.sources)
    result = Result(
        rows,
        len(queries),
        client.requests,
        tally.hits,
        empty=[f"no data for {r} {y} from {s} ({NOT_YET})" for s, r, y in tally.empty()],
        gaps=tally.gaps,
        not_cached=tally.not_cached,
        lacking=tally.lacking(),
    )
    if not rows:
        _nothing(result, tally.empty())
    return result


def _nothing(result: Result, empty: list[tuple[str, str, str]]) -> None:
    """Raise the one-line error for a fetch that found no figure at all."""
    if result.not_cached and not empty:
        count = len(result.not_cached)
        raise InputError(
            f"--offline: none of the {count} queries is in the cache (first: "
            f"{result.not_cached[0]})",
            hint="run once without --offline",
        )
    if not empty:
        raise InputError("the answers held no figure", hint="try another --source")
    source, reporter, years = empty[0]
    others = "; ".join(f"{r} {y} from {s}" for s, r, y in empty[1:4])
    more = f" (and {len(empty) - 4} more)" if len(empty) > 4 else ""
    raise InputError(
        f"no data for {reporter} {years} from {source} ({NOT_YET})"
        + (f"; nor for {others}{more}" if others else ""),
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
    cache_dir: Path | None = None,
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
        cache_dir=cache_dir,
        progress=lambda total: progress.Steps("fetching", total),
    )
    for line in result.not_cached:
        render.say(f"not in the cache (--offline): {line}")
    for line in result.empty:
        render.say(line)
    for line in result.lacking:
        render.say(f"missing: {line}")
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
