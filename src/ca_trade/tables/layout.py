"""Fitting a table to a width: column kinds and priorities, keyed notes, the stacked layout.

The one implementation every command's table goes through. A builder (one module per command)
describes its table as a ``Grid``: ``Column`` specs in display order, each with a kind and a
priority, and rows of ``rich.text.Text`` cells. ``blocks_to_renderables(blocks, width)`` then
lays it out for a terminal of that many columns:

1. Every column gets its natural width (its longest line). Headers wrap at spaces.
2. If that is too wide, bars (``bar=True``: they repeat a number) leave, and so do ``hoist``
   columns that hold one value on every row (said once under the table).
3. ``prose`` and ``provenance`` columns wrap at word boundaries, down to their longest word
   (``fold`` columns, e.g. URLs, down to ``FOLD_MIN``; provenance down to ``READABLE``).
4. If that is still too wide, columns with a ``priority`` above 0 leave the table, the highest
   number first (ties: the rightmost). What they held is not lost: a column with one value on
   every row becomes one line (``valuation (every row): ...``); otherwise each row's moved
   cells become a keyed note (``Chinaᵃ`` and ``ᵃ basis: CHN customs · official; coverage:
   5/5 republics``), and rows whose moved cells read the same share a key. A line says what
   moved and how to see it as columns (``--wide``, ``--format csv``).
5. If the columns that never leave (priority 0) still do not fit, or the notes would need more
   keys than there are letters, the table becomes a stacked layout: one block per row, the
   row's code cells as a heading, then ``header  value`` lines.
6. The room left goes one cell at a time to the wrapping column where it saves most lines.

Never cut: ``number`` and ``code`` cells never wrap (unless a column says ``wrap=True``, and
then only at spaces) and are never shortened; ``prose`` and ``provenance`` cells wrap at
spaces. No rendered line is wider than the width asked for. ``width=None`` is the full layout
(``--wide``, pipes and files): nothing moves, nothing wraps.

``markdown(blocks)`` writes the same blocks as GitHub-flavoured Markdown: the full layout, the
cells as the table shows them, the notes as a list below.

Priorities are declared once, next to each builder, as the ``priority`` of its columns:
0 never leaves; 1, 2, 3 ... leave last to first (bars, ratios and notes give way before
figures do: give figures 0).

API: ``Column``, ``Grid`` (``add_row``, ``add_section``), ``Lines``; ``fit(grid, width)``;
``blocks_to_renderables(blocks, width)``; ``blocks_text(blocks, width)`` (plain text);
``print_blocks(blocks, wide=...)`` (stdout); ``markdown(blocks)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rich.cells import cell_len
from rich.text import Text

Kind = Literal["number", "code", "prose", "provenance", "extra"]

MISSING = "—"
FOLD_MIN = 24  # narrowest a ``fold`` column (URLs) gets before the table stacks
READABLE = 22  # narrowest a provenance column gets before it moves to the notes
KEYS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"  # note markers, one cell wide each
WIDE_HINT = "--wide or --format csv"


@dataclass(frozen=True)
class Column:
    """One column of a ``Grid``.

    - ``kind``: ``number`` (right-aligned, never wraps), ``code`` (codes, names, verdicts: never
      wraps), ``prose`` (wraps at spaces), ``provenance`` (basis, coverage, valuation: wraps at
      spaces; moves to keyed notes when it does not fit), ``extra`` (ratios, bars, notes:
      leaves before figures do, into the keyed notes unless it is a ``bar``).
    - ``priority``: 0 never leaves the table; otherwise the highest number leaves first.
    - ``short``: the column's name in keyed notes and in the "moved" line [default: header].
    - ``marks``: this column carries the note keys [default: the first ``code`` column].
    - ``fold``: a prose column whose words may be longer than the width (URLs): they fold.
    - ``wrap``: override whether an ``extra`` column wraps at spaces (default: no).
    - ``hoist``: when every row holds the same value, the column leaves first (said once
      under the table), e.g. the partner of ``balance --partner CHN``.
    - ``min_width``: the narrowest a wrapping column may get before columns leave or the
      table stacks (default: its longest word; provenance: up to ``READABLE``).
    """

    header: str
    kind: Kind = "code"
    priority: int = 0
    short: str | None = None
    justify: Literal["left", "right", "center"] | None = None
    style: str = ""
    marks: bool = False
    bar: bool = False
    fold: bool = False
    wrap: bool | None = None
    min_width: int | None = None
    hoist: bool = False

    @property
    def wraps(self) -> bool:
        """True when cells may wrap at spaces."""
        if self.wrap is not None:
            return self.wrap
        return self.kind in ("prose", "provenance")

    @property
    def droppable(self) -> bool:
        """True when the column may leave the table (to the notes, or as a bar, silently)."""
        return self.priority > 0 or self.bar

    @property
    def name(self) -> str:
        """How notes and the moved line name the column."""
        return self.short or self.header


@dataclass
class Row:
    """One table row: a cell per column (``Text``), and whether a rule follows it."""

    cells: Sequence[Text]
    end_section: bool = False


@dataclass
class Grid:
    """A table to fit: title, columns (display order), rows, and notes printed under it."""

    title: str
    columns: Sequence[Column]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    show_lines: bool = False

    def add_row(self, *cells: Text | str | None, end_section: bool = False) -> None:
        """Add a row; ``str`` becomes a literal ``Text``, None becomes '—'."""
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(Row([as_text(c) for c in cells], end_section))

    def add_section(self) -> None:
        """A rule under the last row."""
        if self.rows:
            self.rows[-1].end_section = True


@dataclass
class Lines:
    """Lines printed as they are (wrapped at spaces to the width): summaries, hints.

    ``unbroken`` lines are never wrapped, whatever the width (URLs: the terminal folds a long
    line for display, and copying it gives the whole line back).
    """

    lines: list[str]
    style: str = "dim"
    unbroken: bool = False


class Unbroken(Text):
    """Text printed without wrapping or cropping (``Lines.unbroken``)."""


Block = Grid | Lines


def as_text(value: Text | str | None, style: str = "") -> Text:
    """A literal cell (never read as markup); '—' for None."""
    if isinstance(value, Text):
        return value
    return Text(MISSING if value is None else str(value), style=style)


# ---------------------------------------------------------------- measuring


def _lines(text: Text | str) -> list[str]:
    plain = text.plain if isinstance(text, Text) else text
    return plain.split("\n")


def _natural(text: Text | str) -> int:
    return max((cell_len(line) for line in _lines(text)), default=0)


def _longest_word(text: Text | str) -> int:
    return max((cell_len(w) for line in _lines(text) for w in line.split()), default=0)


def table_width(content_widths: Sequence[int]) -> int:
    """The width Rich draws a ``Grid`` at, given its columns' content widths.

    A box edge each side, a rule between columns, one space of padding inside each rule.
    """
    n = len(content_widths)
    return sum(content_widths) + 3 * n - 1 if n else 0


@dataclass
class _Measure:
    minimum: int
    natural: int


def _measure(column: Column, cells: Iterable[Text]) -> _Measure:
    cells = list(cells)
    natural = max([_natural(c) for c in cells] + [_longest_word(column.header)], default=1)
    header_natural = _natural(column.header)
    if not column.wraps:
        return _Measure(natural, max(natural, header_natural))
    words = max([_longest_word(c) for c in cells] + [_longest_word(column.header)], default=1)
    if column.fold:
        words = min(words, FOLD_MIN)
    minimum = max(words, column.min_width or 0, 1)
    if column.kind == "provenance":  # basis and coverage: a readable column, or a note
        minimum = max(minimum, min(natural, READABLE))
    return _Measure(min(minimum, max(natural, header_natural)), max(natural, header_natural))


def _wrap_words(text: str, width: int) -> str:
    """Wrap at spaces to ``width`` (a word longer than ``width`` stays whole)."""
    out = []
    for line in text.split("\n"):
        current = ""
        for word in line.split(" "):
            if current and cell_len(current) + 1 + cell_len(word) > width:
                out.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        out.append(current)
    return "\n".join(out)


# ---------------------------------------------------------------- fitting


@dataclass
class Fitted:
    """A ``Grid`` laid out for a width: the columns kept, their widths, and the keyed notes."""

    keep: list[int]
    widths: list[int]
    moved: list[int]
    keys: list[str]  # per row: '' or the note key
    notes: list[tuple[str, str]]  # (key, text)
    common: list[str] = field(default_factory=list)  # moved columns the same on every row


def _flat(cell: Text) -> str:
    return ", ".join(line.strip() for line in _lines(cell) if line.strip())


def _constant(grid: Grid, i: int) -> bool:
    return len({_flat(row.cells[i]) for row in grid.rows}) <= 1


def _note_text(grid: Grid, row: Row, moved: Sequence[int]) -> str:
    parts = []
    for i in moved:
        value = _flat(row.cells[i])
        if value:
            parts.append(f"{grid.columns[i].name}: {value}")
    return "; ".join(parts)


def _mark_column(grid: Grid, keep: Sequence[int]) -> int | None:
    for i in keep:
        if grid.columns[i].marks:
            return i
    for i in keep:
        if grid.columns[i].kind == "code":
            return i
    return keep[0] if keep else None


def fit(grid: Grid, width: int | None) -> Fitted | None:
    """Lay ``grid`` out in ``width`` columns; None when only the stacked layout fits.

    ``width=None`` keeps every column at its natural width.
    """
    n = len(grid.columns)
    measures = [_measure(c, (r.cells[i] for r in grid.rows)) for i, c in enumerate(grid.columns)]
    keep = list(range(n))
    if width is None:
        return Fitted(keep, [m.natural for m in measures], [], [""] * len(grid.rows), [])
    order = sorted(
        (i for i, c in enumerate(grid.columns) if c.droppable),
        key=lambda i: (-grid.columns[i].priority, -i),
    )
    if table_width([m.natural for m in measures]) > width:  # bars only where all else fits
        gone = [i for i in keep if grid.columns[i].bar]
        gone += [i for i in keep if grid.columns[i].hoist and _constant(grid, i)]
        keep = [i for i in keep if i not in gone]
        order = [i for i in order if i not in gone]
    while True:
        moved = [i for i in range(n) if i not in keep and not grid.columns[i].bar]
        common = [i for i in moved if _constant(grid, i)]
        keys, notes = _keys(grid, [i for i in moved if i not in common])
        if keys is None or notes is None:
            return None
        mark = _mark_column(grid, keep) if notes else None
        minimum = [measures[i].minimum + (1 if i == mark else 0) for i in keep]
        if table_width(minimum) <= width:
            break
        if not order:
            return None
        keep.remove(order.pop(0))
    natural = [measures[i].natural + (1 if i == mark else 0) for i in keep]
    cells = [[as_text(grid.columns[i].header), *(r.cells[i] for r in grid.rows)] for i in keep]
    widths = _share(minimum, natural, width, cells)
    lines = [
        f"{grid.columns[i].name} (every row): {_flat(grid.rows[0].cells[i])}"
        for i in common
        if grid.rows and _flat(grid.rows[0].cells[i])
    ]
    return Fitted(keep, widths, moved, keys, notes, lines)


def _keys(
    grid: Grid, moved: Sequence[int]
) -> tuple[list[str], list[tuple[str, str]]] | tuple[None, None]:
    """Per row its note key ('' for none), and the notes; (None, None) when keys run out."""
    if not moved:
        return [""] * len(grid.rows), []
    by_text: dict[str, str] = {}
    keys = []
    for row in grid.rows:
        text = _note_text(grid, row, moved)
        if all(_flat(row.cells[i]) in ("", MISSING) for i in moved):
            keys.append("")
            continue
        if text not in by_text:
            if len(by_text) == len(KEYS):
                return None, None
            by_text[text] = KEYS[len(by_text)]
        keys.append(by_text[text])
    return keys, [(key, text) for text, key in by_text.items()]


def _share(
    minimum: Sequence[int],
    natural: Sequence[int],
    width: int,
    columns: Sequence[list[Text]] | None = None,
) -> list[int]:
    """Widths between minimum and natural, one cell of room at a time.

    Each cell goes to the wrapping column where it saves the most table lines (``columns``:
    each kept column's cells, header first); when none saves a line, to the column furthest
    from its natural width.
    """
    widths = list(minimum)
    room = width - table_width(widths)
    heights: dict[tuple[int, int], list[int]] = {}

    def lines(i: int, w: int) -> list[int]:
        if (i, w) not in heights:
            assert columns is not None
            heights[i, w] = [
                sum(max(1, -(-cell_len(line) // w)) for line in _wrap_words(c.plain, w).split("\n"))
                for c in columns[i]
            ]  # a word longer than the column (a URL) folds over several lines
        return heights[i, w]

    def total(ws: Sequence[int]) -> int:
        assert columns is not None
        rows = len(columns[0]) if columns else 0
        return sum(max(lines(i, ws[i])[r] for i in range(len(ws))) for r in range(rows))

    while room > 0:
        wanting = [i for i in range(len(widths)) if widths[i] < natural[i]]
        if not wanting:
            break
        choice = None
        if columns is not None:
            now = total(widths)
            saved = {}
            for i in wanting:
                trial = list(widths)
                trial[i] += 1
                saved[i] = now - total(trial)
            best = max(saved.values())
            if best > 0:
                choice = max((i for i in wanting if saved[i] == best), key=lambda j: -j)
        if choice is None:
            choice = max(wanting, key=lambda j: (natural[j] - widths[j]) / natural[j])
        widths[choice] += 1
        room -= 1
    return widths
