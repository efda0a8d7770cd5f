"""The app: the root command, errors become exit codes in one place (``boundary``), stdout
that goes away is quiet, and ``main`` builds only the command being run."""

from __future__ import annotations

import copy
import errno
import functools
import os
import sys
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import Annotated, Any, TypeVar

import typer
from typer._click.exceptions import ClickException
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperGroup

from ca_trade import __version__
from ca_trade.errors import EXIT_INTERNAL, EXIT_IO_ERROR, CaTradeError

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that went away


class _OneLineErrors(TyperGroup):
    """The root group: a usage error Click finds (a bad option value, an unknown option or
    command) is one ``ca-trade: error:`` line, as the tool's own usage errors are, exit 2."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run as Click's standalone mode does, but write usage errors as one line."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except ClickUsageError as err:
            command = err.ctx.command_path if err.ctx is not None else "ca-trade"
            message = err.format_message().rstrip()
            _say_error(f"{message}{'' if message.endswith('.') else '.'} Try: {command} --help")
            sys.exit(err.exit_code)
        except ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except typer.Abort:
            _say_error("aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
    name="ca-trade",
    help=(
        "Central Asia's trade with China, the EU and Russia: shares, balances and comparisons, "
        "every figure with its basis, derivation and coverage."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": bool(os.environ.get("CA_TRADE_DEBUG"))}

F = TypeVar("F", bound=Callable[..., Any])


def _say_error(message: str) -> None:
    # Plain text, one line: no rich import on the error path, and nothing read as markup.
    sys.stderr.write(f"ca-trade: error: {message}\n")
    sys.stderr.flush()


def _draw() -> ModuleType:
    """``ca_trade.tables``, imported on first use: only a table needs rich.

    Table builders are called by ``render.emit`` for the table format only, so a CSV, TSV or
    JSON run never imports rich. (The module is untyped here; the table tests call each one.)
    """
    from ca_trade import tables

    return tables


def boundary(command: F) -> F:
    """Turn the tool's errors into one stderr line and an exit code; traceback only with --debug."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except SystemExit as err:
            if _is_broken_pipe(err.__context__):  # Rich's Console.on_broken_pipe: exit 1
                _silence_stdout()
                raise typer.Exit(EXIT_BROKEN_PIPE) from None
            raise
        except CaTradeError as err:
            if _state["debug"]:
                traceback.print_exc()
            _say_error(err.one_line())
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            raise
        except BaseException as err:  # noqa: BLE001 - top-level handler (Polars panics are BaseException)
            if _is_broken_pipe(err):
                _silence_stdout()
                raise typer.Exit(EXIT_BROKEN_PIPE) from None
            return _internal(err)

    return wrapper  # type: ignore[return-value]


def _is_broken_pipe(err: BaseException | None) -> bool:
    """True for a write to a reader that went away, however the writer reported it.

    Python raises ``BrokenPipeError``; a native writer may raise a plain ``OSError`` with errno
    EPIPE, or (Polars) an error whose only trace is the text "Broken pipe (os error 32)".
    The cause/context chain is followed, since wrappers re-raise.
    """
    seen = 0
    while err is not None and seen < 10:
        if isinstance(err, BrokenPipeError) or getattr(err, "errno", None) == errno.EPIPE:
            return True
        text = str(err)
        if "Broken pipe" in text or "os error 32" in text:
            return True
        err = err.__cause__ or err.__context__
        seen += 1
    return False


def _flush_stdout() -> None:
    """Flush stdout at exit; a reader that went away gives the broken-pipe exit, quietly."""
    try:
        sys.stdout.flush()
    except Exception as err:  # noqa: BLE001 - any flush failure at exit
        _stdout_failed(err)


def _stdout_failed(err: BaseException) -> None:
    """Exit for a write to stdout that failed outside ``boundary``: quietly with 141 for a
    reader that went away, with one line and 74 for an OS error (a full disk)."""
    _silence_stdout()
    if _is_broken_pipe(err):
        sys.exit(EXIT_BROKEN_PIPE)
    if isinstance(err, OSError):
        _say_error(f"cannot write to standard output: {err.strerror or err}")
        sys.exit(EXIT_IO_ERROR)


def _internal(err: BaseException) -> None:
    if _state["debug"]:
        traceback.print_exc()
    _say_error(
        f"internal error: {type(err).__name__}: {err}. Run with --debug for the traceback "
        "and please report it"
    )
    raise typer.Exit(EXIT_INTERNAL) from None


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _print_version(wanted: bool) -> None:
    # Eager, so that `ca-trade --version` needs no command.
    if wanted:
        typer.echo(f"ca-trade {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    if debug:
        _state["debug"] = True


def whole_summaries() -> None:
    """Give each command its docstring's whole first line as its short help: Click would cut
    it at 45 characters with '...' in the root --help."""
    for info in app.registered_commands:
        if info.short_help is None and info.help is None and info.callback is not None:
            doc = (info.callback.__doc__ or "").strip()
            info.short_help = doc.partition("\n")[0].strip() or None


def _app_for(args: list[str]) -> typer.Typer:
    """The app, with only the command that ``args`` names when they name one of ours.

    Typer turns every registered command into a click command (reading each signature and its
    type hints) before running one: about 20 ms of every start-up for the ten commands that do
    not run. The root's options are all flags, so the first argument that is not an option names
    the command. Anything else (no command, a root option other than ``--debug`` before it,
    a misspelt name, completion) gets the whole app, so that the listing and click's
    suggestions are unchanged.
    """
    at = next((i for i, arg in enumerate(args) if not arg.startswith("-")), None)
    # Before the name, only --debug: the root's --help (and --version, -h, --) print or change
    # what the whole app would.
    if at is None or any(arg != "--debug" for arg in args[:at]):
        return app
    chosen = [
        info
        for info in app.registered_commands
        if info.callback is not None
        and (info.name or typer.main.get_command_name(info.callback.__name__)) == args[at]
    ]
    groups = [group for group in app.registered_groups if group.name == args[at]]
    if len(chosen) + len(groups) != 1:
        return app
    lean = copy.copy(app)
    lean.registered_commands = chosen
    lean.registered_groups = groups  # `claims draft`: the claims group alone
    return lean


def main() -> None:
    """Console-script entry point."""
    if os.environ.get("_CA_TRADE_COMPLETE"):  # a shell asking for completions (`completion`)
        from typer._completion_classes import completion_init

        completion_init()
    try:
        _app_for(sys.argv[1:])()
    except KeyboardInterrupt:
        _say_error("interrupted")
        sys.exit(130)
    except SystemExit:
        _flush_stdout()
        raise
    except OSError as err:  # help or usage text that could not be written (outside `boundary`)
        _stdout_failed(err)
