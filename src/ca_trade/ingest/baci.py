"""CEPII BACI: one row per exporter ``i``, importer ``j`` and HS-6 product ``k``; ``v`` in
thousands of US dollars; numeric codes, mapped with BACI's country file.

A BACI row is a reconciled flow, so it becomes the exporter's export only (basis ``compiled``);
each country's World rows are sums over all its partners, built here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ca_trade.ingest.spec import Spec

if TYPE_CHECKING:
    import polars as pl

BACI = Spec(
    name="baci",
    title="CEPII BACI",
    url="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    codes="numeric",
    roles={"period": "t", "reporter": "i", "partner": "j", "product": "k", "value": "v"},
    unit=1000.0,
    basis="compiled",
    flows={},
)


def with_world(pairs: pl.DataFrame) -> pl.DataFrame:
    """Add each country's World rows to BACI pair rows (raw codes).

    Takes and returns year, reporter, partner, flow, value, rows, level and ``partners`` (null
    on a pair row; on a World row, how many partners were summed). A World export is the sum
    over the country as exporter, a World import the sum over it as importer; the partner of
    a World row is ``WLD``.
    """
    import polars as pl

    out = [pairs.with_columns(pl.lit(None, dtype=pl.UInt32).alias("partners"))]
    for side, flow in (("reporter", "export"), ("partner", "import")):
        world = pairs.group_by("year", side).agg(
            pl.col("value").sum(), pl.col("rows").sum(), pl.len().alias("partners")
        )
        out.append(
            world.select(
                "year",
                pl.col(side).alias("reporter"),
                pl.lit("WLD").cast(pairs.schema["partner"]).alias("partner"),
                pl.lit(flow).cast(pairs.schema["flow"]).alias("flow"),
                "value",
                "rows",
                pl.lit(None, dtype=pairs.schema["level"]).alias("level"),
                pl.col("partners").cast(pl.UInt32),
            ).select(out[0].columns)
        )
    return pl.concat(out, how="vertical_relaxed")
