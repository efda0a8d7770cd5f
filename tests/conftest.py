"""Shared fixtures: a CLI runner with stdout and stderr apart, and paths to test data."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_trade.cli import app

pytest_plugins = ["fetch_support"]  # the local-server fixture of the fetch tests

TESTS = Path(__file__).parent
DATA = TESTS / "data"
BUNDLED = TESTS.parent / "data" / "trade_2024.csv"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str):  # type: ignore[no-untyped-def]
    """Run the CLI as a user would (through the error boundary), stdout and stderr apart."""
    return runner.invoke(app, list(args), catch_exceptions=False)
