"""Start-up and packaging: --help without polars, python -m, the wheel away from the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from ca_trade.cli import app
from conftest import BUNDLED

ROOT = Path(__file__).resolve().parents[1]


def run_traced(*args: str) -> tuple[set[str], str]:
    """The modules ``python -m ca_trade ARGS`` imports (from -X importtime), and its stdout."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ca_trade", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stderr.splitlines()
    return {line.split("|")[-1].strip() for line in lines if "|" in line}, result.stdout


def test_help_does_not_import_polars() -> None:
    imported, stdout = run_traced("--help")
    assert "typer" in imported  # the check itself works
    assert not any(name == "polars" or name.startswith("polars.") for name in imported)
    assert "compare" in stdout


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "-f", "csv"],
        ["shares", "-f", "json"],
        ["import", str(ROOT / "tests/data/import/comtrade_plus_2024.csv")],
    ],
    ids=["compare-csv", "shares-json", "import"],
)
def test_machine_output_does_not_import_rich(args: list[str]) -> None:
    imported, _ = run_traced(*args)
    assert "polars" in imported  # the check itself works
    assert not any(name == "rich" or name.startswith("rich.") for name in imported)


@pytest.mark.parametrize(
    "args",
    [["--help"], ["compare", "-f", "csv"], ["fetch", "--help"]],
    ids=["help", "compare", "fetch-help"],
)
def test_only_fetch_imports_an_http_library(args: list[str]) -> None:
    imported, _ = run_traced(*args)
    assert "typer" in imported  # the check itself works
    http = ("httpx", "httpcore", "h11", "urllib3", "requests", "http.client")
    assert not any(name == h or name.startswith(h + ".") for name in imported for h in http)


def test_fetch_does_import_httpx(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CA_TRADE_COMTRADE_URL": "http://127.0.0.1:9",
        "CA_TRADE_CACHE_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ca_trade", "fetch", "--year", "2024",
         "-r", "KAZ", "-p", "CHN", "-o", str(tmp_path / "out.csv")],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert result.returncode == 69  # nothing listens on port 9: "check your connection"
    assert any(line.split("|")[-1].strip() == "httpx" for line in result.stderr.splitlines())


def test_a_table_does_import_rich() -> None:
    imported, _ = run_traced("compare", "-f", "table")
    assert "rich.table" in imported


def test_python_dash_m_runs_compare() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ca_trade", "compare", "-f", "csv"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[1].startswith("2024,CA5,CHN,1,true,94820.0,")


@pytest.mark.parametrize("name", sorted(get_command(app).commands))  # type: ignore[attr-defined]
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    command = get_command(app).commands[name]  # type: ignore[attr-defined]
    assert command.help, name
    assert f"ca-trade {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


# What uv says when a package is neither in its cache nor reachable (offline, or no network).
_UNREACHABLE = (
    "network was disabled",
    "Failed to fetch",
    "error sending request",
    "tcp connect error",
    "dns error",
)


def uv(*args: str, cwd: Path | None = None) -> None:
    """Run a uv command that may need packages: from the cache alone (``--offline``) first, then
    from the network. Skips the test, with uv's reason, when neither has them; fails on any
    other error."""
    offline = subprocess.run(
        ["uv", *args, "--offline", "--quiet"], cwd=cwd, capture_output=True, text=True
    )
    if offline.returncode == 0:
        return
    if not any(sign in offline.stderr for sign in _UNREACHABLE):
        pytest.fail(f"uv {' '.join(args)} failed:\n{offline.stderr}")
    online = subprocess.run(["uv", *args, "--quiet"], cwd=cwd, capture_output=True, text=True)
    if online.returncode == 0:
        return
    if any(sign in online.stderr for sign in _UNREACHABLE):
        reason = next(
            line for line in online.stderr.splitlines() if any(s in line for s in _UNREACHABLE)
        )
        pytest.skip(
            f"cannot build offline: uv {args[0]} needs packages that are neither in the uv "
            f"cache nor reachable ({reason.strip()})"
        )
    pytest.fail(f"uv {' '.join(args)} failed:\n{online.stderr}")


def test_uv_skips_only_when_packages_are_unreachable(tmp_path: Path) -> None:
    # A failure that is not about reaching packages fails the test rather than skipping it.
    if shutil.which("uv") is None:
        pytest.skip("needs uv")
    with pytest.raises(pytest.fail.Exception, match="failed"):
        uv("pip", "install", "--python", str(tmp_path / "no-such-python"), "x")


@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv to build the wheel")
def test_wheel_carries_its_data_and_gives_the_same_output(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    uv("build", "--wheel", "--out-dir", str(dist), cwd=ROOT)
    (wheel,) = dist.glob("ca_trade-*.whl")
    venv = tmp_path / "venv"
    subprocess.run(["uv", "venv", "--quiet", str(venv)], check=True)
    python = venv / "bin" / "python"
    uv("pip", "install", "--python", str(python), str(wheel))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    installed = subprocess.run(
        [str(venv / "bin" / "ca-trade"), "compare", "-f", "csv"],
        cwd=elsewhere, capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    here = subprocess.run(
        [sys.executable, "-m", "ca_trade", "compare", "-f", "csv"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert installed.stdout == here.stdout
    where = "from ca_trade import inputs; print(*inputs.bundled_paths(), sep='\\n')"
    located = subprocess.run(
        [str(python), "-c", where],
        cwd=elsewhere, capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    packaged = [Path(line) for line in located.stdout.splitlines()]
    assert [p.name for p in packaged] == [f"trade_{year}.csv" for year in range(2015, 2026)]
    for path in packaged:
        assert "site-packages" in str(path)
        # One canonical copy of each year's file, shipped as is.
        assert path.read_bytes() == (ROOT / "data" / path.name).read_bytes()
    assert packaged[9].read_bytes() == BUNDLED.read_bytes()  # trade_2024.csv
    # Both years reach the installed tool: 2023 is not only shipped but read.
    year_2023 = subprocess.run(
        [str(venv / "bin" / "ca-trade"), "compare", "--year", "2023", "-f", "csv"],
        cwd=elsewhere, capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    assert year_2023.stdout.splitlines()[1].startswith("2023,CA5,CHN,1,true,89400.0,")


@pytest.mark.parametrize(
    ("args", "built"),
    [
        (["compare", "-f", "csv"], ["compare"]),
        (["--debug", "import", "x.csv"], ["import"]),
        (["growth", "--help"], ["growth"]),
        (["compre"], None),  # a misspelt name: the whole app, for click's suggestion
        (["--help"], None),
        ([], None),
        (["--", "compare"], None),
        (["--help", "compare"], None),  # the root's help lists every command
        (["-h", "compare"], None),
        (["--version", "compare"], None),
        (["--debug", "--debug", "shares"], ["shares"]),
        (["claims", "draft", "a.txt"], ["claims"]),  # a group: the group alone
    ],
)
def test_the_entry_point_builds_only_the_command_it_runs(
    args: list[str], built: list[str] | None
) -> None:
    from ca_trade.cli import _app_for

    lean = _app_for(args)
    if built is None:
        assert lean is app
    else:
        group = get_command(lean)
        assert sorted(group.commands) == built  # type: ignore[attr-defined]
        assert len(app.registered_commands) > 10  # the app itself is untouched


def test_the_root_help_before_a_command_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ca_trade", "--help", "compare"], capture_output=True, text=True
    )
    assert result.returncode == 0
    listed = result.stdout.split("Commands:")[1]
    for name in ("compare", "shares", "validate", "import", "growth"):
        assert f"  {name} " in listed


def test_a_misspelt_command_still_gets_suggestions() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ca_trade", "compre"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Did you mean 'compare'" in result.stderr


def test_claims_draft_imports_no_polars(tmp_path: Path) -> None:
    # Drafting reads text; only checking the claims needs Polars.
    article = tmp_path / "a.txt"
    article.write_text("China's trade with Kazakhstan reached $43.8 billion in 2024.\n")
    code = (
        f"import sys, runpy; sys.argv = ['ca-trade', 'claims', 'draft', {str(article)!r}]\n"
        "try:\n    runpy.run_module('ca_trade', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "assert 'polars' not in sys.modules, 'polars imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
