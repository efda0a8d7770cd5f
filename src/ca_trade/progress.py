"""Progress on stderr for long work: shown only on a terminal, only after a short delay.

Rich is imported only when the bar is actually shown, so a fast or piped run pays nothing.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

DELAY_SECONDS = 1.0
# Files smaller than this are read too fast for a bar (and start no timer thread).
READING_MIN_BYTES = 32 << 20


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Bytes:
    """A byte-count progress bar for reading ``total`` bytes, shown after ``DELAY_SECONDS``.

    Use as a context manager and call ``update(done)`` as often as you like.
    """

    def __init__(self, description: str, total: int, *, enabled: bool | None = None) -> None:
        self.description = description
        self.total = max(total, 1)
        self.enabled = _stderr_is_terminal() if enabled is None else enabled
        self.started = time.monotonic()
        self.done = 0
        self._bar: Any = None
        self._task: Any = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> Bytes:
        if self.enabled:
            self._timer = threading.Timer(DELAY_SECONDS, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with self._lock:
            if self._timer is None:  # already finished
                return
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._bar.add_task(self.description, total=self.total)
            self._bar.update(self._task, completed=min(self.done, self.total))
            self._bar.start()

    def update(self, done: int) -> None:
        self.done = done
        with self._lock:
            if self._bar is not None:
                self._bar.update(self._task, completed=min(done, self.total))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._bar is not None:
                self._bar.stop()
                self._bar = None


def reading(path: Path, name: str) -> Bytes:
    """The bar for reading a data file (``reading NAME``); off for files under
    ``READING_MIN_BYTES`` and for a path that cannot be looked at (its reader says why)."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return Bytes(f"reading {name}", size, enabled=None if size >= READING_MIN_BYTES else False)


class Steps:
    """A bar counting steps (``fetch``'s requests), with the current step's label.

    Shown on stderr from the first step when ``enabled`` (default: stderr is a terminal);
    ``console`` lets tests read what it drew. Rich is imported only when it is shown.
    """

    def __init__(
        self, description: str, total: int, *, enabled: bool | None = None, console: Any = None
    ) -> None:
        self.description = description
        self.total = max(total, 1)
        self.enabled = _stderr_is_terminal() if enabled is None else enabled
        self.console = console
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Steps:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=self.console or Console(stderr=True),
                transient=self.console is None,
            )
            self._task = self._bar.add_task(self.description, total=self.total)
            self._bar.start()
        return self

    def step(self, label: str, *, done: int, total: int | None = None) -> None:
        """Show ``label`` as the current step, ``done`` steps finished (``total`` may grow)."""
        if total is not None:
            self.total = max(total, 1)
        if self._bar is not None:
            self._bar.update(
                self._task, description=label, completed=done, total=self.total, refresh=True
            )

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
