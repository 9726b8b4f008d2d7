"""``agentrt controllers list``, ``agentrt eval-controller`` and ``agentrt train controller``.

Exit codes: 0 done; 2 bad input (unknown controller or recipe, unwritable output); 3
internal error. ``--json`` prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from agentrt.console import fail, stdout_to_stderr

controllers_app = typer.Typer(no_args_is_help=True, help="Low-level controllers (RL locomotion and balance).")
train_app = typer.Typer(no_args_is_help=True, help="Train models: low-level controllers and VLA skills.")

EXIT_BAD_INPUT, EXIT_INTERNAL = 2, 3


@controllers_app.callback()
def _controllers() -> None:
    """Low-level controllers (RL locomotion and balance)."""


@train_app.callback()
def _train() -> None:
    """Train models."""


@controllers_app.command("list")
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


def eval_controller(
    name: Annotated[str, typer.Argument(help="A shipped controller name or an artifact path.")],
    minutes: Annotated[float, typer.Option(min=0.01, help="Simulated minutes of random commands.")] = 10.0,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the command sequence.")] = 0,
    push_impulse: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Balance controllers: impulse of each push on the pelvis, N·s (default: the stated one).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")] = False,
) -> None:
    """Run a controller under random commands; report tracking RMSE per axis and falls.

    A locomotion controller tracks random velocity commands; a balance controller holds random
    posture commands while being pushed every 4-8 s (velocity RMSE is null: it does not walk).
    """
    from controllers.artifact import ArtifactError
    from controllers.balance.controller import BalanceController
    from controllers.balance.evaluate import STATED_PUSH_IMPULSE_NS, evaluate_balance
    from controllers.catalog import load_controller
    from controllers.locomotion.controller import LocomotionController
    from controllers.locomotion.evaluate import evaluate_tracking

    try:
        with stdout_to_stderr(True):
            controller = load_controller(name)
            start = time.perf_counter()
            if isinstance(controller, BalanceController):
                impulse = STATED_PUSH_IMPULSE_NS if push_impulse is None else push_impulse
                report = evaluate_balance(controller, minutes=minutes, seed=seed, push_impulse=impulse)
                keys = ["falls", "push_impulse", "pushes", "push_recovery_rate", "rmse_height", "rmse_pitch"]
            elif isinstance(controller, LocomotionController):
                report = evaluate_tracking(controller, minutes=minutes, seed=seed)
                keys = ["rmse_vx", "rmse_vy", "rmse_wz", "falls", "commands"]
            else:
                raise ArtifactError(f"{name}: no evaluation for {type(controller).__name__} yet")
    except ArtifactError as exc:
        raise fail("agentrt eval-controller", EXIT_BAD_INPUT, str(exc)) from None
    except Exception as exc:
        if os.environ.get("AGENTRT_DEBUG"):
            raise
        raise fail(
            "agentrt eval-controller", EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}"
        ) from None
    result = {
        "controller": name,
        **report.as_dict(),
        "seed": seed,
        "wall_time_s": round(time.perf_counter() - start, 1),
    }
    if as_json:
        typer.echo(json.dumps(result))
        return
    table = Table("metric", "value", title=f"{name}: {report.sim_minutes:.1f} simulated minutes, seed {seed}")
    for key in [*keys, "wall_time_s"]:
        table.add_row(key, str(result[key]))
    Console().print(table)


@train_app.command("controller")
def train_controller(
    recipe: Annotated[str, typer.Argument(help="Recipe name (see `agentrt controllers list`).")],
    out: Annotated[Path, typer.Option(help="Run directory: checkpoint, then the artifact OUT/RECIPE.*")],
    steps: Annotated[
        int | None, typer.Option(min=1, help="Total environment steps (default: the recipe's).")
    ] = None,
    envs: Annotated[int, typer.Option(min=1, help="Parallel environments.")] = 4,
    subprocess: Annotated[bool, typer.Option("--subprocess", help="One process per environment.")] = False,
    seed: Annotated[int, typer.Option(min=0, help="Training seed.")] = 0,
    chunk: Annotated[int, typer.Option(min=1, help="Steps between checkpoints.")] = 100_000,
) -> None:
    """Train a controller with PPO; re-running with the same OUT resumes from the last checkpoint."""
    from controllers.recipes import RECIPES, get_recipe
    from controllers.train import train

    if recipe not in RECIPES:
        raise fail(
            "agentrt train controller",
            EXIT_BAD_INPUT,
            f"unknown recipe {recipe!r}; known: {', '.join(RECIPES)}",
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK):
            raise PermissionError(f"{out} is not writable")
    except OSError as exc:
        raise fail("agentrt train controller", EXIT_BAD_INPUT, f"cannot write output: {exc}") from None
    total = steps or get_recipe(recipe).default_steps
    console = Console(stderr=True)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} steps"),
        TextColumn("{task.fields[reward]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task(recipe, total=total, reward="")

            def on_chunk(done: int, total_: int, mean_reward: float | None) -> None:
                shown = "" if mean_reward is None else f"episode reward {mean_reward:.1f}"
                bar.update(task, completed=done, reward=shown)

            with stdout_to_stderr(True):
                report = train(
                    recipe,
                    out,
                    steps=total,
                    envs=envs,
                    seed=seed,
                    chunk_steps=chunk,
                    subprocess=subprocess,
                    on_chunk=on_chunk,
                )
    except ValueError as exc:
        raise fail("agentrt train controller", EXIT_BAD_INPUT, str(exc)) from None
    except KeyboardInterrupt:
        raise fail(
            "agentrt train controller", 130, f"interrupted; run again with --out {out} to resume"
        ) from None
    console.print(
        f"{report.steps:,} steps in {report.wall_time_s / 60:.1f} min; "
        f"artifact {report.artifact}.json/.safetensors"
    )
