"""The progress bar: only on a terminal, only after a delay, gone when the work ends."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ca_trade import progress


@pytest.fixture
def short_delay(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.02)
    return 0.02


def test_not_shown_when_stderr_is_not_a_terminal(
    short_delay: float, capsys: pytest.CaptureFixture[str]
) -> None:
    with progress.Bytes("importing x", 100) as bar:  # pytest's stderr is not a terminal
        assert not bar.enabled
        time.sleep(short_delay * 5)
        bar.update(50)
        assert bar._bar is None
    assert capsys.readouterr() == ("", "")


def test_shown_after_the_delay_and_stopped_at_the_end(
    short_delay: float, capsys: pytest.CaptureFixture[str]
) -> None:
    with progress.Bytes("importing x", 100, enabled=True) as bar:
        assert bar._bar is None  # not before the delay
        deadline = time.monotonic() + 5
        while bar._bar is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert bar._bar is not None
        bar.update(60)
        assert bar._bar.tasks[0].completed == 60
        bar.update(1000)  # more than the total (a gzip's text outgrows its size) is capped
        assert bar._bar.tasks[0].completed == 100
    assert bar._bar is None
    assert capsys.readouterr().out == ""  # the bar never touches stdout


def test_a_fast_run_never_shows_it(short_delay: float) -> None:
    with progress.Bytes("importing x", 100, enabled=True) as bar:
        bar.update(100)
    time.sleep(short_delay * 5)  # the timer was cancelled: nothing appears later
    assert bar._bar is None and bar._timer is None


def test_reading_a_big_data_file_reports_every_byte(tmp_path: Path) -> None:
    from ca_trade import load

    header = "year,reporter,partner,flow,value_millions,currency,basis,source,source_url,note"
    rows = [
        f"{year},DEU,FRA,{flow},1.5,USD,official,S,https://e.org/,"
        for year in range(1900, 2101)
        for flow in ("export", "import", "total")
    ]
    path = tmp_path / "big.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    seen: list[int] = []
    original = load.fast.FAST_MIN_BYTES, load.fast.BLOCK_BYTES
    load.fast.FAST_MIN_BYTES, load.fast.BLOCK_BYTES = 0, 4096  # the fast reader, in several blocks
    try:
        frame = load.read_trade(path, on_progress=seen.append)
    finally:
        load.fast.FAST_MIN_BYTES, load.fast.BLOCK_BYTES = original
    assert frame.height == len(rows)
    assert len(seen) > 3
    assert seen == sorted(seen)
    assert seen[-1] == path.stat().st_size


def test_no_bar_for_a_small_file_or_a_missing_one(tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_text("year\n")
    assert not progress.reading(small, "small.csv").enabled
    assert not progress.reading(tmp_path / "missing.csv", "missing.csv").enabled
