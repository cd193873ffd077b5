"""What the CLI does when stdout fails, in one place for every command and output path.

- The reader left (``salesdesk lead list | head -1``, a closed pipe): that is not an error.
  Output stops silently and the command ends as it would have, exit 0. A write command
  still commits: exit 0 means done.
- Stdout can't be written (``> /dev/full``, a full disk, an I/O error): ``OutputFailed``,
  exit 2. A write command prints its result inside its transaction (``State.write``), so
  the work is rolled back and the message says nothing was logged; a retry can't duplicate it.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from salesdesk.errors import InvalidInput


class OutputFailed(InvalidInput):
    """Stdout refused what the command printed."""


def silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at /dev/null, so nothing more fails: neither later writes
    nor the interpreter's own flush at exit (which would print "Exception ignored ...")."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a descriptor (a test's StringIO): nothing flushes it at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


class GuardedStdout:
    """A stand-in for ``sys.stdout`` that turns its failures into the two cases above."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.gone = False
        # Kept and raised again on every later write: a library that swallows the first error
        # (click probes streams inside ``except Exception``) must not turn it into exit 0.
        self.failed: OutputFailed | None = None

    def _guard(self, action: str, *args: Any) -> Any:
        if self.failed is not None:
            raise self.failed
        if self.gone:
            return len(args[0]) if args else None
        try:
            return getattr(self.inner, action)(*args)
        except BrokenPipeError:
            self.gone = True
            silence(self.inner)
            return len(args[0]) if args else None
        except OSError as exc:
            silence(self.inner)
            self.failed = OutputFailed(f"cannot write the output: {exc.strerror or exc}")
            raise self.failed from None

    def write(self, text: str) -> int:
        return self._guard("write", text)

    def flush(self) -> None:
        self._guard("flush")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def flush() -> None:
    """Push out what the command printed, now rather than at exit (see the module docstring)."""
    sys.stdout.flush()
