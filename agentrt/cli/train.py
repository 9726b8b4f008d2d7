"""``agentrt train vla`` and ``agentrt train controller``: train a VLA skill family or a controller.

``train vla`` learns from a collected LeRobot v3 dataset; ``train controller`` runs a PPO
recipe. Re-running either with the same ``--out`` resumes from the last checkpoint. Exit codes
(:mod:`agentrt.core.exit_codes`): 0 done; 2 bad input (unreadable dataset, no frames of the
family's skills, a checkpoint of another config, an unknown recipe, unwritable output); 3
internal error; 130 interrupted (the checkpoint is saved first).
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import signal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from typer.core import TyperCommand, TyperGroup

from agentrt.cli.config_options import field_option, option, with_options
from agentrt.cli.passthrough import mount
from agentrt.console import fail, stdout_to_stderr
from agentrt.core.exit_codes import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED
from agentrt.core.seeds import DEV_SEED_START

COMMAND = "agentrt train vla"
ROLLOUT_SEED = DEV_SEED_START
"""First scene seed of the training-time rollouts (held out from collection seeds)."""


class _TrainGroup(TyperGroup):
    """``agentrt train``, whose ``vla`` is built only when named (its options need torch to generate)."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return ["vla", *super().list_commands(ctx)]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        return vla_command() if cmd_name == "vla" else super().get_command(ctx, cmd_name)


app = typer.Typer(
    cls=_TrainGroup, no_args_is_help=True, help="Train models: low-level controllers and VLA skills."
)


@app.callback()
def _train() -> None:
    """Train models."""


mount(
    app,
    "pointer",
    "skills.vla.pointer_train:main",
    "The object pointer: render views, train it into an artifact, check it.",
)


def make_rollout(skills: tuple[str, ...], episodes: int, scene: str) -> Any:
    """``rollout(policy) -> metrics`` from :func:`skills.vla.evaluate.evaluate_skill` (``None`` if absent).

    Each skill of the family runs ``episodes`` held-out seeds in ``scene``; the metrics are
    ``<skill>/success`` and ``<skill>/latency_ms_p50``.
    """
    try:
        from skills.vla.evaluate import evaluate_skill
    except ImportError:
        return None

    def rollout(policy: Any) -> dict[str, float]:
        metrics: dict[str, float] = {}
        seeds = range(ROLLOUT_SEED, ROLLOUT_SEED + episodes)
        for skill in skills:
            report = evaluate_skill(policy, skill, seeds, scene, expert=False, paraphrases=False)
            for key, name in (("success_rate", "success"), ("latency_ms_p50", "latency_ms_p50")):
                if report.get(key) is not None:
                    metrics[f"{skill}/{name}"] = float(report[key])
        return metrics

    return rollout


def vla_options() -> tuple[inspect.Parameter, ...]:
    """The options of ``train vla``: most mirror :class:`TrainConfig` or :class:`VLAConfig` fields.

    Built on first use: the configs import torch, which the rest of the command line does not need.
    """
    from skills.vla.config import VLAConfig
    from skills.vla.train import TrainConfig

    def run(name: str, help: str) -> inspect.Parameter:
        return field_option(TrainConfig, name, help)

    def net(name: str, help: str, *, flag: bool = False) -> inspect.Parameter:
        return field_option(VLAConfig, name, help, flag=flag)

    return (
        run("data", "LeRobot v3 dataset root (from `agentrt collect`)."),
        run("out", "Artifact base path: OUT.safetensors + OUT.json (+ OUT.train.pt to resume)."),
        option(
            "family",
            str,
            "manipulation",
            help="Skill family preset: manipulation (pick, place) or navigation (navigate_to).",
        ),
        net("head", "Action head: tokens (256 bins), flow (flow matching) or l1."),
        net("vision", "Vision trunk: cnn (from scratch) or efficientnet-lite0."),
        option(
            "image_size",
            int | None,
            None,
            min=32,
            max=256,
            help="Camera images resized to this (px; default: the preset's).",
        ),
        option(
            "crop",
            list[str] | None,
            None,
            help="Square crop CAMERA=TOP,LEFT,SIDE (fractions of the frame) taken before the resize; "
            "repeatable; replaces the preset's crops. E.g. head=0.36,0.33,0.5.",
        ),
        net("chunk_size", "Actions per predicted chunk (10 Hz)."),
        net(
            "goal_weight",
            "Weight of the auxiliary goal loss (manipulation): a goal token regresses where the "
            "demonstration's gripper closes or opens (0: none).",
        ),
        net(
            "keypoints",
            "Spatial soft-argmax keypoints per camera, each a context token (cnn vision; 0: none).",
        ),
        net(
            "goal_source",
            "What the goal head reads: token (a goal token after the encoder) or keypoints "
            "(keypoint 0 of every camera and the hand's position; needs --keypoints).",
        ),
        net(
            "keypoint_readout",
            "How a keypoint heatmap becomes a point: mean (soft-argmax over all cells) or peak "
            "(soft-argmax around the strongest cell).",
        ),
        net(
            "goal_features",
            "The goal head also reads the image features under keypoint 0 (what the object stands "
            "on; needs --goal-source keypoints).",
            flag=True,
        ),
        net(
            "goal_relative",
            "The goal token also reads the goal minus the hand's position (needs --goal-source keypoints).",
            flag=True,
        ),
        net(
            "position_targets",
            "Arm chunks say where the hand should be after each step (relative to where it is), "
            "not per-step deltas (manipulation only).",
            flag=True,
        ),
        net(
            "goal_frame",
            "With --position-targets: those positions are relative to the goal in the goal token "
            "(where the gripper will act), not to the hand (needs --goal-source keypoints).",
            flag=True,
        ),
        run(
            "goal_teacher",
            "Share of frames whose goal token gets the demonstration's goal (plus --goal-noise-m) "
            "instead of the prediction, teaching the decoder to follow it (needs --goal-source keypoints).",
        ),
        run("goal_noise_m", "Noise (m, per axis) on the --goal-teacher goal."),
        run(
            "relabelled_rows",
            "Chunks from relabelled (DAgger) episodes train only their first N rows (0: all): "
            "each label answers one state the learner reached, not a plan.",
        ),
        run(
            "goal_pixel_weight",
            "Weight of the dense goal label: head keypoint 0 must find where the demonstration's "
            "gripper acts, placed in the head image by the --scene robot's camera calibration "
            "(needs --goal-source keypoints and --augment-shift 0).",
        ),
        run(
            "grounding",
            "Co-train keypoint 0 on these labelled head crops (agentrt vla grounding-crops; "
            "needs --keypoints and the same head crop and image size).",
        ),
        run("grounding_weight", "Weight of the grounding loss."),
        run("steps", "Total optimiser steps."),
        run("batch_size", "Frames per batch."),
        run("lr", "Peak learning rate (AdamW)."),
        run("augment_shift", "Random image shift (px) for augmentation; 0 keeps pixel positions exact."),
        run("val_every", "Steps between validation losses."),
        run("save_every", "Steps between checkpoints."),
        run("rollout_every", "Steps between simulator rollouts reporting success (0: none)."),
        option("rollout_episodes", int, 5, min=1, help="Held-out seeds per skill per rollout."),
        option("scene", str, "kitchen-v0", help="Scene of the rollouts."),
        run("device", "Torch device: cpu or cuda."),
        run("cache_dir", "Where decoded camera frames are cached (default: OUT.cache)."),
        option(
            "threads",
            int,
            1,
            min=0,
            help="Torch CPU threads (0: torch's default; 1 is fastest on a shared CPU).",
        ),
        run("seed", "Training seed."),
        run(
            "init_from",
            "Start a fresh run from this artifact's weights and normalisation (fine-tuning, e.g. on "
            "DAgger data); the network must have the same shapes, except that a goal head or keypoints "
            "may be added.",
        ),
    )


@functools.cache
def vla_command() -> TyperCommand:
    """``train vla`` as a command: :func:`train_vla` with the options of :func:`vla_options`."""
    alone = typer.Typer(add_completion=False)
    alone.command("vla")(with_options(*vla_options())(train_vla))
    command = typer.main.get_command(alone)
    assert isinstance(command, TyperCommand)
    return command


ALWAYS_TO_MODEL = ("head", "vision", "chunk_size")
"""Network options handed to the preset as given; the other VLAConfig options only when changed."""


def train_vla(**opts: Any) -> None:
    """Train a VLA on one skill family; re-running with the same OUT resumes from the last checkpoint."""
    import torch
    from pydantic import ValidationError

    from agentrt.datasets.errors import DatasetError
    from skills.vla.camera import scene_head_camera
    from skills.vla.config import VLAConfig, preset
    from skills.vla.train import TrainConfig, train

    data, out, device = opts["data"], opts["out"], opts["device"]
    try:
        # the network's options: seed is the run's (given to both); image_size defaults to the preset's
        net = {
            k: v for k, v in opts.items() if k in VLAConfig.model_fields and k not in ("seed", "image_size")
        }
        sized = {
            k: v for k, v in net.items() if k in ALWAYS_TO_MODEL or v != VLAConfig.model_fields[k].default
        }
        if opts["image_size"] is not None:
            sized["image_size"] = opts["image_size"]
        if opts["crop"] is not None:
            sized["crops"] = _parse_crops(opts["crop"])
        model = preset(opts["family"], seed=opts["seed"], **sized)
        run = {k: v for k, v in opts.items() if k in TrainConfig.model_fields}
        camera = scene_head_camera(opts["scene"]) if opts["goal_pixel_weight"] else None
        cfg = TrainConfig(model=model, head_camera=camera, **run)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise fail(COMMAND, EXIT_BAD_INPUT, f"invalid option {where}: {first['msg']}") from None
    except (KeyError, ValueError) as exc:
        raise fail(COMMAND, EXIT_BAD_INPUT, str(exc.args[0])) from None
    if not data.is_dir():
        raise fail(COMMAND, EXIT_BAD_INPUT, f"no dataset at {data}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise fail(COMMAND, EXIT_BAD_INPUT, f"device {device!r} requested but CUDA is not available")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(out.parent, os.W_OK):
            raise PermissionError(f"{out.parent} is not writable")
    except OSError as exc:
        raise fail(COMMAND, EXIT_BAD_INPUT, f"cannot write output: {exc}") from None
    if opts["threads"]:
        torch.set_num_threads(opts["threads"])
    rollout_every = opts["rollout_every"]
    rollout = make_rollout(model.skills, opts["rollout_episodes"], opts["scene"]) if rollout_every else None
    console = Console(stderr=True)
    if rollout_every and rollout is None:
        console.print("[yellow]skills.vla.evaluate is not available: no rollouts[/]")
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        policy = train(cfg, rollout=rollout, console=console)
    except (DatasetError, ValueError) as exc:
        raise fail(COMMAND, EXIT_BAD_INPUT, str(exc)) from None
    except KeyboardInterrupt:
        raise fail(COMMAND, EXIT_INTERRUPTED, f"interrupted; run again with --out {out} to resume") from None
    except Exception as exc:
        if os.environ.get("AGENTRT_DEBUG"):
            raise
        raise fail(COMMAND, EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}") from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    metrics = policy.provenance.get("metrics", {})
    console.print(f"{policy.provenance.get('steps')} steps; artifact {out}.safetensors + {out}.json")
    console.print(json.dumps(metrics, indent=None))


def _parse_crops(specs: list[str]) -> dict[str, tuple[float, float, float]]:
    """``["head=0.36,0.33,0.5"]`` -> ``{"head": (0.36, 0.33, 0.5)}``; ranges are checked by ``VLAConfig``.

    Raises:
        ValueError: a spec is not ``CAMERA=TOP,LEFT,SIDE`` with three numbers.
    """
    crops: dict[str, tuple[float, float, float]] = {}
    for spec in specs:
        camera, _, numbers = spec.partition("=")
        try:
            top, left, side = (float(v) for v in numbers.split(","))
        except ValueError:
            raise ValueError(
                f"--crop {spec!r}: expected CAMERA=TOP,LEFT,SIDE, e.g. head=0.36,0.33,0.5"
            ) from None
        crops[camera.strip()] = (top, left, side)
    return crops


def _raise_interrupt(signum: int, frame: Any) -> None:
    """SIGTERM (a session ending) becomes KeyboardInterrupt, so training saves its checkpoint first."""
    raise KeyboardInterrupt


@app.command("controller")
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
            "agentrt train controller", EXIT_INTERRUPTED, f"interrupted; run again with --out {out} to resume"
        ) from None
    console.print(
        f"{report.steps:,} steps in {report.wall_time_s / 60:.1f} min; "
        f"artifact {report.artifact}.json/.safetensors"
    )


__all__ = ["app", "make_rollout", "train_controller", "train_vla", "vla_command", "vla_options"]
