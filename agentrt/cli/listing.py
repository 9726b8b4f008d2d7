"""``agentrt scenes list`` and ``agentrt skills list``: what the registries hold.

Exit codes (:mod:`agentrt.core.exit_codes`): 0 listed; 2 a ``--skills-module`` that cannot be
imported or registers a duplicate name.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from agentrt.console import fail
from agentrt.core.exit_codes import EXIT_BAD_INPUT
from agentrt.core.registry import SCENES, SKILLS, RegistryError

scenes_app = typer.Typer(no_args_is_help=True, help="Scenes (PyBullet worlds).")
skills_app = typer.Typer(no_args_is_help=True, help="Skills the planner can call.")


@scenes_app.command("list")
def scenes_list() -> None:
    """List registered scenes."""
    table = Table("scene", "class", "description")
    for name, cls in SCENES.items():
        doc = (cls.__doc__ or "").strip().splitlines()
        table.add_row(name, f"{cls.__module__}.{cls.__qualname__}", doc[0] if doc else "")
    Console().print(table)


@skills_app.command("list")
def skills_list(
    skills_module: Annotated[
        list[str] | None, typer.Option(help="Import user skills from this module first (repeatable).")
    ] = None,
) -> None:
    """List registered skills with arguments, preconditions and effects."""
    from agentrt.plugins import load_skill_modules

    try:
        load_skill_modules(skills_module or [])
    except RegistryError as exc:
        raise fail("agentrt", EXIT_BAD_INPUT, str(exc)) from None
    table = Table("skill", "arguments", "preconditions", "effects", "instruction", show_lines=True)
    for column in table.columns:
        column.overflow = "fold"
    for name, cls in SKILLS.items():
        spec = cls.spec()
        props = spec.args_schema.get("properties", {})
        args = ", ".join(f"{a}: {props.get(a, {}).get('type', 'any')}" for a in spec.arg_names)
        table.add_row(name, args, "\n".join(spec.preconditions), "\n".join(spec.effects), spec.instruction)
    Console(width=max(Console().width, 120)).print(table)


__all__ = ["scenes_app", "skills_app"]
