"""``agentrt constitution``: review a task against the robot constitution.

``check`` prints the verdict with the deciding rule and reason; with ``--json`` stdout
holds exactly one JSON object ``{accepted, rule, kind, reason}``. Exit 0 whether the
task is accepted or rejected; 2 on bad input (unknown scene, unreadable constitution).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from agentrt.console import stdout_to_stderr
from agentrt.core.exit_codes import EXIT_BAD_INPUT, EXIT_OK
from agentrt.core.registry import SCENES, RegistryError

app = typer.Typer(no_args_is_help=True, help="The robot constitution: which tasks are safe and feasible.")


@app.callback()
def _group() -> None:
    """The robot constitution: which tasks are safe and feasible."""


@app.command()
def check(
    task: Annotated[str, typer.Argument(help="The task, e.g. 'put the yellow mug in the sink'.")],
    scene: Annotated[str, typer.Option(help="Registered scene id.")] = "kitchen-v0",
    seed: Annotated[int, typer.Option(min=0, help="World seed.")] = 0,
    constitution: Annotated[
        Path | None, typer.Option(help="Constitution JSON/YAML file (default: the built-in one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")] = False,
) -> None:
    """Review TASK in a scene: accepted, or rejected with the rule and its reason."""
    from planners.constitution import Constitution

    try:
        rules = Constitution.load(constitution) if constitution else Constitution.default()
    except Exception as exc:  # unreadable file, bad JSON/YAML, unknown keys or rules
        typer.echo(f"agentrt: bad constitution {constitution}: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    try:
        with stdout_to_stderr(True):
            env = SCENES.get(scene)()
            try:
                env.reset(seed=seed)
                description = env.unwrapped.describe()
            finally:
                env.close()
            review = rules.review(task, description)
    except RegistryError as exc:
        typer.echo(f"agentrt: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        typer.echo(json.dumps(review.summary()))
    elif review.accepted:
        typer.echo(f"accepted: {task!r} passes every rule of the constitution")
    else:
        typer.echo(f"rejected by {review.rule} ({review.kind}): {review.reason}")
    raise typer.Exit(EXIT_OK)
