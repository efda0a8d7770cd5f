"""China's, the EU's and Russia's share of the five republics' trade (the CA5 rows of ``shares``),
for every partner, every measure and both bases, worked out by hand from data/trade_2024.csv.

A region share sums, over the republics that have BOTH the partner's figure and their own world
total (and a figure not larger than that total: a share over 100% is no share), the figures and
the world totals, and divides. A republic with a world total but no figure
for that partner is left out of the denominator too (else EU27's share of the five's trade would
be 56100 / 233172.02 = 24.06% instead of 26.97%, with a coverage of 4/5).

The 2024 rows used (value in $ m; "der." = derived from the same reporter's other two flows):

Each republic's world total (its own statistics; partner WLD):
    KAZ  export 81674.0530439   import 60397.96938396   total der. 142072.02242786
    KGZ  export 3800            import 12500            total der. 16300
    TJK                                                 total 8900
    TKM  export 12000
    UZB  export 26900           import 38900            total 65900

The figures, seen from the partner's side ("export" = the partner's exports = the republic's
imports), as the partner published them | as the republic published them (mirrored):
    CHN-KAZ  total 43820, export 28000, import 15900  | total 30100, export 15300 (KAZ's import),
                                                        import der. 30100 - 15300 = 14800
    CHN-KGZ  total 22710, import 2800,                | total 5500, import 2040 (KGZ's export),
             export 'over' 19900 (R4033)              |   export der. 5500 - 2040 = 3460
    CHN-TJK  total 3860, import 350, export 3500      | total 1960
    CHN-TKM  total 10650, export 1000, import 9600    | total 10600
    CHN-UZB  total 13780, export 11800, import 2000   | total 12400, import 2050 (UZB's export),
                                                        export der. 12400 - 2050 = 10350
    EU27-KAZ                                          | total 49700, export 11100 (KAZ's
                                                        import), import 38600 (R4003-R4005)
    EU27-UZB import 845 EUR (R4001) x 1.0824 = 914.628 | total 6400, export 4700, import 1700
    RUS-KAZ  total 28700                              | total 28000
    RUS-KGZ  total 4100                               | total 3200
    RUS-TJK  total 1600                               | total 1900
    RUS-UZB  total 11700                              | total 11600

Measures: trade = the partner's total / the republic's world total; imports = the partner's
export / the republic's world imports; exports = the partner's import / the republic's world
exports. Basis ``republic`` takes the republic's figure first, ``partner`` the partner's; either
falls back to the other side.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import invoke

WORLD_TOTAL = {
    "KAZ": 81674.0530439 + 60397.96938396,
    "KGZ": 3800 + 12500,
    "TJK": 8900,
    "UZB": 65900,
}
WORLD_IMPORTS = {"KAZ": 60397.96938396, "KGZ": 12500, "UZB": 38900}
WORLD_EXPORTS = {"KAZ": 81674.0530439, "KGZ": 3800, "TKM": 12000, "UZB": 26900}

# (basis, partner, measure) -> {republic: the partner's figure}, for the republics that have
# both the figure and the world total it is divided by (TKM has no total and no imports; TJK no
# imports and no exports).
FIGURES: dict[tuple[str, str, str], dict[str, float]] = {
    # ---- basis republic: the republic's figure first
    ("republic", "CHN", "trade"): {"KAZ": 30100, "KGZ": 5500, "TJK": 1960, "UZB": 12400},
    # KAZ's import 15300; KGZ's derived import 3460; UZB's derived import 10350.
    ("republic", "CHN", "imports"): {"KAZ": 15300, "KGZ": 3460, "UZB": 10350},
    # KAZ's derived export 14800; KGZ's export 2040; TKM has none: China's import 9600; UZB 2050.
    ("republic", "CHN", "exports"): {"KAZ": 14800, "KGZ": 2040, "TKM": 9600, "UZB": 2050},
    # KGZ, TJK and TKM have world totals but no EU figure: out of the denominator.
    ("republic", "EU27", "trade"): {"KAZ": 49700, "UZB": 6400},
    ("republic", "EU27", "imports"): {"KAZ": 11100, "UZB": 4700},
    ("republic", "EU27", "exports"): {"KAZ": 38600, "UZB": 1700},
    ("republic", "RUS", "trade"): {"KAZ": 28000, "KGZ": 3200, "TJK": 1900, "UZB": 11600},
    ("republic", "RUS", "imports"): {},
    ("republic", "RUS", "exports"): {},
    # ---- basis partner: the partner's figure first
    # China's 22710 with KGZ is more than KGZ's whole world trade (16300): not a share, so KGZ
    # is left out of the five's share too.
    ("partner", "CHN", "trade"): {"KAZ": 43820, "TJK": 3860, "UZB": 13780},
    # China's export to KGZ, 'over 19900' (R4033): more than KGZ's world imports (12500), left
    # out the same way.
    ("partner", "CHN", "imports"): {"KAZ": 28000, "UZB": 11800},
    ("partner", "CHN", "exports"): {"KAZ": 15900, "KGZ": 2800, "TKM": 9600, "UZB": 2000},
    # The EU's own figure per republic: only its imports from UZB (845 EUR m, R4001, at 1.0824);
    # otherwise the republics' figures, as on basis republic.
    ("partner", "EU27", "trade"): {"KAZ": 49700, "UZB": 6400},
    ("partner", "EU27", "imports"): {"KAZ": 11100, "UZB": 4700},
    ("partner", "EU27", "exports"): {"KAZ": 38600, "UZB": 845 * 1.0824},
    ("partner", "RUS", "trade"): {"KAZ": 28700, "KGZ": 4100, "TJK": 1600, "UZB": 11700},
    ("partner", "RUS", "imports"): {},
    ("partner", "RUS", "exports"): {},
}
DENOMINATORS = {"trade": WORLD_TOTAL, "imports": WORLD_IMPORTS, "exports": WORLD_EXPORTS}
# Mixed basis: some republic's figure is the partner's, over the republic's own world total.
# Basis republic: only China's import from TKM (9600, TKM publishes no export to China);
# basis partner: every Chinese and Russian figure; the EU's are the republics' own either way.
MIXED = {
    ("republic", "CHN", "exports"),
    ("partner", "CHN", "trade"),
    ("partner", "CHN", "imports"),
    ("partner", "CHN", "exports"),
    ("partner", "RUS", "trade"),
    ("partner", "EU27", "exports"),
}


def region_rows(runner: CliRunner, basis: str) -> dict[str, dict[str, object]]:
    result = invoke(runner, "shares", "--year", "2024", "--basis", basis, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {row["partner"]: row for row in json.loads(result.stdout) if row["area"] == "CA5"}


@pytest.mark.parametrize("basis", ["republic", "partner"])
@pytest.mark.parametrize("partner", ["CHN", "EU27", "RUS"])
@pytest.mark.parametrize("measure", ["trade", "imports", "exports"])
def test_region_share(runner: CliRunner, basis: str, partner: str, measure: str) -> None:
    row = region_rows(runner, basis)[partner]
    figures = FIGURES[(basis, partner, measure)]
    if not figures:
        assert row[f"{measure}_share_pct"] is None
        assert row[f"{measure}_usd_m"] is None
        assert row[f"{measure}_missing_reason"] == (
            "no republic has both this figure and its world total"
        )
        return
    numerator = sum(figures.values())
    denominator = sum(DENOMINATORS[measure][republic] for republic in figures)
    assert row[f"{measure}_usd_m"] == pytest.approx(numerator)
    assert row[f"world_{measure}_usd_m"] == pytest.approx(denominator)
    assert row[f"{measure}_share_pct"] == pytest.approx(numerator / denominator * 100)
    assert row[f"{measure}_mixed"] == ((basis, partner, measure) in MIXED)
    covered = ", ".join(sorted(figures))
    assert row[f"{measure}_coverage"] == f"{len(figures)}/5 republics with both figures ({covered})"


@pytest.mark.parametrize(
    ("measure", "figure", "world"), [("trade", 22710.0, 16300.0), ("imports", 19900.0, 12500.0)]
)
def test_a_figure_larger_than_the_world_total_is_no_share(
    runner: CliRunner, measure: str, figure: float, world: float
) -> None:
    # Basis partner, China-Kyrgyzstan: China's figures over Kyrgyzstan's own world totals.
    result = invoke(runner, "shares", "--year", "2024", "--basis", "partner", "-f", "json")
    [row] = [r for r in json.loads(result.stdout) if (r["area"], r["partner"]) == ("KGZ", "CHN")]
    assert row[f"{measure}_usd_m"] == figure
    assert row[f"world_{measure}_usd_m"] == world
    assert row[f"{measure}_share_pct"] is None
    assert row[f"{measure}_missing_reason"] == (
        f"not meaningful: China's figure ({figure} m) exceeds Kyrgyzstan's own world total "
        f"({world} m)"
    )


def test_the_audit_figures() -> None:
    # The arithmetic above, for the EU's share of the five's trade: 26.97%, not 24.06%.
    eu = FIGURES[("republic", "EU27", "trade")]
    assert sum(eu.values()) == 49700 + 6400 == 56100
    assert round(56100 / (142072.02242786 + 65900) * 100, 2) == 26.97
    everyone = 142072.02242786 + 16300 + 8900 + 65900
    assert round(56100 / everyone * 100, 2) == 24.06  # the bug: every world total summed
    assert sum(DENOMINATORS["trade"][r] for r in eu) == pytest.approx(142072.02242786 + 65900)


@pytest.mark.parametrize("basis", ["republic", "partner"])
def test_region_share_in_the_table(runner: CliRunner, basis: str) -> None:
    # The EU's share of the five's trade as a reader sees it: 56100 / 207972.02 = 27.0%.
    result = invoke(runner, "shares", "--year", "2024", "--basis", basis, "--format", "md")
    assert result.exit_code == 0, result.stderr
    [line] = [x for x in result.stdout.splitlines() if x.startswith("| Central Asia (5) | EU |")]
    assert line.startswith("| Central Asia (5) | EU | 27.0%")
