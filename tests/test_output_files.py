"""Files and spreadsheets: --output is written whole or not at all, --excel is CSV with a BOM and
CRLF, and machine formats are formula-safe while numbers are never touched."""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ca_trade import render
from ca_trade.errors import EXIT_CANT_CREATE, EXIT_INTERNAL
from conftest import DATA, invoke

GOOD = DATA / "bad" / "good.csv"
HEADER = "year,reporter,partner,flow,value_millions,currency,basis,source,source_url,note"


def csv_out(runner: CliRunner, *extra: str):  # type: ignore[no-untyped-def]
    return invoke(runner, "sources", "--data", str(GOOD), "--format", "csv", *extra)


# ---------------------------------------------------------------- --output


def test_output_file_holds_what_stdout_would(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = csv_out(runner, "--output", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert target.read_bytes() == csv_out(runner).stdout_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_failed_replace_leaves_old_file_and_no_temp(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old contents\n", encoding="utf-8")

    def full(src: str, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(render.os, "replace", full)
    result = csv_out(runner, "--output", str(target))
    assert result.exit_code == EXIT_CANT_CREATE == 73
    assert result.stdout == ""
    assert result.stderr == (
        f"ca-trade: error: {target}: cannot write (No space left on device). "
        "Try: choose another --output\n"
    )
    assert target.read_text(encoding="utf-8") == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_full_disk_while_writing_a_file_is_exit_74_and_keeps_the_old_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old contents\n", encoding="utf-8")

    def full(fd: int) -> None:  # the bytes were buffered; the disk filled as they were flushed
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(render.os, "fsync", full)
    result = csv_out(runner, "--output", str(target))
    assert result.exit_code == 74
    assert result.stdout == ""
    assert result.stderr == (
        f"ca-trade: error: {target}: cannot write: No space left on device. "
        "Try: free some space or choose another --output\n"
    )
    assert target.read_text(encoding="utf-8") == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_failure_mid_write_leaves_old_file_and_no_temp(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("[]\n", encoding="utf-8")

    def half_then_fail(handle: object, data: bytes) -> None:
        handle.write(data[: len(data) // 2])  # type: ignore[attr-defined]
        raise RuntimeError("interrupted mid-write")

    monkeypatch.setattr(render, "_write_all", half_then_fail)
    result = invoke(runner, "compare", "--format", "json", "--output", str(target))
    assert result.exit_code == EXIT_INTERNAL
    assert result.stderr.count("\n") == 1
    assert target.read_text(encoding="utf-8") == "[]\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("missing_dir/out.csv", "cannot write here (No such file or directory)"),
        ("a_directory", "cannot write (Is a directory)"),
    ],
)
def test_unwritable_target_is_exit_73(
    runner: CliRunner, tmp_path: Path, where: str, expected: str
) -> None:
    (tmp_path / "a_directory").mkdir()
    target = tmp_path / where
    result = csv_out(runner, "--output", str(target))
    assert result.exit_code == 73
    assert result.stdout == ""
    assert result.stderr == f"ca-trade: error: {target}: {expected}. Try: choose another --output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_directory"]


def test_symlink_is_followed_and_kept(runner: CliRunner, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert csv_out(runner, "--output", str(link)).exit_code == 0
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("file,line,year,reporter,")


def test_existing_file_keeps_its_permissions(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    assert csv_out(runner, "--output", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_file_gets_umask_permissions(runner: CliRunner, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "new.csv"
        assert csv_out(runner, "--output", str(target)).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not mkstemp's 0600


def test_output_to_a_fifo_is_written_directly(runner: CliRunner, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = csv_out(runner, "--output", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # not replaced by a regular file
    assert received[0].startswith(b"file,line,year,reporter,")


# ---------------------------------------------------------------- --excel


def test_excel_csv_has_bom_and_crlf(runner: CliRunner, tmp_path: Path) -> None:
    result = csv_out(runner, "--excel")
    assert result.exit_code == 0
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbffile,line,year,")
    lines = raw[3:].split(b"\r\n")
    assert len(lines) == 5 and lines[-1] == b""  # header, three rows, nothing after the last CRLF
    assert b"\n" not in b"".join(lines)  # every line end is CRLF
    target = tmp_path / "excel.csv"
    assert csv_out(runner, "--excel", "--output", str(target)).exit_code == 0
    assert target.read_bytes() == raw


def test_plain_csv_has_no_bom_and_lf(runner: CliRunner) -> None:
    raw = csv_out(runner).stdout_bytes
    assert raw.startswith(b"file,line,year,")
    assert b"\r" not in raw
    assert raw.count(b"\n") == 4


# ---------------------------------------------------------------- formula safety


def test_text_cells_starting_with_a_trigger_get_a_quote() -> None:
    frame = pl.DataFrame(
        {
            "text": ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", "plain", "a=b", ""],
            "number": [-123.4, 1.0, -1.0, 0.0, 2.5, -0.5, 3.0, 4.0, 5.0, 6.0],
            "count": [-5, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    lines = render.csv_text(frame).split("\n")
    assert lines[0] == "text,number,count"
    assert lines[1] == "'=1+2,-123.4,-5"
    assert lines[2] == "'+1,1.0,1"
    assert lines[3] == "'-1,-1.0,2"
    assert lines[4] == "'@SUM(A1),0.0,3"
    assert lines[5] == "'\tx,2.5,4"
    assert lines[6:8] == ['"\'\rx",-0.5,5', "\"'"]  # quoted: the cell holds a line end
    assert lines[8] == 'x",3.0,6'
    assert lines[9] == "plain,4.0,7"
    assert lines[10] == "a=b,5.0,8"
    assert lines[11] == '"",6.0,9'  # an empty string is "", a missing value is empty


def test_tsv_is_formula_safe_too() -> None:
    frame = pl.DataFrame({"text": ["=cmd", "ok"], "balance": [-123.4, 7.0]})
    assert render.csv_text(frame, separator="\t") == "text\tbalance\n'=cmd\t-123.4\nok\t7.0\n"


def test_json_is_left_as_data() -> None:
    frame = pl.DataFrame({"text": ["=cmd"], "balance": [-123.4]})
    assert render.json_text(frame) == '[\n  {\n    "text": "=cmd",\n    "balance": -123.4\n  }\n]\n'


@pytest.fixture
def odd_text_file(tmp_path: Path) -> Path:
    path = tmp_path / "odd.csv"
    rows = [
        HEADER,
        "2024,CHN,KAZ,export,28000,USD,official,=1+2,https://example.org/a,@SUM(A1)",
        "2024,CHN,KAZ,import,15900,USD,official,GACC,https://example.org/b,[red]x[/red]",
        "2024,CHN,KAZ,total,43900,USD,official,-2+3,https://example.org/c,+cmd",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_formula_cells_from_data_are_quoted_in_csv(runner: CliRunner, odd_text_file: Path) -> None:
    result = invoke(runner, "sources", "--data", str(odd_text_file), "--format", "csv")
    assert result.exit_code == 0
    files, rows = zip(*(line.split(",", 1) for line in result.stdout.splitlines()[1:]), strict=True)
    assert {Path(name).name for name in files} == {"odd.csv"}  # the file column comes first
    assert list(rows) == [
        # the last cell is the empty bound: these figures are exact
        "2,2024,CHN,KAZ,export,28000.0,USD,official,'=1+2,https://example.org/a,'@SUM(A1),",
        "3,2024,CHN,KAZ,import,15900.0,USD,official,GACC,https://example.org/b,[red]x[/red],",
        "4,2024,CHN,KAZ,total,43900.0,USD,official,'-2+3,https://example.org/c,'+cmd,",
    ]


def test_markup_in_data_prints_literally_in_tables(runner: CliRunner, odd_text_file: Path) -> None:
    result = invoke(runner, "sources", "--data", str(odd_text_file), "--format", "table")
    assert result.exit_code == 0
    assert "[red]x[/red]" in result.stdout
    assert "\x1b[" not in result.stdout
    assert "=1+2" in result.stdout  # tables are for people: no quote added
