"""The error contract shared by every front end.

Services raise these; the CLI maps them to exit codes (1 refused, 2 invalid input) and the
TUI shows them as notifications. Anything else escaping a service is a bug.
"""

from salesdesk.terminal import visible


class SalesdeskError(Exception):
    """Base class: a problem the user can act on, with a message that says how.

    ``field`` names the input at fault (``next``, ``benefit``, ``at``...), so each front end
    can point at it in its own terms: the CLI names the option, the TUI focuses the field.
    Messages themselves are worded for both.
    """

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        # Messages quote what was typed or read (a path, a CSV header): shown, never obeyed.
        super().__init__(visible(message))
        self.field = field


class InvalidInput(SalesdeskError):
    """The input cannot be used: unknown or ambiguous lead, bad date, bad value."""

    exit_code = 2


class Refused(SalesdeskError):
    """The input is valid but a rule or a conflict forbids the action."""

    exit_code = 1
