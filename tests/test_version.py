"""``ca-trade --version`` prints the package version and needs no command."""

from __future__ import annotations

from importlib.metadata import version

from typer.testing import CliRunner

from conftest import invoke


def test_version_needs_no_command(runner: CliRunner) -> None:
    result = invoke(runner, "--version")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"ca-trade {version('ca-trade')}\n",
        "",
    )
