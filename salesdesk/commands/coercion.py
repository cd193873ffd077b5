"""Typer's parameter coercion, without pydantic where pydantic adds nothing.

Typer (0.29) coerces each parameter's value through a pydantic ``TypeAdapter``, built on
first use: even for an option not given (None) or a plain string. Importing pydantic costs
about 100 ms, more than the whole work of ``log-call`` or ``status``. A word typed on a
command line is already a ``str``, and an absent value is None (or ``()``) whatever its type,
which ``RuntimeParam.coerce`` answers before asking the adapter; so a string parameter is
passed through here, and every other value still goes through Typer's own adapter, built
the first time one is needed. Tested by the hot commands' import-hygiene tests and the CLI
tests (ranges, choices and numbers still refused the same way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from typer import core
from typer._coercion import RuntimeParam, TypeDescriptor

_typer_build = core.build_runtime_param


@dataclass(frozen=True)
class _Deferred(RuntimeParam):
    descriptor: TypeDescriptor | None = None
    _built: list[RuntimeParam] = field(default_factory=list)  # Typer's own, once needed

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.annotation is str and self.parameter_info.parser is None and isinstance(value, str):
            return value
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
