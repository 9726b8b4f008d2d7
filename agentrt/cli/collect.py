"""``agentrt collect``: autonomous data collection into a LeRobot v3 dataset.

Exit codes (:mod:`agentrt.core.exit_codes`): 0 done; 2 rejected input (a bad setting, a
dataset that exists without ``--resume``, missing learned checkpoints, an unwritable dataset);
3 internal error; 130 interrupted (committed episodes are intact; ``--resume`` continues).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from agentrt.cli.model_options import OptionError, settings
from agentrt.collect.loop import CollectConfig, collect
from agentrt.collect.progress import LiveProgress, stats_table
from agentrt.collect.sink import DatasetSink
from agentrt.collect.worker import WorkerConfig
from agentrt.console import fail, stdout_to_stderr
from agentrt.core.exit_codes import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED
from agentrt.core.registry import SCENES, RegistryError
from agentrt.datasets import DatasetError, DatasetWriter, features_from_env
from agentrt.datasets.meta import is_dataset
from agentrt.recording import open_or_create
from agentrt.skill_sets import parse_policy, resolve_skill_set
from planners.constitution import Constitution
from planners.llm.errors import BackendConfigError
from planners.llm.proposer import make_proposer

_COMMAND = "agentrt collect"


def collect_command(
    out: Annotated[Path, typer.Option(help="Dataset root (LeRobot v3).")],
    scene: Annotated[str, typer.Option(help="Registered scene id.")] = "kitchen-v0",
    episodes: Annotated[int | None, typer.Option(min=1, help="Stop after this many episodes.")] = None,
    hours: Annotated[float | None, typer.Option(min=0.0, help="Stop after this many hours.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Simulator workers; more than 1 runs Ray actors.")] = 1,
    policy: Annotated[
        str,
        typer.Option(
            help="scripted, learned (the scene's VLA checkpoints) or mix:P (learned in a share P of runs)."
        ),
    ] = "scripted",
    resume: Annotated[bool, typer.Option("--resume", help="Continue a dataset a previous run left.")] = False,
    seed: Annotated[int, typer.Option(min=0, help="First world seed; episode i uses seed + i.")] = 0,
    address: Annotated[str | None, typer.Option(help="Join this Ray cluster (e.g. 'auto').")] = None,
    constitution: Annotated[
        Path | None, typer.Option(help="Constitution JSON/YAML (default: built-in).")
    ] = None,
    episode_timeout: Annotated[
        float, typer.Option(min=1.0, help="Seconds before a worker counts as hung.")
    ] = 900.0,
    proposer: Annotated[str, typer.Option(help="Task proposer: template or llm.")] = "template",
    proposer_model: Annotated[str | None, typer.Option(help="Model of the llm proposer.")] = None,
    proposer_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible server of the llm proposer.")
    ] = None,
    proposer_option: Annotated[
        list[str] | None, typer.Option(help="Proposer setting KEY=VALUE (repeatable).")
    ] = None,
) -> None:
    """Collect episodes autonomously: describe, propose, review, plan, execute, label, reset, log."""
    console = Console(stderr=True)
    try:
        proposer_config = settings(proposer_option, model=proposer_model, base_url=proposer_base_url)
        config = CollectConfig(
            worker=WorkerConfig(
                scene=scene, policy=policy, proposer=proposer, proposer_config=proposer_config
            ),
            out=out,
            episodes=episodes,
            hours=hours,
            workers=workers,
            address=address,
            resume=resume,
            seed=seed,
            episode_timeout_s=episode_timeout,
        )
        if parse_policy(policy) > 0:
            resolve_skill_set("learned", scene)  # missing checkpoints fail here, before any worker starts
        if is_dataset(out) and not resume:
            raise ValueError(f"{out} already holds a dataset; pass --resume to continue it")
        make_constitution = (
            functools.partial(Constitution.load, constitution) if constitution else Constitution.default
        )
        make_constitution()  # a bad file fails here, before any worker starts
        make_proposer(proposer, proposer_config, [])  # so does a bad proposer setting
        with stdout_to_stderr():
            writer = _open_writer(config)
    except ValidationError as exc:
        raise fail(_COMMAND, EXIT_BAD_INPUT, exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
    except (OptionError, BackendConfigError) as exc:
        raise fail(_COMMAND, EXIT_BAD_INPUT, str(exc)) from None
    except (ValueError, RegistryError, DatasetError, OSError) as exc:
        raise fail(_COMMAND, EXIT_BAD_INPUT, str(exc)) from None

    if writer.recovered:
        console.print(f"recovered the dataset: {'; '.join(writer.recovered)}")
    progress = LiveProgress(config.episodes, enabled=console.is_terminal)
    try:
        with writer, progress, stdout_to_stderr():
            stats = collect(config, DatasetSink(writer), make_constitution, on_progress=progress)
    except KeyboardInterrupt:
        console.print(f"interrupted: every committed episode is intact; continue with --resume --out {out}")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except DatasetError as exc:
        raise fail(
            _COMMAND,
            EXIT_BAD_INPUT,
            f"cannot write the dataset: {exc} (committed episodes are intact)",
        ) from None
    except Exception as exc:
        if os.environ.get("AGENTRT_DEBUG"):
            raise
        raise fail(_COMMAND, EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}") from None
    console.print(stats_table(stats, config.episodes))
    console.print(
        f"committed {stats.committed} episodes ({stats.resumed} were already there) in"
        f" {stats.elapsed_s:.0f} s: {stats.per_hour:.0f} episodes/hour, success {stats.success_rate:.0%};"
        f" dataset {out}"
    )


def _open_writer(config: CollectConfig) -> DatasetWriter:
    env = SCENES.get(config.worker.scene)()
    try:
        features = features_from_env(env)
    finally:
        env.close()
    return open_or_create(config.out, features, fps=10, robot_type=config.worker.scene)


__all__ = ["collect_command"]
