"""The installed command (issue 21): the wheel, installed in a fresh environment, runs
``ca-trade compare`` and ``ca-trade check`` from a directory that is not the checkout, and its
shell completion answers."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload, no-any-return]


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit {result.returncode}"


@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv to build and install the wheel")
def test_the_installed_command_works_from_any_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(["uv", "build", "--wheel", "--offline", "--out-dir", str(dist)], cwd=ROOT)
    if built.returncode != 0:
        pytest.skip(f"cannot build the wheel offline: {_last_line(built)}")
    (wheel,) = dist.glob("ca_trade-*.whl")
    venv = tmp_path / "venv"
    made = _run(["uv", "venv", "--offline", "--quiet", str(venv)])
    installed = _run(
        ["uv", "pip", "install", "--offline", "--quiet", "--python", str(venv / "bin" / "python")]
        + [str(wheel)]
    )
    if made.returncode != 0 or installed.returncode != 0:
        pytest.skip(f"cannot install the wheel offline: {_last_line(installed)}")
    command = str(venv / "bin" / "ca-trade")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    compare = _run([command, "compare", "--format", "csv"], cwd=elsewhere, env=env)
    assert (compare.returncode, compare.stderr) == (0, "")
    header, *rows = compare.stdout.splitlines()
    columns = header.split(",")
    assert columns[:3] == ["year", "area", "partner"] and "turnover_usd_m" in columns
    assert [row.split(",")[2] for row in rows] == ["CHN", "EU27", "RUS"]

    check = _run([command, "check", "--format", "csv"], cwd=elsewhere, env=env)
    assert check.returncode in (0, 1)  # 1: a claim that does not hold, not an error
    assert check.stderr == ""
    assert "claim_id" in check.stdout.splitlines()[0].split(",")
    assert len(check.stdout.splitlines()) > 1

    # The completion script calls the command by name; the command answers for 'comp<TAB>'.
    script = _run([command, "completion", "bash"], cwd=elsewhere, env=env)
    assert "complete -o default -F _ca_trade_completion ca-trade" in script.stdout
    asked = {**env, "_CA_TRADE_COMPLETE": "complete_bash", "COMP_WORDS": "ca-trade comp"}
    answered = _run([command], cwd=elsewhere, env={**asked, "COMP_CWORD": "1"})
    assert answered.stdout.split() == ["compare", "completion"]
