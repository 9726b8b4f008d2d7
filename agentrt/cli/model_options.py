"""Command-line settings for language-model parts: ``--model``-style flags and ``KEY=VALUE`` options.

Shared by ``agentrt run`` (planner and describer) and ``agentrt collect`` (task proposer).
The result is the dict handed to the part's typed ``Config``, which validates it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError


class OptionError(ValueError):
    """A malformed ``KEY=VALUE`` option."""


def settings(options: Sequence[str] | None = None, **flags: Any) -> dict[str, Any]:
    """``flags`` that were given (not ``None``), then ``KEY=VALUE`` options (JSON values, else text).

    Raises :class:`OptionError` for an option without ``=``.
    """
    out = {k: v for k, v in flags.items() if v is not None}
    for option in options or ():
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise OptionError(f"option {option!r} must look like KEY=VALUE, e.g. max_retries=0")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def validation_line(exc: ValidationError, what: str) -> str:
    """The first error of ``exc`` as one line: ``planner settings: model: Field required``."""
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ()))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{what} settings: {where + ': ' if where else ''}{message}"
