"""Drawing fitted tables: Rich renderables, plain text at a width, the terminal, Markdown."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from ca_trade.output_common import stdout_is_terminal
from ca_trade.tables.layout import (
    MISSING,
    WIDE_HINT,
    Block,
    Column,
    Fitted,
    Grid,
    Lines,
    Unbroken,
    _mark_column,
    _wrap_words,
    fit,
    table_width,
)

# ---------------------------------------------------------------- drawing


def _draw(grid: Grid, fitted: Fitted) -> Table:
    table = Table(
        box=box.HEAVY_HEAD,
        header_style="bold",
        show_lines=grid.show_lines,
        pad_edge=False,
        expand=False,
    )
    mark = _mark_column(grid, fitted.keep) if fitted.notes else None
    for i, width in zip(fitted.keep, fitted.widths, strict=True):
        column = grid.columns[i]
        justify = column.justify or ("right" if column.kind == "number" else "left")
        table.add_column(
            Text(_wrap_words(column.header, width)),
            justify=justify,
            no_wrap=not column.wraps,
            overflow="fold",
            width=width,
            min_width=width,
            max_width=width,
            style=column.style or None,
        )
    for row, key in zip(grid.rows, fitted.keys, strict=True):
        cells = []
        for i in fitted.keep:
            cell = row.cells[i]
            if i == mark and key:
                cell = cell.copy()
                cell.append(key, style="bold")
            cells.append(cell)
        table.add_row(*cells, end_section=row.end_section)
    return table


def _moved_line(grid: Grid, fitted: Fitted, width: int) -> str:
    names = [grid.columns[i].name for i in fitted.moved]
    listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    keys = [key for key, _ in fitted.notes]
    marked = f" ({keys[0]}–{keys[-1]})" if len(keys) > 2 else f" ({' '.join(keys)})" if keys else ""
    return (
        f"to fit {width} columns, {listed} {'are' if len(names) > 1 else 'is'} in the notes "
        f"below{marked}; {WIDE_HINT} shows "
        f"{'them as columns' if len(names) > 1 else 'it as a column'}"
    )


def _keyed_notes(notes: Sequence[tuple[str, str]]) -> Table:
    """``ᵃ text`` lines; a note that wraps is indented under its text."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for key, text in notes:
        grid.add_row(Text(key, style="bold"), Text(text))
    return grid


def _stacked(grid: Grid, width: int) -> list[RenderableType]:
    """One block per row: the row's code cells as a heading, then ``header  value`` lines."""
    heads = [i for i, c in enumerate(grid.columns) if c.kind == "code" and c.priority == 0][:2]
    rest = [i for i, c in enumerate(grid.columns) if i not in heads and not c.bar]
    label_width = max((cell_len(_label(grid.columns[i])) for i in rest), default=0)
    label_width = min(label_width, max(8, width // 3))
    out: list[RenderableType] = []
    for row in grid.rows:
        heading = Text(" · ".join(row.cells[i].plain for i in heads) or MISSING, style="bold")
        out.append(heading)
        body = Table.grid(padding=(0, 2), pad_edge=False)
        body.add_column(no_wrap=False, width=label_width, style="dim")
        body.add_column(overflow="fold")
        for i in rest:
            if row.cells[i].plain.strip():
                body.add_row(Text(_wrap_words(_label(grid.columns[i]), label_width)), row.cells[i])
        out.append(_Indented(body, width))
    out.append(
        Text(
            f"one block per row to fit {width} columns; {WIDE_HINT} shows them as a table",
            style="dim",
        )
    )
    return out


def _label(column: Column) -> str:
    return column.header or column.name


class _Indented:
    """A renderable drawn two spaces in, at ``width`` - 2."""

    def __init__(self, inner: RenderableType, width: int) -> None:
        self.inner = inner
        self.width = width

    def __rich_console__(self, console: Console, options: object) -> Iterable[RenderableType]:
        from rich.padding import Padding

        yield Padding(self.inner, (0, 0, 0, 2))


def blocks_to_renderables(blocks: Iterable[Block], width: int | None) -> list[RenderableType]:
    """What to print for ``blocks`` at ``width`` columns (None: the full layout)."""
    out: list[RenderableType] = []
    for block in blocks:
        if isinstance(block, Lines):
            if block.lines:
                kind = Unbroken if block.unbroken else Text
                out.append(kind("\n".join(block.lines), style=block.style))
            continue
        out.append(Text(block.title, style="italic"))
        fitted = fit(block, width)
        if fitted is None:
            assert width is not None
            out.extend(_stacked(block, width))
        else:
            out.append(_draw(block, fitted))
            if fitted.moved:
                assert width is not None
                out.append(Text(_moved_line(block, fitted, width), style="dim"))
                if fitted.common:
                    out.append(Text("\n".join(fitted.common)))
                if fitted.notes:
                    out.append(_keyed_notes(fitted.notes))
        if block.notes:
            out.append(Text("\n".join(block.notes), style="dim"))
    return out


# ---------------------------------------------------------------- consoles


def full_width(blocks: Iterable[Block]) -> int:
    """The width the full layout needs: its widest table (at least 80)."""
    widest = 80
    for block in blocks:
        if isinstance(block, Grid) and block.rows:
            fitted = fit(block, None)
            assert fitted is not None
            widest = max(widest, table_width(fitted.widths))
    return widest


def _plain_console(file: io.StringIO | None, width: int) -> Console:
    return Console(
        file=file or sys.stdout,
        width=width,
        no_color=True,
        color_system=None,
        highlight=False,
        force_terminal=False,
        emoji=False,
    )


def blocks_text(blocks: Iterable[Block], width: int | None = None) -> str:
    """Blocks as plain text (no colour), at ``width`` columns or the full layout (None).

    Trailing spaces are removed from every line. In the full layout nothing wraps: tables
    have their natural width and text lines their own length.
    """
    blocks = list(blocks)
    buffer = io.StringIO()
    console = _plain_console(buffer, width or full_width(blocks))
    for item in blocks_to_renderables(blocks, width):
        unwrapped = (width is None and isinstance(item, Text)) or isinstance(item, Unbroken)
        console.print(item, soft_wrap=unwrapped)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def print_blocks(blocks: Iterable[Block], *, wide: bool = False) -> None:
    """Print to stdout: on a terminal in colour, fitted to its width (``wide``: the full layout,
    which the terminal itself wraps); elsewhere as ``blocks_text``'s full layout."""
    blocks = list(blocks)
    if not stdout_is_terminal():
        sys.stdout.write(blocks_text(blocks) + "\n")
        return
    console = Console(highlight=False, emoji=False)
    width = None if wide else console.width
    if wide:
        console = Console(highlight=False, emoji=False, width=full_width(blocks))
    for item in blocks_to_renderables(blocks, width):
        unwrapped = (wide and isinstance(item, Text)) or isinstance(item, Unbroken)
        console.print(item, soft_wrap=unwrapped)


# ---------------------------------------------------------------- markdown


def _md_cell(text: Text | str) -> str:
    plain = text.plain if isinstance(text, Text) else text
    escaped = (
        plain.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("~", "\\~")
        .replace("<", "&lt;")  # not read as an HTML tag; '>' is only special at a line start
    )
    return "<br>".join(line.strip() for line in escaped.split("\n") if line.strip())


def _md_note(note: Text | str) -> str:
    """A note as a list item; a bullet note ('• ...') nests under the note before it."""
    text = _md_cell(note)
    if text.startswith("• "):
        return "  - " + text.removeprefix("• ")
    return "- " + text


def markdown(blocks: Iterable[Block]) -> str:
    """Blocks as GitHub-flavoured Markdown: a table per grid, its notes as a list below.

    Cells are the table's own text (numbers as the table shows them); bars are left out.
    """
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Lines):
            if block.lines:
                parts.append("\n".join(_md_note(line) for line in block.lines))
            continue
        columns = [i for i, c in enumerate(block.columns) if not c.bar]
        lines = [f"**{_md_cell(block.title)}**", ""]
        lines.append("| " + " | ".join(_md_cell(block.columns[i].header) for i in columns) + " |")
        aligns = ["---:" if block.columns[i].kind == "number" else "---" for i in columns]
        lines.append("| " + " | ".join(aligns) + " |")
        for row in block.rows:
            lines.append("| " + " | ".join(_md_cell(row.cells[i]) for i in columns) + " |")
        if block.notes:
            lines.append("")
            lines.extend(_md_note(note) for note in block.notes)
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
