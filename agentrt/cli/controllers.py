"""``agentrt controllers list``: the shipped low-level controllers and the training recipes.

Evaluate one with ``agentrt eval controller`` (:mod:`agentrt.cli.eval.controller`), train one
with ``agentrt train controller`` (:mod:`agentrt.cli.train`). Exit 0; ``--json`` prints
exactly one JSON object on stdout.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, help="Low-level controllers (RL locomotion and balance).")


@app.callback()
def _controllers() -> None:
    """Low-level controllers (RL locomotion and balance)."""


@app.command("list")
def list_controllers(
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")] = False,
) -> None:
    """Name the shipped controllers with their kind, robot, recipe and training steps."""
    from controllers.catalog import shipped_controllers
    from controllers.recipes import RECIPES

    shipped = shipped_controllers()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "controllers": {k: {**v, "path": str(v["path"])} for k, v in shipped.items()},
                    "recipes": sorted(RECIPES),
                }
            )
        )
        return
    table = Table(
        "controller", "kind", "robot", "recipe", "steps", title="shipped controllers", title_justify="left"
    )
    for name, info in shipped.items():
        table.add_row(name, str(info["kind"]), str(info["robot"]), str(info["recipe"]), str(info["steps"]))
    console = Console()
    console.print(table if shipped else "[yellow]no trained controller is shipped yet[/]")
    console.print(
        f"recipes: {', '.join(sorted(RECIPES))}  (train one: agentrt train controller RECIPE --out DIR)"
    )


__all__ = ["app"]
