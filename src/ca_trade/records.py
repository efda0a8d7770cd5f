"""A data file split into a header and batches of records: the type ``load`` makes and ``rules``
reads.

It sits below both, so that neither imports the other's module for it (``load`` imports
``rules``; ``rules`` imports only this). Polars is imported for type checking only.

A ``Parsed`` does not hold the records: it holds a way to produce them in batches
(``Parsed.batches``), so a million-row file is checked in one streaming pass without being held
whole. Two readers make one:

- the exact reader (``load.parse_text``, Python's ``csv`` module) for small files and for any file
  whose structure Polars might split differently;
- the fast reader (``load.parse_file``), Polars in blocks, which raises ``StructureMismatch`` from
  ``batches()`` the moment a block is not provably split the way the exact reader would split it.
  ``Parsed.exact`` then gives the exact reading of the same file, and the caller starts again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ca_trade.errors import DataError

if TYPE_CHECKING:
    import polars as pl


# The characters str.strip() removes (str.isspace), for Polars' strip_chars: both readers strip
# cells of exactly these.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


class ParseError(DataError):
    """A file that was decoded but cannot be split into records (exit 65).

    ``rule`` is the slug ``validate`` lists it under, like the rules in ``rules``.
    """

    def __init__(
        self,
        rule: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, path=path, line=line, column=column, hint=hint)
        self.rule = rule


class StructureMismatch(Exception):  # noqa: N818 - a signal to start again, not an error
    """The fast reader cannot prove it splits a block as the exact reader would: read exactly."""


@dataclass(frozen=True)
class Ragged:
    """A record with a different number of fields from the header (found by the exact reader).

    ``extra`` is the first field past the header's width, when there is one.
    """

    line: int
    fields: int
    extra: str | None


@dataclass(frozen=True)
class Parsed:
    """A CSV file: its header, and its records as batches of stripped strings.

    ``batches()`` yields frames with one String column per distinct, non-blank header name (the
    first column of a repeated name) and ``line`` (Int64, the record's first physical line; the
    header is line 1), in file order. Ragged records are not in the batches but in ``ragged``.
    Cells are stripped of white space, except that ``batches(raw)`` may leave the cells of the
    columns named in ``raw`` as they are in the file (a caller that can tell a cell with white
    space from others without stripping it saves the work).
    ``exact``, when set, reads the same file with the exact reader (see the module docstring).
    """

    path: str
    header: list[str]
    batches: Callable[[frozenset[str]], Iterator[pl.DataFrame]]
    ragged: tuple[Ragged, ...] = ()
    exact: Callable[[], Parsed] | None = None
