"""What every import format shares: the ``Spec`` of a format, the user's ``Options``, the codes
each source uses for the World and the EU. The bottom of the ``ingest`` package: imports nothing
from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ca_trade import schema

# Codes each source uses for the World and for the EU, mapped to ca-trade's.
WORLD_CODES = {"W00": "WLD", "G001": "WLD", "WORLD": "WLD", "WLD": "WLD"}
EU_CODES = {"EU27_2020": "EU27"}
OWN = set(schema.COUNTERPARTS)
# The flows of the output, in their sort order (``export`` < ``import``, as in text).
FLOWS = ("export", "import")


@dataclass(frozen=True)
class Spec:
    """One import format: its columns by role, its codes and units."""

    name: str
    title: str
    url: str
    codes: str  # "iso3", "numeric" or "iso2"
    roles: dict[str, str]  # role -> column name, required
    optional: dict[str, str] = field(default_factory=dict)  # role -> column name, if present
    unit: float = 1.0  # one unit of the value column in currency units
    currency: str = "USD"
    basis: str = "official"
    flows: dict[str, str] = field(default_factory=lambda: {"X": "export", "M": "import"})
    products: bool = True

    def column(self, role: str) -> str | None:
        """The column name of ``role`` (required or optional), or None."""
        return self.roles.get(role) or self.optional.get(role)


@dataclass
class Options:
    """What the user asked for."""

    fmt: str | None = None
    hs: tuple[str, ...] = ()
    all_countries: bool = False
    countries: Path | None = None
