"""``agentrt run INSTRUCTION``: describe, plan, execute and report one episode.

Exit codes (:mod:`agentrt.core.exit_codes`): 0 goal reached; 1 executed but goal not reached;
2 rejected input (nothing executed; one-line reason on stderr); 3 internal error.
Set ``AGENTRT_DEBUG=1`` to see tracebacks of internal errors.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agentrt.agent import AgentObserver
from agentrt.console import fail, stdout_to_stderr
from agentrt.core.episode import SubgoalRecord
from agentrt.core.exit_codes import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERNAL, EXIT_OK
from agentrt.core.plan import Plan, Subgoal
from agentrt.core.registry import RegistryError
from agentrt.core.scene import SceneDescription
from agentrt.datasets import DatasetError

if TYPE_CHECKING:
    from agentrt.run import RunOutcome


class _Progress(AgentObserver):
    """Prints the scene summary, the plan and per-subgoal progress."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.shown_scene = False
        self.total = 0

    def on_scene(self, scene: SceneDescription) -> None:
        if self.shown_scene:
            return
        self.shown_scene = True
        table = Table(title=f"{scene.scene}: objects", title_justify="left")
        for column in ("object", "id", "in/on", "home", ""):
            table.add_column(column)
        for obj in scene.objects:
            flag = "[yellow]misplaced[/]" if obj.misplaced else ""
            table.add_row(obj.name, obj.id, obj.location or "-", obj.home or "-", flag)
        self.console.print(table)
        self.console.print(scene.text, style="dim")

    def on_plan(self, plan: Plan, replan: bool) -> None:
        head = "Replan" if replan else "Plan"
        self.console.print(f"\n[bold]{head}[/] ({len(plan.subgoals)} subgoals): {plan.explanation}")
        for i, sg in enumerate(plan.subgoals, 1):
            self.console.print(f"  {i:2d}. {sg.skill}({_args(sg)})  [dim]{sg.instruction}[/]")
        self.total = len(plan.subgoals)

    def on_subgoal_start(self, index: int, subgoal: Subgoal) -> None:
        self.console.print(f"[cyan]>[/] {subgoal.instruction} ...", end=" ")

    def on_subgoal_end(self, record: SubgoalRecord) -> None:
        res = record.result
        if res.ok and record.effects_ok:
            self.console.print(f"[green]done[/] ({res.steps} steps, {res.wall_time_s:.1f} s)")
        else:
            why = res.reason if not res.ok else f"effects not observed: {', '.join(record.unmet_effects)}"
            self.console.print(f"[red]{res.status.value}[/]: {why}")


def _skill_ckpts(items: list[str]) -> dict[str, str]:
    """``["pick=a.safetensors"]`` -> ``{"pick": "a.safetensors"}``; a malformed item exits 2."""
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise fail("agentrt", EXIT_BAD_INPUT, f"--skill-ckpt wants SKILL=PATH, got {item!r}")
        pairs[name.strip()] = path.strip()
    return pairs


def _args(subgoal: Subgoal) -> str:
    return ", ".join(f"{k}={v}" for k, v in subgoal.args.items())


def run(
    instruction: Annotated[str, typer.Argument(help="What to do, e.g. 'tidy the kitchen'.")],
    scene: Annotated[
        str, typer.Option(help="Registered scene id (see `agentrt scenes list`).")
    ] = "kitchen-v0",
    seed: Annotated[int, typer.Option(min=0, help="World seed: same seed, same world.")] = 0,
    robot: Annotated[
        str | None,
        typer.Option(help="Robot kind or model for scenes that offer one, e.g. quadruped or a1 (house-v0)."),
    ] = None,
    planner: Annotated[str, typer.Option(help="Registered task planner.")] = "symbolic",
    describer: Annotated[str, typer.Option(help="Registered scene describer.")] = "oracle",
    max_replans: Annotated[int, typer.Option(min=0, help="Replans allowed after failures.")] = 3,
    video: Annotated[Path | None, typer.Option(help="Write the head camera as MP4 here.")] = None,
    out: Annotated[Path, typer.Option(help="Episodes go to the LeRobot v3 dataset OUT/<scene>/.")] = Path(
        "runs"
    ),
    gui: Annotated[bool, typer.Option("--gui", help="Open the PyBullet GUI.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")] = False,
    skills_module: Annotated[
        list[str] | None, typer.Option(help="Import user skills from this module first (repeatable).")
    ] = None,
    skills: Annotated[
        str,
        typer.Option(
            help="Skill set: auto (learned if the scene ships checkpoints, else scripted), learned, scripted."
        ),
    ] = "auto",
    skill_ckpt: Annotated[
        list[str] | None,
        typer.Option(help="Learned skill checkpoint SKILL=PATH, e.g. pick=ckpt.safetensors (repeatable)."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Planner model: a name (openai backend) or a folder (transformers).")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="OpenAI-compatible server for the planner, e.g. http://127.0.0.1:8080/v1."),
    ] = None,
    backend: Annotated[str | None, typer.Option(help="Planner backend: openai or transformers.")] = None,
    planner_option: Annotated[
        list[str] | None, typer.Option(help="Planner setting KEY=VALUE, e.g. max_repairs=3 (repeatable).")
    ] = None,
    describer_model: Annotated[str | None, typer.Option(help="Describer (VLM) model name or folder.")] = None,
    describer_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible vision server for the describer.")
    ] = None,
    describer_backend: Annotated[
        str | None, typer.Option(help="Describer model backend: openai or transformers.")
    ] = None,
    describer_option: Annotated[
        list[str] | None, typer.Option(help="Describer setting KEY=VALUE (repeatable).")
    ] = None,
) -> None:
    """Carry out INSTRUCTION in a scene: describe, plan, execute, report.

    With --planner llm the plan comes from a chat model (--model, --base-url; the key, if
    any, only from OPENAI_API_KEY); with --describer vlm the scene description comes from
    a vision-language model reading the head camera (--describer-model ...).
    """
    from pydantic import ValidationError

    from agentrt.cli.model_options import OptionError, settings, validation_line
    from agentrt.run import RunConfig, UnsupportedRobotError, run_instruction
    from agentrt.skill_sets import SkillSetUnavailable
    from planners.llm.errors import BackendConfigError
    from planners.vlm.describer import DescriptionError

    console = Console(stderr=as_json, quiet=as_json)
    if video is not None and video.suffix.lower() != ".mp4":
        raise fail("agentrt", EXIT_BAD_INPUT, f"--video must name an .mp4 file, got {video}")
    ckpts = _skill_ckpts(skill_ckpt or [])
    try:
        _check_writable(out)
        if video is not None:
            _check_writable(video.parent)
        config = RunConfig(
            instruction=instruction,
            scene=scene,
            seed=seed,
            robot=robot,
            planner=planner,
            describer=describer,
            max_replans=max_replans,
            out=out,
            video=video,
            gui=gui,
            skills_modules=skills_module or [],
            skills=skills,
            skill_ckpts=ckpts,
            planner_config=settings(planner_option, model=model, base_url=base_url, backend=backend),
            describer_config=settings(
                describer_option,
                model=describer_model,
                base_url=describer_base_url,
                backend=describer_backend,
            ),
        )
        with stdout_to_stderr(as_json):
            outcome = run_instruction(config, observers=[_Progress(console)])
    except (RegistryError, UnsupportedRobotError, SkillSetUnavailable) as exc:
        raise fail("agentrt", EXIT_BAD_INPUT, str(exc)) from None
    except ValidationError as exc:
        what = exc.title.removesuffix("Config") or "run"
        raise fail("agentrt", EXIT_BAD_INPUT, validation_line(exc, what)) from None
    except (BackendConfigError, OptionError) as exc:
        raise fail("agentrt", EXIT_BAD_INPUT, str(exc)) from None
    except DescriptionError as exc:
        raise fail("agentrt", EXIT_INTERNAL, f"scene describer failed: {exc}") from None
    except DatasetError as exc:
        raise fail("agentrt", EXIT_BAD_INPUT, f"cannot write output: {exc}") from None
    except OSError as exc:
        raise fail("agentrt", EXIT_BAD_INPUT, f"cannot write output: {exc}") from None
    except Exception as exc:  # never a traceback for the user
        if os.environ.get("AGENTRT_DEBUG"):
            raise
        raise fail("agentrt", EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}") from None

    record = outcome.record
    if as_json:
        typer.echo(json.dumps(_summary(outcome)))
    if record.status == "rejected":
        raise fail("agentrt", EXIT_BAD_INPUT, f"rejected: {record.reason}")
    verdict = "[green]goal reached[/]" if record.success else f"[red]goal not reached[/]: {record.reason}"
    console.print(f"\n{verdict} in {record.wall_time_s:.1f} s wall, {record.sim_time_s:.1f} s simulated")
    console.print(f"episode {outcome.episode_index} of the dataset {outcome.dataset}")
    console.print(
        f"provenance: {outcome.provenance_path}" + (f"\nvideo: {record.video}" if record.video else "")
    )
    raise typer.Exit(EXIT_OK if record.success else EXIT_FAILED)


def _check_writable(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    if not os.access(directory, os.W_OK):
        raise PermissionError(f"directory {directory} is not writable")


def _summary(outcome: RunOutcome) -> dict[str, Any]:
    record = outcome.record
    plan = record.plans[0] if record.plans else None
    return {
        "success": record.success,
        "status": record.status,
        "reason": record.reason,
        "instruction": record.instruction,
        "scene": record.scene,
        "seed": record.seed,
        "plan": [{"skill": sg.skill, "args": sg.args} for sg in (plan.subgoals if plan else [])],
        "subgoals": [
            {
                "skill": sub.subgoal.skill,
                "args": sub.subgoal.args,
                "status": sub.result.status.value
                if sub.effects_ok or not sub.result.ok
                else "effects_not_met",
                "reason": sub.result.reason
                if not sub.result.ok
                else (None if sub.effects_ok else f"effects not observed: {', '.join(sub.unmet_effects)}"),
            }
            for sub in record.subgoals
        ],
        "replans": record.replans,
        "episode": str(outcome.provenance_path) if outcome.provenance_path else None,
        "dataset": str(outcome.dataset),
        "episode_index": outcome.episode_index,
        "video": record.video,
        "wall_time_s": round(record.wall_time_s, 3),
    }


__all__ = ["run"]
