"""The ``salesdesk`` command: thin wrappers that parse, call a service, and print.

Exit codes are a contract: 0 done, 1 refused by a rule or conflict, 2 invalid input.
Errors are one or two lines on stderr, never a traceback, and a failed command writes
nothing (each command is one transaction). The TUI is imported only when it is opened,
so scripted commands never pay for Textual.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated

import typer

from salesdesk import __version__
from salesdesk.commands.coercion import install as install_coercion
from salesdesk.commands.common import State, run_tui
from salesdesk.commands.helptext import install as install_helptext
from salesdesk.errors import InvalidInput, SalesdeskError
from salesdesk.terminal import visible

install_coercion()  # before any command runs: see commands/coercion.py
install_helptext()  # --note TEXT, --next WHEN, LEAD: see commands/helptext.py

# Each command module (in salesdesk.commands), the group it is mounted under (None: its
# commands are top-level), and the top-level words it answers to. The words are written
# here so that a run imports only the module it needs (importing all of them took about
# 15 ms); a test holds them to what each module really registers (``_names``).
COMMAND_MODULES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("leads", "lead", ()),
    ("touches", None, ("log-call", "log-touch", "outcomes")),
    ("status", None, ("status",)),
    ("rules", None, ("due", "rules", "why")),
    ("maintenance", None, ("backup", "doctor")),
    ("blocks", "block", ()),
    ("objections", "objection", ()),
    ("scripts", "script", ()),
    ("deals", None, ("deal", "funnel")),
    ("meetings", "meeting", ()),
    ("pdca", None, ("goal", "plan", "problem", "review", "summary")),
    ("exports", "export", ()),
    ("imports", "import", ()),
    ("stats", "stats", ()),
)


def command_app(module: str) -> typer.Typer:
    return importlib.import_module(f"salesdesk.commands.{module}").app


def _names(module: typer.Typer) -> set[str]:
    """The top-level words a module's app answers to: its commands and its sub-groups."""
    commands = {c.name or c.callback.__name__.replace("_", "-") for c in module.registered_commands if c.callback}
    return commands | {g.name for g in module.registered_groups if g.name}


def build_app(argv: list[str]) -> typer.Typer:
    """The CLI, with only the module that owns the command mounted (and imported).

    Typer builds a click object for every mounted command on every run: with all of them
    (some 46) that alone cost about 100 ms per command. The first word that is not an
    option names the command; help, the TUI and unknown words get every module.
    """
    app = typer.Typer(
        help="A sales desk for one rep: leads, calls, follow-ups. Run with no command to open the TUI.",
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback(invoke_without_command=True)(root)
    word = next((arg for arg in argv or _completed_words() if not arg.startswith("-")), None)
    owners = [(m, g) for m, g, words in COMMAND_MODULES if word is not None and (word == g or word in words)]
    for module, group in owners or [(m, g) for m, g, _ in COMMAND_MODULES]:
        app.add_typer(command_app(module), name=group) if group else app.add_typer(command_app(module))
    return app


# Set by the completion scripts Typer installs: the program is asked for completions.
COMPLETE_VAR = "_SALESDESK_COMPLETE"


def _completed_words() -> list[str]:
    """During shell completion (no argv), the words typed in full before the one being
    completed, so that a Tab mounts one command module as a run does, not all of them."""
    if not os.environ.get(COMPLETE_VAR):
        return []
    if "COMP_WORDS" in os.environ:  # bash: the words, and the index of the one being completed
        words = os.environ["COMP_WORDS"].split()
        return words[1 : int(os.environ.get("COMP_CWORD", len(words)))]
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")  # zsh, fish: the line up to the cursor
    words = line.split()[1:]
    return words if line.endswith(" ") else words[:-1]


# Messages quote what was typed; a pasted page must not flood the terminal.
MESSAGE_LINE_MAX = 300
CLIPPED_WORD = 40

# How the CLI names the input a service error points at.
_OPTION_HINTS = {
    "next": "--next WHEN, e.g. --next 'tomorrow 10:00'",
    "meeting": "--meeting WHEN, e.g. --meeting 'fri 10:00'",
    "benefit": "--benefit TEXT",
    "at": "--at WHEN",
    "arrival": "salesdesk lead edit LEAD --at WHEN",
    "reason": "--reason TEXT",
    "force": "--force closes it anyway, recorded as an override",
}


def root(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Use the demo database (made on first use), not yours.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Open the TUI, or run a command. `salesdesk --demo` opens the TUI on demo data."""
    if version:
        typer.echo(f"salesdesk {__version__}")
        raise typer.Exit()
    state = ctx.ensure_object(State)
    state.demo = demo
    if ctx.invoked_subcommand is None:
        from salesdesk.tui.app import SalesdeskApp

        run_tui(SalesdeskApp(state.engine, state.config, state.clock(), title_suffix=" (demo)" if demo else ""))


def _clip(line: str) -> str:
    """A message line cut to about ``MESSAGE_LINE_MAX`` by shortening the longest words (what
    was typed), so the words around them (what would work) stay whole."""
    while len(line) > MESSAGE_LINE_MAX:
        longest = max(line.split(" "), key=len)
        keep = max(len(longest) - (len(line) - MESSAGE_LINE_MAX), CLIPPED_WORD)
        if keep >= len(longest):
            break
        line = line.replace(longest, f"{longest[: keep - 9]}…{longest[-8:]}", 1)
    return line


def _fail(message: str, code: int) -> None:
    # Escaped before it is split: splitlines() would also break at \x1c, \x85 or \u2028.
    text = "\n".join(_clip(line) for line in visible(message).rstrip("\n").split("\n"))
    sys.stderr.write(f"salesdesk: {text}\n")
    sys.exit(code)


def _check_utf8(args: list[str]) -> None:
    """Refuse an argument that is not UTF-8. Python hands such bytes over as lone surrogates
    (``\udcff`` for the byte 0xff), which would only fail later, deep in a write."""
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")
            try:
                raw.decode("utf-8")
                offset, byte = len(raw), "?"
            except UnicodeDecodeError as exc:
                offset, byte = exc.start, f"0x{raw[exc.start]:02x}"
            raise InvalidInput(
                f"argument {number} is not UTF-8 text (byte {byte} at offset {offset}); type it in UTF-8"
            ) from None


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command and turn every expected failure into the exit-code contract."""
    from sqlite3 import Error as SqliteError

    from salesdesk import stdout

    # Customer data is personal data: whatever salesdesk writes is readable by the owner only.
    os.umask(0o077)
    real_stdout, sys.stdout = sys.stdout, stdout.GuardedStdout(sys.stdout)
    try:
        args = sys.argv[1:] if argv is None else argv
        _check_utf8(args)
        code = build_app(args)(args=args, prog_name="salesdesk", standalone_mode=False)
        stdout.flush()  # here, not at exit, where a failure could only be a traceback
    except SalesdeskError as exc:
        hint = _OPTION_HINTS.get(exc.field or "")
        _fail(f"{exc} ({hint})" if hint else str(exc), exc.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument...
        ctx = getattr(exc, "ctx", None)
        hint = f"\nTry '{ctx.command_path} --help'." if ctx is not None else ""
        _fail(f"{exc.format_message()}{hint}", exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1)
    except SqliteError as exc:  # locked, read-only, full disk, damaged: from code that speaks sqlite3 directly
        _fail(f"database error: {exc}", 2)
    except BrokenPipeError:  # `salesdesk lead list | head`: the reader left, that's fine
        stdout.silence(real_stdout)
        sys.exit(0)
    except SystemExit as exc:
        # Click's own echo (help, --version) exits 1 on a closed pipe; the contract says 0.
        if isinstance(exc.__context__, BrokenPipeError):
            stdout.silence(real_stdout)
            sys.exit(0)
        raise
    except OSError as exc:  # a file error no command turned into a message: still no traceback
        _fail(f"{exc.filename}: {exc.strerror}" if exc.filename else f"{exc.strerror or exc}", 2)
    except Exception as exc:
        # Locked past the busy timeout, read-only file, full disk, damaged file, through the
        # ORM. Looked up, not imported: the hot commands never load SQLAlchemy, and then it
        # can't have raised.
        orm_errors = sys.modules.get("sqlalchemy.exc")
        if orm_errors is not None and isinstance(exc, orm_errors.DatabaseError):
            _fail(f"database error: {exc.orig}", 2)
        raise
    finally:
        sys.stdout = real_stdout
    sys.exit(code if isinstance(code, int) else 0)
