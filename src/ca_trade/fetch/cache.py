"""The answers ``fetch`` has had, on disk, keyed by the query: what makes a second run offline.

The folder is the user's cache directory (``platformdirs.user_cache_dir("ca-trade")``, e.g.
``~/.cache/ca-trade/fetch`` on Linux, so ``XDG_CACHE_HOME`` moves it), or ``CA_TRADE_CACHE_DIR``.
An entry is one JSON file named by the SHA-256 of the query (source, URL, Accept header): the
URL never holds a key (keys travel in a header), and neither does the entry. It keeps the
answer's text exactly, its SHA-256 and the retrieval date, so the same query always gives the
same rows, dated the day they were really retrieved.

An entry that cannot be read, is not JSON, lacks a field or whose text no longer matches its
checksum (a truncated write, a disk error) is a miss, with one line on stderr; never a crash,
never a figure. Entries are written to a temp file and renamed, so a crash leaves no half entry;
a cache that cannot be written is one warning, not a failed fetch.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FORMAT = 1


def default_dir() -> Path:
    """``CA_TRADE_CACHE_DIR``, else the user's cache directory for ca-trade, ``/fetch``."""
    chosen = os.environ.get("CA_TRADE_CACHE_DIR")
    if chosen:
        return Path(chosen)
    import platformdirs

    return Path(platformdirs.user_cache_dir("ca-trade", appauthor=False)) / "fetch"


def query_key(source: str, url: str, accept: str) -> str:
    """The cache key of a query: SHA-256 of its source, URL and Accept header."""
    return hashlib.sha256(f"{source}\n{url}\n{accept}".encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """A cached answer: the query's URL, the answer's text and when it was retrieved."""

    url: str
    text: str
    retrieved: str  # ISO date, UTC


@dataclass
class Cache:
    """Answers on disk. ``say`` takes the one-line warnings (a damaged entry, no space)."""

    folder: Path
    say: Callable[[str], None]

    def path(self, key: str) -> Path:
        """Where the entry of ``key`` lives."""
        return self.folder / f"{key}.json"

    def get(self, key: str, url: str) -> Entry | None:
        """The entry for ``key``, or None (missing or damaged: a damaged one says so)."""
        path = self.path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            self.say(f"cache entry for {url} cannot be read ({err.strerror}): treated as missing")
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
            text, retrieved, saved_url = data["text"], data["retrieved"], data["url"]
            digest = data["sha256"]
            ok = (
                data.get("format") == FORMAT
                and isinstance(text, str)
                and isinstance(retrieved, str)
                and saved_url == url
                and hashlib.sha256(text.encode("utf-8")).hexdigest() == digest
            )
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            self.say(f"cache entry for {url} is damaged: treated as missing ({path.name})")
            return None
        return Entry(url=url, text=text, retrieved=retrieved)

    def put(self, key: str, entry: Entry) -> None:
        """Store an entry whole (temp file and rename); a failure is one warning."""
        body = {
            "format": FORMAT,
            "url": entry.url,
            "retrieved": entry.retrieved,
            "sha256": hashlib.sha256(entry.text.encode("utf-8")).hexdigest(),
            "text": entry.text,
        }
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        temp_name = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path(key))
            temp_name = None
        except OSError as err:
            self.say(f"cannot write the cache in {self.folder} ({err.strerror or err})")
        finally:
            if temp_name is not None:
                try:
                    os.unlink(temp_name)
                except OSError:
                    pass
