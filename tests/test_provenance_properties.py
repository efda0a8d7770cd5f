"""Provenance invariants on generated data that mix reporters, bounds and unstated rows.

Each side of each pair publishes a random subset of flows, each row with a random basis and a
random bound; republics may publish world totals. The invariants hold whatever the mix.
"""

from __future__ import annotations

import csv
import io
import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ca_trade import claims, compute, figures, render, schema
from ca_trade.claims.model import Claim, ClaimSet, Measure, Source

RATES = {2024: 1.0824}
values = st.integers(min_value=1, max_value=50_000).map(float)
bounds = st.sampled_from((None, None, None, "lower", "upper", "approx"))


@st.composite
def datasets(draw: st.DrawFn) -> pl.DataFrame:
    rows: list[dict[str, object]] = []

    def add(reporter: str, partner: str, flow: str, value: float) -> None:
        rows.append(
            {
                "year": 2024, "reporter": reporter, "partner": partner, "flow": flow,
                "value_millions": value, "currency": "USD",
                "basis": draw(st.sampled_from(schema.BASES)),
                "source": "generated", "source_url": "https://example.org/", "note": None,
                "bound": draw(bounds),
            }
        )  # fmt: skip

    areas = (*schema.REPUBLICS, schema.REGION)
    for area in draw(st.lists(st.sampled_from(areas), min_size=1, max_size=4, unique=True)):
        for partner in schema.PARTNERS:
            for reporter, counterpart in ((partner, area), (area, partner)):
                if not draw(st.booleans()):
                    continue
                exports, imports = draw(values), draw(values)
                amounts = {"export": exports, "import": imports, "total": exports + imports}
                for flow in sorted(draw(st.sets(st.sampled_from(schema.FLOWS), min_size=1))):
                    add(reporter, counterpart, flow, amounts[flow])
        if area != schema.REGION and draw(st.booleans()):
            for flow in sorted(draw(st.sets(st.sampled_from(schema.FLOWS), min_size=1))):
                add(area, schema.WORLD, flow, draw(values))
    if not rows:
        add("CHN", "KAZ", "total", 1.0)
    frame = pl.DataFrame(
        rows, schema_overrides={"note": pl.String, "bound": pl.String, "year": pl.Int64}
    )
    return frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("line"))


common = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
rules = st.sampled_from(("partner", "republic"))


@common
@given(datasets(), rules)
def test_no_share_outside_0_to_100(trade: pl.DataFrame, rule: str) -> None:
    frame = compute.shares(trade, basis=rule, currency="USD", rates=RATES)  # type: ignore[arg-type]
    for measure in ("trade", "imports", "exports"):
        shares = frame.get_column(f"{measure}_share_pct").drop_nulls()
        assert shares.is_between(0, 100).all()
        # a missing share always says why, unless it has nothing to divide at all
        missing = frame.filter(
            pl.col(f"{measure}_share_pct").is_null()
            & pl.col(f"{measure}_usd_m").is_not_null()
            & pl.col(f"world_{measure}_usd_m").is_not_null()
        )
        assert missing.get_column(f"{measure}_missing_reason").is_not_null().all()


@common
@given(datasets(), rules)
def test_mixed_exactly_when_reporters_mix(trade: pl.DataFrame, rule: str) -> None:
    got = figures.resolve(trade, rule, "USD", RATES)  # type: ignore[arg-type]
    for row in got.filter(pl.col("value").is_not_null()).iter_rows(named=True):
        reporters = set(row["reporters"])
        expected = len(reporters) > 1 and not reporters <= set(schema.REPUBLICS)
        assert row["mixed"] is expected
        assert row["reporter"] == ",".join(sorted(reporters))


@common
@given(datasets(), rules)
def test_balance_is_mixed_exactly_when_its_flows_are_two_sides(
    trade: pl.DataFrame, rule: str
) -> None:
    frame = compute.balance(trade, basis=rule, currency="USD", rates=RATES)  # type: ignore[arg-type]
    for row in frame.filter(pl.col("balance_usd_m").is_not_null()).iter_rows(named=True):
        codes = set(row["exports_reporter"].split(",")) | set(row["imports_reporter"].split(","))
        assert row["mixed_reporters"] is (len(codes) > 1 and not codes <= set(schema.REPUBLICS))


@common
@given(datasets())
def test_bounded_values_carry_their_bound(trade: pl.DataFrame) -> None:
    got = figures.resolve(trade, "partner", "USD", RATES)
    published = got.filter(~pl.col("derived") & (pl.col("route") != figures.SUM))
    rows = {
        (r["year"], r["reporter"], r["partner"], r["flow"]): r["bound"]
        for r in trade.iter_rows(named=True)
    }
    for row in published.filter(pl.col("value").is_not_null()).iter_rows(named=True):
        if row["side"] != "partner":
            continue
        key = (row["year"], row["reporter"], row["area"], row["flow"])
        assert row["bound"] == rows[key]
    assert (got.get_column("bound").drop_nulls() != "undecidable").all()


@common
@given(datasets(), rules)
def test_flags_are_the_same_in_csv_and_json(trade: pl.DataFrame, rule: str) -> None:
    for frame in (
        compute.compare(trade, basis=rule, currency="USD", rates=RATES),  # type: ignore[arg-type]
        compute.shares(trade, basis=rule, currency="USD", rates=RATES),  # type: ignore[arg-type]
    ):
        from_csv = list(csv.DictReader(io.StringIO(render.csv_text(frame))))
        from_json = json.loads(render.json_text(frame))
        flags = [
            n
            for n in frame.columns
            if n.endswith(("_mixed", "_partial", "_bound", "_derived", "_basis"))
        ]
        for row, record in zip(from_csv, from_json, strict=True):
            for name in flags:
                value = record[name]
                expected = "" if value is None else str(value).lower()
                assert row[name] == expected, name


def _restating_claims(trade: pl.DataFrame) -> ClaimSet:
    """For each bounded region or pair total in the data, a claim that says what its source
    said: 'more than' for a lower bound, 'less than' for an upper one."""
    made = []
    for row in trade.filter(
        pl.col("bound").is_in(["lower", "upper"])
        & (pl.col("flow") == "total")
        & pl.col("reporter").is_in(schema.PARTNERS)
    ).iter_rows(named=True):
        made.append(
            Claim(
                id=f"c{len(made)}",
                index=len(made),
                quote="restates the data",
                source=Source(title="generated"),
                measure=Measure(kind="turnover", partner=row["reporter"], area=row["partner"]),
                op=">" if row["bound"] == "lower" else "<",
                value=row["value_millions"],
                unit="USD m",
                year=2024,
            )
        )
    return ClaimSet(path="generated", claims=tuple(made))


@common
@given(datasets())
def test_a_claim_restating_a_bound_is_never_fails(trade: pl.DataFrame) -> None:
    claim_set = _restating_claims(trade)
    if not claim_set.claims:
        return
    result = claims.evaluate(claim_set, trade, currency="USD", rates=RATES, year=2024)
    # On the bounded row's own statistics (the partner's), never refuted; another reporter's
    # figure may of course disagree.
    own = result.filter(pl.col("statistics") == "partner")
    assert "fails" not in set(own.get_column("result").to_list())


@common
@given(datasets())
def test_depends_on_basis_only_with_different_reporters(trade: pl.DataFrame) -> None:
    made = [
        Claim(
            id=f"{partner}-{area}",
            index=i,
            quote="generated",
            source=Source(title="generated"),
            measure=Measure(kind="turnover", partner=partner, area=area),
            op=">",
            value=25.0,
            unit="USD bn",
            year=2024,
        )
        for i, (partner, area) in enumerate(
            (p, a) for p in schema.PARTNERS for a in (*schema.REPUBLICS, schema.REGION)
        )
    ]
    result = claims.evaluate(
        ClaimSet(path="generated", claims=tuple(made)),
        trade,
        currency="USD",
        rates=RATES,
        year=2024,
    )
    for claim_id, group in result.group_by("claim_id"):
        if group.item(0, "verdict") == "depends on basis":
            decided = group.filter(pl.col("result").is_in(["holds", "fails"]))
            assert decided.get_column("reporters").n_unique() > 1, claim_id


# ------------------------------------------------------------------ declared schemas


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("compare", lambda t: compute.compare(t, basis="partner", currency="USD", rates=RATES)),
        ("shares", lambda t: compute.shares(t, basis="partner", currency="USD", rates=RATES)),
        ("balance", lambda t: compute.balance(t, basis="partner", currency="USD", rates=RATES)),
        ("growth", lambda t: compute.growth(t, basis="partner", currency="USD", rates=RATES)),
        ("mirror", lambda t: compute.mirror(t, currency="USD", rates=RATES)),
    ],
)
def test_every_result_declares_its_provenance_columns_with_types(name: str, make: object) -> None:
    from ca_trade.inputs import Inputs

    frame = make(Inputs(None, None).trade)  # type: ignore[operator]
    types = frame.schema
    for column, dtype in types.items():
        if column.endswith(("_mixed", "_partial", "_derived")) or column in (
            "comparable",
            "mixed_reporters",
            "rank_mixed",
            "change_mixed",
        ):
            assert dtype == pl.Boolean, (name, column)
        if column.endswith(("_bound", "_reporter", "_basis", "_coverage", "_missing_reason")):
            assert dtype == pl.String, (name, column)
        if column.endswith("_source_lines"):
            assert dtype == pl.List(pl.Int64), (name, column)
        if column.endswith("_covers"):
            assert dtype == pl.List(pl.String), (name, column)
    if name in ("compare", "balance"):
        for measure in ("turnover", "exports", "imports", "balance"):
            for field in figures.FIGURE_FIELDS:
                assert f"{measure}_{field}" in types, (name, measure, field)
    if name == "shares":
        for measure in ("trade", "imports", "exports"):
            for field in ("share_pct", "mixed", "bound", "partial", "basis", "missing_reason"):
                assert f"{measure}_{field}" in types, (name, measure, field)


def test_resolve_returns_its_declared_schema() -> None:
    from ca_trade.inputs import Inputs

    got = figures.resolve(Inputs(None, None).trade, "partner", "USD", RATES)
    assert dict(got.schema) == dict(figures.FIGURE_SCHEMA)
