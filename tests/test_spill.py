"""Key hashes on disk (``spill.KeyHashes``): the same repeats found, and nothing left behind.

Past ``spill.HASHES_HELD`` rows the loader's key hashes go to disk, so that memory stays flat
from one to ten million rows. Here the limit is made tiny, so that the smallest files spill.
"""

from __future__ import annotations

import errno
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ca_trade import load, spill
from conftest import DATA, invoke

RATES = {2023: 1.0813, 2024: 1.0824}
HEADER = "year,reporter,partner,flow,value_millions,currency,basis,source,source_url,note"

# Hashes from a small pool (so that some repeat), spread over the whole 64-bit range (so that
# every partition is used): top bits from 0 to 15.
hash_values = st.builds(
    lambda top, low: (top << 60) | low,
    st.integers(0, 15),
    st.integers(0, 40),
)


@settings(max_examples=80, deadline=None)
@given(
    batches=st.lists(st.lists(hash_values, max_size=12), max_size=8),
    limit=st.integers(0, 12),
)
# Spilled, then a batch held in memory when repeats are asked for: both halves are searched.
@example(batches=[[1, 2, 3], [3, 4]], limit=2).via("spill, then hold")
def test_repeats_are_the_values_seen_more_than_once(batches: list[list[int]], limit: int) -> None:
    counts = Counter(value for batch in batches for value in batch)
    expected = sorted(value for value, n in counts.items() if n > 1)
    with spill.KeyHashes(limit) as hashes:
        for batch in batches:
            hashes.add(pl.Series("hash", batch, dtype=pl.UInt64))
        spilled = hashes.spill_dir
        found = sorted(hashes.repeated().to_list())
    assert found == expected
    if spilled is not None:
        assert not spilled.exists()  # removed on leaving the block


def test_a_large_limit_never_touches_the_disk() -> None:
    with spill.KeyHashes() as hashes:
        hashes.add(pl.Series("hash", [1, 2, 2], dtype=pl.UInt64))
        assert hashes.repeated().to_list() == [2]
        assert hashes.spill_dir is None


def _rows(count: int) -> list[str]:
    """``count`` distinct valid rows (every (reporter, partner) pair of ca-trade's codes)."""
    codes = ["CHN", "EU27", "RUS", "KAZ", "KGZ", "TJK", "TKM", "UZB", "CA5", "WLD"]
    rows = []
    for year in range(2000, 2030):
        for reporter in codes:
            for partner in codes:
                if reporter != partner:
                    rows.append(
                        f"{year},{reporter},{partner},export,1.5,USD,official,S,https://e.org/,"
                    )
    assert len(rows) >= count
    return rows[:count]


@pytest.mark.parametrize("fast", [True, False], ids=["fast-reader", "exact-reader"])
def test_duplicate_keys_are_placed_the_same_when_the_hashes_spill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    rows = _rows(2000)
    # Line numbers: the header is line 1, so rows[i] is on line i + 2. Repeats of the rows on
    # lines 2 and 1,501, far apart (in different spills and batches), and one within a batch.
    lines = [HEADER, *rows, rows[0], rows[1499], rows[1499].replace("1.5", "2.5"), rows[10]]
    path = tmp_path / "repeats.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(load.fast, "FAST_MIN_BYTES", 0 if fast else 1 << 40)
    monkeypatch.setattr(load.fast, "BLOCK_BYTES", 16 << 10)  # several batches
    held, rows_read = load.check_file(path, RATES)
    # Several spills, and the last batches still held in memory at the end (a batch is about
    # 250 rows): repeats are searched for in both.
    monkeypatch.setattr(spill, "HASHES_HELD", 600)
    spilled, rows_read_spilled = load.check_file(path, RATES)
    assert rows_read == rows_read_spilled == 2004
    assert spilled.rows() == held.rows()
    duplicate = spilled.filter(pl.col("rule") == "duplicate-key")
    # rows[0] (line 2) again on line 2002; rows[1499] (line 1501) on 2003 and 2004; rows[10]
    # (line 12) on 2005.
    assert duplicate.get_column("line").to_list() == [2002, 2003, 2004, 2005]


def test_the_catalogue_duplicate_key_file_with_spilled_hashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = DATA / "bad" / "duplicate_key.csv"
    held, _ = load.check_file(path, RATES)
    monkeypatch.setattr(spill, "HASHES_HELD", 1)
    spilled, _ = load.check_file(path, RATES)
    assert spilled.rows() == held.rows()
    assert spilled.get_column("rule").to_list() == ["duplicate-key"]
    assert spilled.get_column("line").to_list() == [5]  # line 3's key (CHN KAZ import) again


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing any spill file fails as on a full disk (the output file itself still works)."""
    real = Path.write_bytes

    def write_bytes(self: Path, data: object) -> int:
        if self.parent.name.startswith("ca-trade-"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_a_full_disk_while_spilling_key_hashes_is_exit_74(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.csv"
    path.write_text("\n".join([HEADER, *_rows(50)]) + "\n", encoding="utf-8")
    monkeypatch.setattr(spill, "HASHES_HELD", 10)
    _full_disk(monkeypatch)
    result = invoke(CliRunner(), "validate", str(path))
    assert result.exit_code == 74
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert "cannot write a temporary file (No space left on device)" in lines[0]
    assert "TMPDIR" in lines[0]
    assert not list(Path(tempfile.gettempdir()).glob("ca-trade-keys-*"))  # removed


def test_a_full_disk_while_spilling_an_import_is_exit_74(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ca_trade.ingest import reading

    source = tmp_path / "world.csv"
    header = "refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue\n"
    source.write_text(
        header
        + "".join(f"{y},DEU,FRA,X,TOTAL,5\n{y},FRA,DEU,M,TOTAL,7\n" for y in range(2000, 2020))
    )
    out = tmp_path / "out.csv"
    monkeypatch.setattr(reading, "SPILL_BYTES", 1)  # spill after every batch
    _full_disk(monkeypatch)
    result = invoke(CliRunner(), "import", "--all-countries", str(source), "-o", str(out))
    assert result.exit_code == 74
    assert "cannot write a temporary file (No space left on device)" in result.stderr
    assert not out.exists()
    assert not list(Path(tempfile.gettempdir()).glob("ca-trade-import-*"))
