"""The tool's own errors, each carrying its exit code.

Domain code raises these; ``cli`` turns them into one line on stderr and the exit code, in one
place. This module imports nothing from ca_trade, nor typer, rich or polars.

Exit codes follow sysexits.h where one fits:
0 ok · 1 ``check``/``validate`` found failing claims or problems · 2 usage ·
65 bad data · 66 missing or unreadable input · 69 a service unavailable or refusing (``fetch``) ·
70 internal error · 73 output not writable · 74 I/O error while writing (a full disk, a device
error).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_DATA = 65
EXIT_NO_INPUT = 66
EXIT_UNAVAILABLE = 69
EXIT_INTERNAL = 70
EXIT_CANT_CREATE = 73
EXIT_IO_ERROR = 74


class CaTradeError(Exception):
    """Base of the tool's errors: a message that says what, where and what to try."""

    exit_code = EXIT_INTERNAL

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint

    def one_line(self) -> str:
        """The message as one line: ``FILE, line N, column C: what is wrong. Try: hint``."""
        where = []
        if self.path is not None:
            where.append(str(self.path))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.hint:
            text += f". Try: {self.hint}"
        return " ".join(text.split())  # one line, whatever the message held


class UsageError(CaTradeError):
    """A bad option value or combination found after parsing (exit 2)."""

    exit_code = EXIT_USAGE


class DataError(CaTradeError):
    """Input that was read but breaks a data rule (exit 65)."""

    exit_code = EXIT_DATA


class InputError(CaTradeError):
    """Input that is missing or cannot be read (exit 66)."""

    exit_code = EXIT_NO_INPUT


class OutputError(CaTradeError):
    """Output that cannot be written (exit 73)."""

    exit_code = EXIT_CANT_CREATE


class WriteError(CaTradeError):
    """Output that could be opened but not written to the end: a full disk, a device error (74)."""

    exit_code = EXIT_IO_ERROR


class ServiceError(CaTradeError):
    """A web service that cannot be reached or answers with an error (``fetch``, exit 69)."""

    exit_code = EXIT_UNAVAILABLE
