"""Pipes: ``ca-trade <command> --format <format> | head -1`` prints its first line intact, no
traceback, and exits 141 (128 + SIGPIPE) when the reader goes away before the output is written.

Real subprocesses (``python -m ca_trade``). The commands are read from the Typer app at test time,
so commands that land later are covered: a command with ``--data`` runs on the given data file,
one with a ``FILE`` argument and no ``--data`` (validate) gets it as that argument, and
``RUN_ARGS`` holds anything else a command needs to run.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from ca_trade import render
from ca_trade.cli import EXIT_BROKEN_PIPE, app
from ca_trade.errors import EXIT_INTERNAL, EXIT_IO_ERROR
from conftest import BUNDLED, invoke

# Extra arguments a command needs to run on a data file (add one when a command needs more).
RUN_ARGS: dict[str, list[str]] = {"completion": ["bash"]}
# Commands whose input is not a ca-trade data file: a function of the data file that returns
# the argv (after the command name) to run the command on equivalent input.
COMTRADE_DOWNLOAD = (
    "refYear,reporterISO,partnerISO,flowCode,primaryValue\n"
    "2024,KAZ,CHN,X,1000000\n"
    "2024,KAZ,CHN,M,2000000\n"
)


def _import_args(data: Path) -> list[str]:
    download = data.parent / "comtrade_download.csv"
    if not download.exists():
        download.write_text(COMTRADE_DOWNLOAD, encoding="utf-8")
    return [str(download)]


def _claims_args(data: Path) -> list[str]:
    article = data.parent / "article.txt"
    if not article.exists():
        article.write_text(
            "A story\n\nKazakhstan's trade with China was $43.8 billion in 2024.\n",
            encoding="utf-8",
        )
    return ["draft", str(article)]


def _fetch_args(data: Path) -> list[str]:
    from fetch_support import seed_cache  # offline, from a cache made beside the data file

    return seed_cache(data.parent / "fetch-cache")


RUN_INPUT: dict[str, Callable[[Path], list[str]]] = {
    "import": _import_args,
    "fetch": _fetch_args,
    "claims": _claims_args,
}
FORMATS = ("table", "csv", "tsv", "json")
HEADER = "year,reporter,partner,flow,value_millions,currency,basis,source,source_url,note"


def _commands() -> dict[str, object]:
    """Registered commands, aliases (same callback as an earlier name) left out."""
    seen: set[object] = set()
    out: dict[str, object] = {}
    for name, command in sorted(get_command(app).commands.items()):  # type: ignore[attr-defined]
        if command.callback in seen:
            continue
        seen.add(command.callback)
        out[name] = command
    return out


def command_args(name: str, data: Path, fmt: str | None) -> list[str]:
    """argv to run command ``name`` on data file ``data`` in format ``fmt``."""
    command = _commands()[name]
    params = {p.name: p for p in command.params}  # type: ignore[attr-defined]
    args = [name]
    if name in RUN_INPUT:
        args += RUN_INPUT[name](data)
    elif "data" in params:
        args += ["--data", str(data)]
    elif "file" in params and params["file"].param_type_name == "argument":
        args.append(str(data))
    args += RUN_ARGS.get(name, [])
    if fmt is not None:
        args += ["--format", fmt]
    return args


def runs() -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for name, command in _commands().items():
        has_format = any(p.name == "fmt" for p in command.params)  # type: ignore[attr-defined]
        out += [(name, f) for f in FORMATS] if has_format else [(name, None)]
    return out


def head_runs() -> list[tuple[str, str | None]]:
    """Into ``head -1``: table and csv (json always starts with '[', tsv is csv's writer)."""
    return [(name, fmt) for name, fmt in runs() if fmt in ("table", "csv", None)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CA_TRADE_DEBUG", None)
    return env


# Runs many command lines in ONE real process (Polars imported once), each through the console
# entry point ``main``. Mode "closed": fd 1 is a pipe whose reader has already gone, so every
# write fails with EPIPE. Mode "head": fd 1 is a pipe into a real ``head -1``. Mode "full": fd 1
# is /dev/full, so every write fails with ENOSPC, as on a full disk. Prints
# [exit code, stderr, head's output] per command line as JSON.
HARNESS = r"""
import io, json, os, subprocess, sys, tempfile
from ca_trade.cli import main

results = []
saved_out, saved_err = os.dup(1), os.dup(2)
for mode, args in json.loads(sys.argv[1]):
    head_out = tempfile.TemporaryFile()
    head = None
    if mode == "full":  # a full disk: every write fails with ENOSPC
        write_end = os.open("/dev/full", os.O_WRONLY)
    else:
        read_end, write_end = os.pipe()
        if mode == "head":
            head = subprocess.Popen(["head", "-1"], stdin=read_end, stdout=head_out)
        os.close(read_end)
    os.dup2(write_end, 1)
    os.close(write_end)
    errors = tempfile.TemporaryFile()
    os.dup2(errors.fileno(), 2)
    sys.stdout = io.open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = io.open(2, "w", encoding="utf-8", closefd=False)
    sys.argv = ["ca-trade", *args]
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    try:
        sys.stdout.flush()
    except OSError:
        code = "flush at exit failed"
    sys.stderr.flush()
    os.dup2(saved_out, 1)  # closes the write end: head sees the end of its input
    os.dup2(saved_err, 2)
    if head is not None:
        head.wait()
    head_out.seek(0)
    errors.seek(0)
    results.append([code, errors.read().decode("utf-8", "replace"), head_out.read().decode()])
sys.stdout = io.open(1, "w", encoding="utf-8", closefd=False)
print(json.dumps(results))
"""


def run_in_harness(cases: list[tuple[str, list[str]]]) -> list[tuple[object, str, str]]:
    done = subprocess.run(
        [sys.executable, "-c", HARNESS, json.dumps(cases)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=_env(),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()
    return [(code, err, first) for code, err, first in json.loads(done.stdout)]


def run_into_head(args: list[str]) -> tuple[int, bytes, bytes]:
    """``python -m ca_trade ARGS | head -1``: (ca-trade's exit code, head's output, stderr)."""
    writer = subprocess.Popen(
        [sys.executable, "-m", "ca_trade", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    head = subprocess.Popen(["head", "-1"], stdin=writer.stdout, stdout=subprocess.PIPE)
    assert writer.stdout is not None
    writer.stdout.close()  # only head holds the read end now
    first, _ = head.communicate(timeout=120)
    _, stderr = writer.communicate(timeout=120)
    return writer.returncode, first, stderr


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled data in a directory of its own (RUN_INPUT may write beside it)."""
    path = tmp_path_factory.mktemp("data") / "trade.csv"
    path.write_bytes(BUNDLED.read_bytes())
    return path


@pytest.fixture(scope="module")
def harness_results(
    data_file: Path,
) -> dict[tuple[str, str, str | None], tuple[object, str, str]]:
    """Every command in every format, into a closed pipe and into ``head -1``."""
    cases = [("closed", name, fmt) for name, fmt in runs()]
    cases += [("head", name, fmt) for name, fmt in head_runs()]
    if FULL_DISK.exists():
        cases += [("full", name, fmt) for name, fmt in runs()]
    results = run_in_harness([(m, command_args(n, data_file, f)) for m, n, f in cases])
    return dict(zip(cases, results, strict=True))


@pytest.mark.parametrize(("name", "fmt"), runs())
def test_closed_pipe_exits_141_quietly(
    harness_results: dict[tuple[str, str, str | None], tuple[object, str, str]],
    name: str,
    fmt: str | None,
) -> None:
    code, stderr, _ = harness_results[("closed", name, fmt)]
    assert stderr == ""
    assert code == EXIT_BROKEN_PIPE == 141


FULL_DISK = Path("/dev/full")
NO_SPACE = "ca-trade: error: cannot write to standard output: No space left on device\n"
needs_dev_full = pytest.mark.skipif(not FULL_DISK.exists(), reason="no /dev/full (Linux only)")


@needs_dev_full
@pytest.mark.parametrize(("name", "fmt"), runs())
def test_full_disk_on_stdout_exits_74_with_one_line(
    harness_results: dict[tuple[str, str, str | None], tuple[object, str, str]],
    name: str,
    fmt: str | None,
) -> None:
    code, stderr, _ = harness_results[("full", name, fmt)]
    lines = stderr.splitlines(keepends=True)
    # import says what it read before it writes; the error is the last line either way.
    assert lines[-1] == NO_SPACE
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert code == EXIT_IO_ERROR == 74


@needs_dev_full
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["compare", "--help"]])
def test_help_and_version_on_a_full_disk_exit_74(args: list[str]) -> None:
    with FULL_DISK.open("wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "ca_trade", *args],
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            env=_env(),
            timeout=60,
        )
    assert (done.returncode, done.stderr.decode()) == (74, NO_SPACE)


@needs_dev_full
def test_output_file_on_a_full_disk_exits_74(runner: CliRunner) -> None:
    result = invoke(runner, "compare", "--format", "csv", "--output", str(FULL_DISK))
    assert result.exit_code == EXIT_IO_ERROR
    assert result.stderr == (
        "ca-trade: error: /dev/full: cannot write: No space left on device. "
        "Try: free some space or choose another --output\n"
    )


@pytest.mark.parametrize(("name", "fmt"), head_runs())
def test_into_head_gives_the_first_line(
    harness_results: dict[tuple[str, str, str | None], tuple[object, str, str]],
    data_file: Path,
    name: str,
    fmt: str | None,
) -> None:
    code, stderr, first = harness_results[("head", name, fmt)]
    whole = CliRunner().invoke(app, command_args(name, data_file, fmt))
    assert first == whole.stdout.splitlines(keepends=True)[0]
    assert first.endswith("\n") and first.strip()
    assert "Traceback" not in stderr and "error" not in stderr  # a status line is allowed
    assert code in (0, 1, 141)  # output may fit the pipe; 1 = findings (check, validate)


def test_every_command_can_be_run(data_file: Path) -> None:
    # A command that needs more than a data file must say so in RUN_ARGS.
    for name in _commands():
        fmt = "csv" if (name, "csv") in runs() else None
        result = CliRunner().invoke(app, command_args(name, data_file, fmt))
        assert result.exit_code in (0, 1), (name, result.stderr)


# ---------------------------------------------------------------- large outputs into head -1


def _big_data(path: Path, *, bad: bool) -> Path:
    """20,000 rows (USD, China with every ISO 3166 country, 1998-2024); ``bad``: values 'x'."""
    import pycountry

    partners = sorted(c.alpha_3 for c in pycountry.countries if c.alpha_3 != "CHN")
    value = "x" if bad else "1.5"
    rows = [
        f"{year},CHN,{partner},{flow},{value},USD,official,S,https://example.org/s,"
        for year in range(1998, 2025)
        for partner in partners
        for flow in ("export", "import", "total")
    ]
    path.write_text("\n".join([HEADER, *rows[:20_000]]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big_good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _big_data(tmp_path_factory.mktemp("pipes") / "good.csv", bad=False)


@pytest.fixture(scope="module")
def big_bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _big_data(tmp_path_factory.mktemp("pipes") / "bad.csv", bad=True)


SOURCES_HEADER = "file,line," + HEADER + ",bound"


@pytest.mark.parametrize(
    ("fmt", "first"),
    [
        ("csv", SOURCES_HEADER + "\n"),
        ("json", "[\n"),
    ],
)
def test_large_sources_output_into_head(big_good: Path, fmt: str, first: str) -> None:
    # sources prints every row and more (its line number), so the output is over 1 MB too.
    assert big_good.stat().st_size > 1_000_000
    code, line, stderr = run_into_head(["sources", "--data", str(big_good), "--format", fmt])
    assert line.decode("utf-8") == first
    assert stderr == b""
    assert code == 141


def test_large_validate_output_into_head(big_bad: Path) -> None:
    # 20,000 problems of ~150 bytes: about 3 MB of CSV.
    code, line, stderr = run_into_head(["validate", str(big_bad), "--format", "csv"])
    assert line == b"rule,line,column,value,message,hint\n"
    assert stderr == b""
    assert code == 141


def test_small_output_into_head_is_whole() -> None:
    # Output that fits the pipe: head takes the first line, the writer ends normally.
    code, line, stderr = run_into_head(["sources", "--year", "2024", "--format", "csv"])
    assert line == (SOURCES_HEADER + "\n").encode()
    assert (code, stderr) == (0, b"")


# ---------------------------------------------------------------- tables in a pipe


def test_table_in_a_pipe_has_no_ansi_and_is_not_cut() -> None:
    env = _env() | {"COLUMNS": "80", "TERM": "xterm-256color", "FORCE_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "ca_trade", "compare", "--format", "table"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("utf-8")
    assert "\x1b[" not in text
    assert max(len(line.rstrip()) for line in text.splitlines()) > 80
    assert "Basis (whose statistics)" in text  # a header that an 80-column table would cut
    assert "…" not in text  # nothing ellipsised


# ---------------------------------------------------------------- how a broken pipe is reported


def _plain_epipe() -> OSError:
    err = OSError("write failed")  # OSError(errno, ...) would become BrokenPipeError
    err.errno = errno.EPIPE
    return err


class PolarsLikeError(Exception):
    """What a native writer raises: no errno, only the OS message."""


def _raise_rich_style() -> None:
    # Rich's Console.on_broken_pipe: SystemExit(1) raised while handling BrokenPipeError.
    try:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")
    except BrokenPipeError:
        raise SystemExit(1) from None


@pytest.mark.parametrize(
    "error",
    [
        _plain_epipe(),
        BrokenPipeError(errno.EPIPE, "Broken pipe"),
        OSError("failed to write whole buffer: Broken pipe (os error 32)"),
        PolarsLikeError("I/O error: Broken pipe (os error 32)"),
    ],
    ids=["plain-oserror-epipe", "brokenpipeerror", "oserror-text", "native-text"],
)
def test_broken_pipe_however_raised_is_141(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    assert type(_plain_epipe()) is OSError  # really not a BrokenPipeError

    def write(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(render, "write_text", write)
    result = invoke(runner, "compare", "--format", "csv")
    assert (result.exit_code, result.stdout, result.stderr) == (141, "", "")


def test_broken_pipe_in_a_cause_is_141(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    def write(*args: object, **kwargs: object) -> None:
        try:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        except BrokenPipeError as cause:
            raise RuntimeError("writer failed") from cause

    monkeypatch.setattr(render, "write_text", write)
    result = invoke(runner, "sources", "--format", "json")
    assert (result.exit_code, result.stderr) == (141, "")


def test_rich_broken_pipe_exit_is_141(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "write_text", lambda *a, **k: _raise_rich_style())
    result = invoke(runner, "mirror", "--format", "table")
    assert (result.exit_code, result.stderr) == (141, "")


def test_other_os_error_is_an_internal_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An OSError that escapes the writer untranslated is a bug in the writer, not a full disk
    # (render turns a failed write into exit 74; see test_full_disk_on_stdout_exits_74...).
    def write(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(render, "write_text", write)
    result = invoke(runner, "compare", "--format", "csv")
    assert result.exit_code == EXIT_INTERNAL
    assert result.stderr == (
        "ca-trade: error: internal error: OSError: [Errno 28] No space left on device. "
        "Run with --debug for the traceback and please report it\n"
    )
