"""The ``ingest`` package's imports point one way, down: the order below is the layering, and
a module may import only modules listed before it (never the package itself, nor ``cli``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import ca_trade.ingest

PACKAGE = Path(ca_trade.ingest.__file__).parent
LAYERS = [
    "spec",
    "comtrade",
    "imf",
    "comext",
    "baci",
    "formats",
    "countries",
    "guards",
    "reading",
    "blocks",
    "command",
    "__init__",
]


def imported(module: str) -> set[str]:
    """The ``ca_trade`` modules a module of the package imports (at any depth of its code)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ca_trade"):
            if node.module == "ca_trade.ingest":
                found.update(f"ca_trade.ingest.{alias.name}" for alias in node.names)
            else:
                found.add(str(node.module))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ca_trade"))
    return found


def test_every_module_is_in_a_layer() -> None:
    assert sorted(p.stem for p in PACKAGE.glob("*.py")) == sorted(LAYERS)


def test_imports_point_down() -> None:
    for at, module in enumerate(LAYERS):
        below = {f"ca_trade.ingest.{name}" for name in LAYERS[:at]}
        inside = {name for name in imported(module) if name.startswith("ca_trade.ingest")}
        assert inside <= below, f"{module} imports {sorted(inside - below)}"
        assert "ca_trade.cli" not in imported(module)
