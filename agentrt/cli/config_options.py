"""Command-line options generated from the fields of a pydantic config.

An option that mirrors a config field takes its name (``--batch-size`` for ``batch_size``), type,
default and bounds (``ge``/``le`` become typer's ``min``/``max``; so do ``gt``/``lt``, whose
open end the config itself then checks) from the field, so the command
line cannot drift from the config it fills. Only the help text is written at the command, as
a sentence for a person reading ``--help``.

    @with_options(field_option(TrainConfig, "steps", "Total optimiser steps."))
    def train(**opts: Any) -> None: ...

Options that mirror no field are declared with :func:`option`, in the same list.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

import annotated_types
import typer
from pydantic import BaseModel

F = TypeVar("F", bound=Callable[..., Any])


def option(name: str, annotation: Any, default: Any = ..., *decls: str, **info: Any) -> inspect.Parameter:
    """A hand-declared option ``name`` of type ``annotation`` (default ``...``: required).

    ``decls`` and ``info`` are those of ``typer.Option`` (``"--json"``, ``help=...``, ``min=...``).
    """
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[annotation, typer.Option(*decls, **info)],
    )


def field_option(model: type[BaseModel], name: str, help: str, *, flag: bool = False) -> inspect.Parameter:
    """The option mirroring ``model``'s field ``name``: its type, default and bounds, with ``help``.

    ``flag=True`` makes a boolean field a plain ``--name`` switch (no ``--no-name``).

    Raises:
        KeyError: ``model`` has no field ``name``.
    """
    field = model.model_fields[name]
    bounds: dict[str, Any] = {}
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge | annotated_types.Gt):
            bounds["min"] = rule.ge if isinstance(rule, annotated_types.Ge) else rule.gt
        elif isinstance(rule, annotated_types.Le | annotated_types.Lt):
            bounds["max"] = rule.le if isinstance(rule, annotated_types.Le) else rule.lt
    if _cli_type(field.annotation) is float:
        bounds = {k: float(v) for k, v in bounds.items()}
    decls = (f"--{name.replace('_', '-')}",) if flag else ()
    default = ... if field.is_required() else field.get_default(call_default_factory=True)
    return option(name, _cli_type(field.annotation), default, *decls, help=help, **bounds)


def with_options(*parameters: inspect.Parameter) -> Callable[[F], F]:
    """Give a ``def command(**opts)`` the signature typer reads: these options, in this order."""

    def decorate(func: F) -> F:
        func.__signature__ = inspect.Signature(list(parameters))  # type: ignore[attr-defined]
        return func

    return decorate


def _cli_type(annotation: Any) -> Any:
    """A field's type as typer parses it: a ``Literal`` becomes ``str`` (the config checks the choice)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is Literal:
        return str
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1 and len(args) == 2:
            return _cli_type(inner[0]) | None
    return annotation


__all__ = ["field_option", "option", "with_options"]
