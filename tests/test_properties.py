"""Invariants of the calculator on generated datasets (hypothesis).

Datasets are built from consistent underlying flows: for each (reporter side, partner, republic)
an export and an import value; each side then publishes a random subset of export, import and
total (= export + import). Republics may publish a world total large enough to hold their trade.
"""

from __future__ import annotations

import csv
import io
import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ca_trade import compute, render, schema

RATES = {2024: 1.0824}
FLOWS = ("export", "import", "total")
values = st.integers(min_value=1, max_value=50_000).map(float)


@st.composite
def datasets(draw: st.DrawFn) -> pl.DataFrame:
    rows: list[dict[str, object]] = []

    def add(reporter: str, partner: str, flow: str, value: float) -> None:
        rows.append(
            {
                "year": 2024, "reporter": reporter, "partner": partner, "flow": flow,
                "value_millions": value, "currency": "USD",
                "basis": draw(st.sampled_from(("official", "compiled"))),
                "source": "generated", "source_url": "https://example.org/", "note": None,
            }
        )  # fmt: skip

    for republic in schema.REPUBLICS:
        trade_total = 0.0
        for partner in schema.PARTNERS:
            for reporter, counterpart in ((partner, republic), (republic, partner)):
                if not draw(st.booleans()):
                    continue
                exports, imports = draw(values), draw(values)
                published = draw(st.sets(st.sampled_from(FLOWS), min_size=1))
                amounts = {"export": exports, "import": imports, "total": exports + imports}
                for flow in sorted(published):
                    add(reporter, counterpart, flow, amounts[flow])
                if reporter == republic:
                    trade_total += exports + imports
        if draw(st.booleans()):
            exports = draw(values) + trade_total
            imports = draw(values) + trade_total
            for flow, value in (("export", exports), ("import", imports),
                                ("total", exports + imports)):  # fmt: skip
                add(republic, schema.WORLD, flow, value)
    if not rows:
        add("CHN", "KAZ", "total", 1.0)
    frame = pl.DataFrame(rows, schema_overrides={"note": pl.String, "year": pl.Int64})
    return frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("line"))


common = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# The share measures: (the partner-side flow that is the numerator, the republic's world flow).
MIRROR = {"export": "import", "import": "export", "total": "total"}
SHARE_FLOWS = {
    "trade": ("total", "total"),
    "imports": ("export", "import"),
    "exports": ("import", "export"),
}


def _published(trade: pl.DataFrame, reporter: str, partner: str) -> dict[str, float]:
    """One reporter's flows with one partner, the missing one derived from the other two."""
    rows = trade.filter((pl.col("reporter") == reporter) & (pl.col("partner") == partner))
    flows: dict[str, float] = dict(zip(rows["flow"], rows["value_millions"], strict=True))
    if "total" not in flows and {"export", "import"} <= set(flows):
        flows["total"] = flows["export"] + flows["import"]
    for flow, other in (("export", "import"), ("import", "export")):
        if flow not in flows and {"total", other} <= set(flows):
            flows[flow] = flows["total"] - flows[other]
    return flows


def _figure(
    trade: pl.DataFrame, partner: str, republic: str, flow: str, basis: str
) -> float | None:
    """The partner-side flow: the partner's figure (or the republic's, mirrored), the basis's
    side first."""
    own = _published(trade, partner, republic)
    mirrored = {MIRROR[f]: value for f, value in _published(trade, republic, partner).items()}
    first, second = (own, mirrored) if basis == "partner" else (mirrored, own)
    return first.get(flow, second.get(flow))


def _partners_own(trade: pl.DataFrame, partner: str, republic: str, flow: str, basis: str) -> bool:
    """Whether ``_figure`` took the partner's own figure (a share over the republic's world
    total is then of mixed basis)."""
    own = _published(trade, partner, republic)
    mirrored = {MIRROR[f] for f in _published(trade, republic, partner)}
    return flow in own and (basis == "partner" or flow not in mirrored)


@common
@given(datasets(), st.sampled_from(("partner", "republic")))
def test_shares_and_rest_of_world_from_the_rows(trade: pl.DataFrame, basis: str) -> None:
    # Each share computed again from the data rows: a figure over the republic's own world
    # total, missing when over 100% (only with mixed reporters); rest of world is the world
    # total minus the partners' values (not 100 minus their shares); then the shares add to 100.
    frame = compute.shares(trade, basis=basis, currency="USD", rates=RATES)  # type: ignore[arg-type]
    rows = {(r["area"], r["partner"]): r for r in frame.iter_rows(named=True)}
    for measure, (flow, world_flow) in SHARE_FLOWS.items():
        share, value, world = f"{measure}_share_pct", f"{measure}_usd_m", f"world_{measure}_usd_m"
        region: dict[str, list[tuple[float, float, bool]]] = {p: [] for p in schema.PARTNERS}
        for republic in schema.REPUBLICS:
            den = _published(trade, republic, schema.WORLD).get(world_flow)
            nums = {p: _figure(trade, p, republic, flow, basis) for p in schema.PARTNERS}
            for partner, num in nums.items():
                row = rows[(republic, partner)]
                assert row[value] == (None if num is None else pytest.approx(num))
                if num is None or den is None:
                    assert row[share] is None
                    continue
                assert row[world] == pytest.approx(den)
                mixed = _partners_own(trade, partner, republic, flow, basis)
                assert row[f"{measure}_mixed"] == mixed
                if num > den:  # more than the republic's whole trade: not a share
                    assert mixed
                    assert row[share] is None
                    assert row[f"{measure}_missing_reason"].startswith("not meaningful")
                    continue
                assert row[share] == pytest.approx(num / den * 100)
                region[partner].append((num, den, mixed))
            rest = rows.get((republic, compute.REST_OF_WORLD))
            if den is None:
                assert rest is None or rest[share] is None
                continue
            assert rest is not None
            known = [num for num in nums.values() if num is not None]
            remainder = den - sum(known)
            if any(num > den for num in known) or remainder < 0:
                assert rest[share] is None and rest[value] is None
                continue
            assert rest[value] == pytest.approx(remainder)
            assert rest[share] == pytest.approx(remainder / den * 100)
            shares = [rows[(republic, p)][share] for p in (*schema.PARTNERS, "ROW")]
            assert sum(s for s in shares if s is not None) == pytest.approx(100.0)
        # The five: the republics with a share, their figures over their world totals.
        for partner, pairs in region.items():
            row = rows[(schema.REGION, partner)]
            if not pairs:
                assert row[share] is None
                continue
            num, den = sum(n for n, _, _ in pairs), sum(d for _, d, _ in pairs)
            assert row[value] == pytest.approx(num)
            assert row[world] == pytest.approx(den)
            assert row[share] == pytest.approx(num / den * 100)
            assert row[f"{measure}_mixed"] == any(m for _, _, m in pairs)


@common
@given(datasets(), st.sampled_from(("partner", "republic")))
def test_balance_flips_sign_across_sides(trade: pl.DataFrame, basis: str) -> None:
    kwargs = {"basis": basis, "currency": "USD", "rates": RATES}
    partner_view = compute.balance(trade, **kwargs)  # type: ignore[arg-type]
    republic_view = compute.balance(trade, perspective="republic", **kwargs)  # type: ignore[arg-type]
    joined = partner_view.join(republic_view, on=["partner", "area"], suffix="_r")
    for row in joined.iter_rows(named=True):
        if row["balance_usd_m"] is None:
            assert row["balance_usd_m_r"] is None
        else:
            assert row["balance_usd_m"] == pytest.approx(-row["balance_usd_m_r"])
            if row["balance_usd_m"] > 0:
                assert row["surplus_holder"] == row["partner"] == row["surplus_holder_r"]


@common
@given(datasets(), st.sampled_from(("partner", "republic")))
def test_turnover_is_exports_plus_imports_from_one_reporter(
    trade: pl.DataFrame, basis: str
) -> None:
    frame = compute.balance(trade, basis=basis, currency="USD", rates=RATES)  # type: ignore[arg-type]
    for row in frame.iter_rows(named=True):
        reporters = {row["turnover_reporter"], row["exports_reporter"], row["imports_reporter"]}
        if None in reporters or len(reporters) != 1 or row["area"] == schema.REGION:
            continue
        assert row["turnover_usd_m"] == pytest.approx(row["exports_usd_m"] + row["imports_usd_m"])


@common
@given(datasets())
def test_csv_and_json_hold_the_same_numbers(trade: pl.DataFrame) -> None:
    frame = compute.compare(trade, basis="partner", currency="USD", rates=RATES)
    from_csv = list(csv.DictReader(io.StringIO(render.csv_text(frame))))
    from_json = json.loads(render.json_text(frame))
    numeric = [n for n, t in frame.schema.items() if t.is_numeric()]
    for row, record in zip(from_csv, from_json, strict=True):
        for name in numeric:
            if record[name] is None:
                assert row[name] == ""
            else:
                assert float(row[name]) == record[name]


@common
@given(datasets())
def test_mirror_gap_index_is_symmetric_and_bounded(trade: pl.DataFrame) -> None:
    frame = compute.mirror(trade, currency="USD", rates=RATES)
    assert frame.get_column("gap_index").is_between(0, 1).all()
    # Swap the sides: every row now reported by its counterpart, the flow turned round.
    # Each pair's two values trade places, and the gap index must not change.
    swapped_trade = trade.filter(pl.col("partner") != schema.WORLD).select(
        "year",
        pl.col("partner").alias("reporter"),
        pl.col("reporter").alias("partner"),
        pl.col("flow").replace({"export": "import", "import": "export"}),
        pl.exclude("year", "reporter", "partner", "flow"),
    )
    swapped = compute.mirror(swapped_trade, currency="USD", rates=RATES)
    keys = ["partner", "area", "flow"]
    joined = frame.join(swapped, on=keys, suffix="_swapped", how="full", coalesce=True)
    assert joined.height == frame.height == swapped.height
    for row in joined.iter_rows(named=True):
        assert row["partner_reported_usd_m"] == row["republic_reported_usd_m_swapped"]
        assert row["gap_index"] == pytest.approx(row["gap_index_swapped"])
