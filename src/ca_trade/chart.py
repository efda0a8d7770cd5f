"""The chart image of a series (``series -o FILE.svg`` or ``.png``), drawn with matplotlib.

One line per reporter (and per coverage, for a partial sum of the republics), labelled with whose
figures they are, so that a line never runs across a change of source; a year with no figure
breaks the line. matplotlib is imported here only, with the Agg backend (no display needed).
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from ca_trade.schema import NAMES

if TYPE_CHECKING:
    import polars as pl

CHART_SUFFIXES = (".svg", ".png")
_FLOW_WORDS = {"turnover": "turnover with", "exports": "exports to", "imports": "imports from"}


def _group(row: dict[str, object]) -> str:
    """The line a year's figure belongs to: its reporter, and its coverage when partial."""
    from ca_trade.compute.series import whose

    label = f"{whose(str(row['reporter']))} ({row['basis']})"
    coverage = row.get("coverage")
    if isinstance(coverage, str) and "partial" in coverage:
        label += f", {coverage}"
    return label


def chart_bytes(frame: pl.DataFrame, *, currency: str, image_format: str) -> bytes:
    """The series (``series.series`` columns) as an SVG or PNG image: the file's bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    unit = f"_{currency.lower()}_m"
    rows = frame.to_dicts()
    years = [int(str(r["year"])) for r in rows]
    groups: dict[str, dict[int, float]] = {}
    codes: dict[str, str] = {}
    for row in rows:
        value = row["value" + unit]
        if value is None:
            continue
        label = _group(row)
        groups.setdefault(label, {})[int(str(row["year"]))] = float(value) / 1000
        codes.setdefault(label, str(row["reporter"]).replace(",", "+"))
    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.add_subplot()
    for index, (label, values) in enumerate(groups.items()):
        ys = [values.get(y, math.nan) for y in years]
        (line,) = axes.plot(years, ys, marker="o", label=label)
        line.set_gid(f"series-{index}-{codes[label]}")
    first = rows[0]
    partner = NAMES.get(str(first["partner"]), str(first["partner"]))
    area = NAMES.get(str(first["area"]), str(first["area"]))
    measure = str(first["measure"])
    axes.set_title(
        f"{partner}: {measure} {_FLOW_WORDS[measure].split()[-1]} {area}, {years[0]}–{years[-1]}"
    )
    axes.set_xlabel("year")
    axes.set_ylabel(f"{currency} billions (current prices)")
    axes.set_xticks(years)
    axes.tick_params(axis="x", labelrotation=45)
    axes.grid(True, alpha=0.3)
    axes.set_ylim(bottom=0)
    if groups:
        axes.legend(title="whose figures (one line each)", fontsize="small", loc="upper left")
    figure.text(
        0.01,
        0.01,
        "ca-trade series; sources: ca-trade sources. A line never joins two reporters' "
        "figures; a gap is a year with no figure.",
        fontsize="x-small",
        alpha=0.7,
    )
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    buffer = io.BytesIO()
    metadata = {"Date": None} if image_format == "svg" else {}
    # SVG text as text (searchable, readable by screen readers), not as drawn paths.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format=image_format, metadata=metadata)
    return buffer.getvalue()
