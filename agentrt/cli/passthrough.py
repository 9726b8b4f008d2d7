"""Commands whose options a tool's own ``argparse`` parser defines, mounted in the typer app.

The training, shipping and data tools (``agentrt train pointer``, ``agentrt ship vla``,
``agentrt vla dagger`` ...) live in the packages beside the code they serve, each with a
``main(argv) -> int`` and one parser that is the single definition of its options; the command
line hands it the arguments untouched (``--help`` included) and exits with its status.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import typer

_CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


def mount(app: typer.Typer, name: str, target: str, help: str) -> None:
    """Add command ``name`` to ``app`` running ``target`` (``"package.module:main"``), imported on use."""

    def command(ctx: typer.Context) -> None:
        module, _, attr = target.partition(":")
        main: Callable[[list[str]], int] = getattr(importlib.import_module(module), attr or "main")
        raise typer.Exit(main(list(ctx.args)))

    command.__doc__ = help
    app.command(name, help=help, context_settings=_CONTEXT, add_help_option=False)(command)
