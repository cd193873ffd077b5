"""Typer's parameter coercion, without pydantic where pydantic adds nothing.

Typer (0.29) coerces each parameter's value through a pydantic ``TypeAdapter``, built on
first use: even for an option not given (None) or a plain string. Importing pydantic costs
about 100 ms, more than the whole work of ``log-call`` or ``status``. A word typed on a
command line is already a ``str``, and an absent value is None (or ``()``) whatever its type,
which ``RuntimeParam.coerce`` answers before asking the adapter; so a string parameter is
passed through here, and so is a whole number typed as plain digits that is inside the
option's range (``--limit 20``), which pydantic could only read as that same number. Every
other value (``+3``, ``1_000``, out of range, not a number) still goes through Typer's own
adapter, built the first time one is needed, so it is read or refused exactly as before.
Tested by the hot commands' import-hygiene tests, the CLI tests (ranges, choices and
numbers still refused the same way) and ``tests/test_coercion.py``.

Typer 0.29.2 offers no public way to do this: ``typer._coercion.build_runtime_param``
builds every non-file parameter's coercion, and ``typer._adapters`` imports pydantic at
module level; a custom ``parser=`` or ``click_type=`` still goes through a pydantic
validator. So ``install`` swaps ``typer.core.build_runtime_param`` (the name ``core``
calls) for ``_build`` below, which keeps Typer's own for everything it doesn't answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from typer import core
from typer._coercion import RuntimeParam, TypeDescriptor

_typer_build = core.build_runtime_param
# Plain ASCII digits, short enough to be far below any range's bounds' precision.
_DIGITS = re.compile(r"[0-9]{1,15}")


@dataclass(frozen=True)
class _Deferred(RuntimeParam):
    descriptor: TypeDescriptor | None = None
    _built: list[RuntimeParam] = field(default_factory=list)  # Typer's own, once needed

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        info = self.parameter_info
        if isinstance(value, str) and info.parser is None:
            if self.annotation is str:
                return value
            if self.annotation is int and _DIGITS.fullmatch(value):
                number = int(value)
                if (info.min is None or number >= info.min) and (info.max is None or number <= info.max):
                    return number
        if not self._built:
            # Every _Deferred is made with its descriptor; the None default only keeps dataclass field order.
            self._built.append(_typer_build(self.descriptor))  # type: ignore[arg-type]
        return self._built[0]._coerce_value(value, param=param, ctx=ctx)


def _build(descriptor: TypeDescriptor) -> RuntimeParam:
    if descriptor.file_annotation is not None:
        return _typer_build(descriptor)
    return _Deferred(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, descriptor=descriptor)


def install() -> None:
    """Make Typer build its parameters' coercion through ``_build`` (idempotent)."""
    core.build_runtime_param = _build
