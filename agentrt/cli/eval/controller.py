"""``agentrt eval controller NAME``: a low-level controller under random commands.

Exit codes (:mod:`agentrt.core.exit_codes`): 0 done; 2 bad input (unknown controller, an
unusable artifact); 3 internal error. ``--json`` prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import json
import os
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from agentrt.console import fail, stdout_to_stderr
from agentrt.core.exit_codes import EXIT_BAD_INPUT, EXIT_INTERNAL

COMMAND = "agentrt eval controller"


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
        raise fail(COMMAND, EXIT_BAD_INPUT, str(exc)) from None
    except Exception as exc:
        if os.environ.get("AGENTRT_DEBUG"):
            raise
        raise fail(COMMAND, EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}") from None
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


__all__ = ["eval_controller"]
