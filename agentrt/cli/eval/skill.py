"""``agentrt eval skill SKILL``: a learned skill's success on held-out seeds beside the scripted expert.

Exit codes (:mod:`agentrt.core.exit_codes`): 0 done; 2 bad input (unknown skill or scene, missing
or unusable checkpoint, bad execution settings); 3 internal error. ``--json`` prints exactly one
JSON object on stdout.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agentrt.console import fail, stdout_to_stderr
from agentrt.core.exit_codes import EXIT_BAD_INPUT, EXIT_INTERNAL
from agentrt.core.seeds import DEV_SEED_START

COMMAND = "agentrt eval skill"
DEFAULT_SEED_START = DEV_SEED_START
"""Held-out seeds start here, far above the seeds data collection draws from."""


def eval_skill(
    skill: Annotated[str, typer.Argument(help="Learned skill: pick, place or navigate_to.")],
    ckpt: Annotated[
        Path | None,
        typer.Option(
            help="Checkpoint: our .safetensors artifact or an external VLA folder "
            "(default: the one shipped for the scene)."
        ),
    ] = None,
    episodes: Annotated[int, typer.Option(min=1, help="Held-out seeds to evaluate.")] = 20,
    seed_start: Annotated[int, typer.Option(min=0, help="First held-out seed.")] = DEFAULT_SEED_START,
    scene: Annotated[str, typer.Option(help="Scene id.")] = "kitchen-v0",
    expert: Annotated[bool, typer.Option(help="Also run the scripted expert on the same seeds.")] = True,
    paraphrase: Annotated[bool, typer.Option(help="Also run with paraphrased instructions.")] = True,
    carry: Annotated[
        bool, typer.Option(help="navigate_to: drives holding an object, as tidying makes them.")
    ] = False,
    wander: Annotated[
        bool,
        typer.Option(help="navigate_to: drives from where the base wandered off to (a drive gone astray)."),
    ] = False,
    ensemble: Annotated[str, typer.Option(help="Chunk execution: temporal (ACT) or receding.")] = "temporal",
    query_every: Annotated[int, typer.Option(min=1, help="temporal: steps between chunk requests.")] = 1,
    execute_steps: Annotated[
        int | None, typer.Option(min=1, help="receding: rows applied per chunk (default: all).")
    ] = None,
    temporal_k: Annotated[float, typer.Option(min=0.0, help="temporal: weight decay per chunk age.")] = 0.01,
    max_steps: Annotated[int | None, typer.Option(min=1, help="Learned skill's step budget.")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Ray actors, one simulator each (1: in this process).")
    ] = 1,
    out: Annotated[Path | None, typer.Option(help="Also write the full report (every episode) here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")] = False,
) -> None:
    """Success on held-out seeds beside the scripted expert's, under paraphrases, and chunk latency."""
    from pydantic import ValidationError

    from agentrt.core.registry import SCENES, RegistryError
    from skills.learned import LEARNED_SKILLS
    from skills.vla.catalog import load_chunk_policy, shipped_checkpoints
    from skills.vla.ensemble import ExecutionConfig
    from skills.vla.evaluate import evaluate_skill

    if skill not in LEARNED_SKILLS:
        raise fail(
            COMMAND, EXIT_BAD_INPUT, f"unknown skill {skill!r}; learned skills: {', '.join(LEARNED_SKILLS)}"
        )
    if carry and skill != "navigate_to":
        raise fail(COMMAND, EXIT_BAD_INPUT, f"--carry is for navigate_to, not {skill}")
    if wander and skill != "navigate_to":
        raise fail(COMMAND, EXIT_BAD_INPUT, f"--wander is for navigate_to, not {skill}")
    try:
        SCENES.get(scene)
        settings: dict[str, Any] = {"mode": ensemble}
        if ensemble == "temporal":
            settings.update(query_every=query_every, temporal_k=temporal_k)
        if execute_steps is not None:
            settings["execute_steps"] = execute_steps
        execution = ExecutionConfig.model_validate(settings)
    except RegistryError as exc:
        raise fail(COMMAND, EXIT_BAD_INPUT, str(exc)) from None
    except ValidationError as exc:
        raise fail(COMMAND, EXIT_BAD_INPUT, f"bad execution settings: {exc.errors()[0]['msg']}") from None
    if ckpt is None:
        ckpt = shipped_checkpoints(scene).get(skill)
        if ckpt is None:
            raise fail(
                COMMAND, EXIT_BAD_INPUT, f"no checkpoint shipped for {skill} in {scene}; pass --ckpt PATH"
            )
    seeds = list(range(seed_start, seed_start + episodes))
    runs = episodes * (1 + expert + paraphrase)
    try:
        with stdout_to_stderr(as_json):
            policy = load_chunk_policy(ckpt, tuple(LEARNED_SKILLS[skill].action_keys))
            LEARNED_SKILLS[skill](policy, execution=execution)  # refuses a policy of the wrong action group
            with _progress(not as_json) as bar:
                task = bar.add_task(f"{skill} on {scene}", total=runs)
                options = {
                    "expert": expert,
                    "paraphrases": paraphrase,
                    "execution": execution,
                    "max_steps": max_steps,
                    "carry": carry,
                    "wander": wander,
                    "on_outcome": lambda _: bar.advance(task),
                }
                if workers > 1:
                    del policy  # each actor loads its own
                    report = evaluate_in_pool(ckpt, skill, seeds, scene, workers=workers, **options)
                else:
                    report = evaluate_skill(policy, skill, seeds, scene, **options)
    except (FileNotFoundError, ImportError, ValueError) as exc:  # CheckpointError is a FileNotFoundError
        raise fail(COMMAND, EXIT_BAD_INPUT, str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        raise fail(COMMAND, EXIT_INTERNAL, f"{type(exc).__name__}: {exc}") from None
    report = {
        "checkpoint": str(ckpt),
        "execution": execution.model_dump(),
        "carry": carry,
        "wander": wander,
        **report,
    }
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1) + "\n")
    summary = {k: v for k, v in report.items() if k != "outcomes"}
    if as_json:
        typer.echo(json.dumps(summary))
        return
    Console().print(_table(summary))


class _RayWorker:
    """A Ray actor: loads the checkpoint once, then plays every call of one seed per job."""

    def __init__(self, ckpt: str, skill: str, scene: str, options: dict[str, Any]) -> None:
        from skills.learned import LEARNED_SKILLS
        from skills.vla.catalog import load_chunk_policy
        from skills.vla.ensemble import ExecutionConfig
        from skills.vla.evaluate import SeedRunner

        policy = load_chunk_policy(ckpt, tuple(LEARNED_SKILLS[skill].action_keys))
        execution = ExecutionConfig.model_validate(options["execution"])
        self.runner = SeedRunner(
            policy,
            skill,
            scene,
            options["expert"],
            options["paraphrases"],
            execution,
            options["max_steps"],
            carry=options["carry"],
            wander=options["wander"],
        )

    def run(self, seed: int) -> list[dict[str, Any]] | None:
        from dataclasses import asdict

        outcomes = self.runner.run(seed)
        return None if outcomes is None else [asdict(o) for o in outcomes]

    def pid(self) -> int:
        return os.getpid()


def evaluate_in_pool(
    ckpt: Path,
    skill: str,
    seeds: list[int],
    scene: str,
    *,
    workers: int,
    expert: bool,
    paraphrases: bool,
    execution: Any,
    max_steps: int | None,
    on_outcome: Any = None,
    carry: bool = False,
    wander: bool = False,
    seed_timeout_s: float = 1800.0,
) -> dict[str, Any]:
    """:func:`skills.vla.evaluate.evaluate_skill` over ``workers`` Ray actors (one seed per job).

    A seed whose actor crashed, raised or hung is listed in ``errors`` and left out of the rates.
    """
    from agentrt.actor_pool import ActorPool
    from skills.vla.evaluate import Outcome, report

    options = {
        "expert": expert,
        "paraphrases": paraphrases,
        "execution": execution.model_dump(),
        "max_steps": max_steps,
        "carry": carry,
        "wander": wander,
    }
    pool = ActorPool(
        _RayWorker,
        (str(ckpt), skill, scene, options),
        workers,
        seed_timeout_s,
        env_vars={"PYTHONHASHSEED": "0"},
    )
    pending, outcomes, failed, errors = list(seeds), [], [], []
    try:
        while pending or pool.idle() < pool.size:
            while pending and pool.idle():
                seed = pending.pop(0)
                pool.submit(seed, seed)
            for done in pool.poll(1.0):
                if done.fault:
                    errors.append(f"seed {done.key}: {done.fault}: {done.detail}")
                elif done.value is None:
                    failed.append(done.key)
                else:
                    for item in done.value:
                        outcomes.append(Outcome(**item))
                        if on_outcome is not None:
                            on_outcome(outcomes[-1])
    finally:
        pool.close()
    order = {"learned": 0, "expert": 1, "paraphrase": 2}
    outcomes.sort(key=lambda o: (o.seed, order[o.runner]))
    return report(skill, scene, outcomes, failed, sorted(errors))


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} skill calls"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )


def _table(summary: dict[str, Any]) -> Table:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{100 * value:.1f}%"

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} ms"

    table = Table("metric", "value", title=f"{summary['skill']} on {summary['scene']}", title_justify="left")
    rows = [
        ("checkpoint", summary["checkpoint"]),
        ("episodes (held-out seeds)", str(summary["episodes"])),
        ("learned success", pct(summary["success_rate"])),
        ("scripted expert success", pct(summary["expert_success_rate"])),
        ("learned / expert", pct(summary["relative_to_expert"])),
        ("paraphrased success", pct(summary["paraphrase_success_rate"])),
        ("latency per chunk p50 / p90", f"{ms(summary['latency_ms_p50'])} / {ms(summary['latency_ms_p90'])}"),
        ("setup failures (seeds)", ", ".join(map(str, summary["setup_failures"])) or "none"),
        ("worker errors", "; ".join(summary["errors"]) or "none"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


__all__ = ["eval_skill", "evaluate_in_pool"]
