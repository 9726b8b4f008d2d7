"""``agentrt train vla`` and ``agentrt train controller``: train a VLA skill family or a controller.

``train vla`` learns from a collected LeRobot v3 dataset; ``train controller`` runs a PPO
recipe. Re-running either with the same ``--out`` resumes from the last checkpoint. Exit codes
(:mod:`agentrt.cli.exit_codes`): 0 done; 2 bad input (unreadable dataset, no frames of the
family's skills, a checkpoint of another config, an unknown recipe, unwritable output); 3
internal error; 130 interrupted (the checkpoint is saved first).
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from agentrt.cli.exit_codes import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED
from agentrt.console import fail, stdout_to_stderr

COMMAND = "agentrt train vla"
ROLLOUT_SEED = 100_000
"""First scene seed of the training-time rollouts (held out from collection seeds)."""

app = typer.Typer(no_args_is_help=True, help="Train models: low-level controllers and VLA skills.")


@app.callback()
def _train() -> None:
    """Train models."""


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


@app.command("vla")
def train_vla(
    data: Annotated[Path, typer.Option(help="LeRobot v3 dataset root (from `agentrt collect`).")],
    out: Annotated[
        Path, typer.Option(help="Artifact base path: OUT.safetensors + OUT.json (+ OUT.train.pt to resume).")
    ],
    family: Annotated[
        str, typer.Option(help="Skill family preset: manipulation (pick, place) or navigation (navigate_to).")
    ] = "manipulation",
    head: Annotated[
        str, typer.Option(help="Action head: tokens (256 bins), flow (flow matching) or l1.")
    ] = "tokens",
    vision: Annotated[
        str, typer.Option(help="Vision trunk: cnn (from scratch) or efficientnet-lite0.")
    ] = "cnn",
    image_size: Annotated[
        int | None,
        typer.Option(min=32, max=256, help="Camera images resized to this (px; default: the preset's)."),
    ] = None,
    crop: Annotated[
        list[str] | None,
        typer.Option(
            help="Square crop CAMERA=TOP,LEFT,SIDE (fractions of the frame) taken before the resize; "
            "repeatable; replaces the preset's crops. E.g. head=0.36,0.33,0.5."
        ),
    ] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="Actions per predicted chunk (10 Hz).")] = 10,
    goal_weight: Annotated[
        float,
        typer.Option(
            min=0.0,
            help="Weight of the auxiliary goal loss (manipulation): a goal token regresses where the "
            "demonstration's gripper closes or opens (0: none).",
        ),
    ] = 0.0,
    keypoints: Annotated[
        int,
        typer.Option(
            min=0,
            help="Spatial soft-argmax keypoints per camera, each a context token (cnn vision; 0: none).",
        ),
    ] = 0,
    goal_source: Annotated[
        str,
        typer.Option(
            help="What the goal head reads: token (a goal token after the encoder) or keypoints "
            "(keypoint 0 of every camera and the hand's position; needs --keypoints).",
        ),
    ] = "token",
    keypoint_readout: Annotated[
        str,
        typer.Option(
            help="How a keypoint heatmap becomes a point: mean (soft-argmax over all cells) or peak "
            "(soft-argmax around the strongest cell).",
        ),
    ] = "mean",
    goal_features: Annotated[
        bool,
        typer.Option(
            "--goal-features",
            help="The goal head also reads the image features under keypoint 0 (what the object stands "
            "on; needs --goal-source keypoints).",
        ),
    ] = False,
    goal_relative: Annotated[
        bool,
        typer.Option(
            "--goal-relative",
            help="The goal token also reads the goal minus the hand's position "
            "(needs --goal-source keypoints).",
        ),
    ] = False,
    position_targets: Annotated[
        bool,
        typer.Option(
            "--position-targets",
            help="Arm chunks say where the hand should be after each step (relative to where it is), "
            "not per-step deltas (manipulation only).",
        ),
    ] = False,
    goal_frame: Annotated[
        bool,
        typer.Option(
            "--goal-frame",
            help="With --position-targets: those positions are relative to the goal in the goal token "
            "(where the gripper will act), not to the hand (needs --goal-source keypoints).",
        ),
    ] = False,
    goal_teacher: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of frames whose goal token gets the demonstration's goal (plus --goal-noise-m) "
            "instead of the prediction, teaching the decoder to follow it (needs --goal-source keypoints).",
        ),
    ] = 0.0,
    goal_noise_m: Annotated[
        float, typer.Option(min=0.0, help="Noise (m, per axis) on the --goal-teacher goal.")
    ] = 0.02,
    relabelled_rows: Annotated[
        int,
        typer.Option(
            min=0,
            help="Chunks from relabelled (DAgger) episodes train only their first N rows (0: all): "
            "each label answers one state the learner reached, not a plan.",
        ),
    ] = 0,
    goal_pixel_weight: Annotated[
        float,
        typer.Option(
            min=0.0,
            help="Weight of the dense goal label: head keypoint 0 must find where the demonstration's "
            "gripper acts, placed in the head image by the --scene robot's camera calibration "
            "(needs --goal-source keypoints and --augment-shift 0).",
        ),
    ] = 0.0,
    grounding: Annotated[
        Path | None,
        typer.Option(
            help="Co-train keypoint 0 on these labelled head crops (scripts/grounding_probe.py generate; "
            "needs --keypoints and the same head crop and image size).",
        ),
    ] = None,
    grounding_weight: Annotated[float, typer.Option(min=0.0, help="Weight of the grounding loss.")] = 1.0,
    steps: Annotated[int, typer.Option(min=1, help="Total optimiser steps.")] = 20_000,
    batch_size: Annotated[int, typer.Option(min=1, help="Frames per batch.")] = 64,
    lr: Annotated[float, typer.Option(min=0.0, help="Peak learning rate (AdamW).")] = 3e-4,
    augment_shift: Annotated[
        int,
        typer.Option(min=0, help="Random image shift (px) for augmentation; 0 keeps pixel positions exact."),
    ] = 4,
    val_every: Annotated[int, typer.Option(min=1, help="Steps between validation losses.")] = 500,
    save_every: Annotated[int, typer.Option(min=1, help="Steps between checkpoints.")] = 250,
    rollout_every: Annotated[
        int, typer.Option(min=0, help="Steps between simulator rollouts reporting success (0: none).")
    ] = 0,
    rollout_episodes: Annotated[int, typer.Option(min=1, help="Held-out seeds per skill per rollout.")] = 5,
    scene: Annotated[str, typer.Option(help="Scene of the rollouts.")] = "kitchen-v0",
    device: Annotated[str, typer.Option(help="Torch device: cpu or cuda.")] = "cpu",
    cache_dir: Annotated[
        Path | None, typer.Option(help="Where decoded camera frames are cached (default: OUT.cache).")
    ] = None,
    threads: Annotated[
        int, typer.Option(min=0, help="Torch CPU threads (0: torch's default; 1 is fastest on a shared CPU).")
    ] = 1,
    seed: Annotated[int, typer.Option(min=0, help="Training seed.")] = 0,
    init_from: Annotated[
        Path | None,
        typer.Option(
            help="Start a fresh run from this artifact's weights and normalisation (fine-tuning, e.g. on "
            "DAgger data); the network must have the same shapes, except that a goal head or keypoints "
            "may be added."
        ),
    ] = None,
) -> None:
    """Train a VLA on one skill family; re-running with the same OUT resumes from the last checkpoint."""
    import torch
    from pydantic import ValidationError

    from agentrt.datasets.errors import DatasetError
    from skills.vla.camera import scene_head_camera
    from skills.vla.config import preset
    from skills.vla.train import TrainConfig, train

    try:
        sized: dict[str, object] = {} if image_size is None else {"image_size": image_size}
        if crop is not None:
            sized["crops"] = _parse_crops(crop)
        if goal_weight:
            sized["goal_weight"] = goal_weight
        if keypoints:
            sized["keypoints"] = keypoints
        if goal_source != "token":
            sized["goal_source"] = goal_source
        if keypoint_readout != "mean":
            sized["keypoint_readout"] = keypoint_readout
        if goal_relative:
            sized["goal_relative"] = True
        if goal_features:
            sized["goal_features"] = True
        if position_targets:
            sized["position_targets"] = True
        if goal_frame:
            sized["goal_frame"] = True
        model = preset(family, head=head, vision=vision, chunk_size=chunk_size, seed=seed, **sized)
        cfg = TrainConfig(
            data=data,
            out=out,
            model=model,
            steps=steps,
            batch_size=batch_size,
            lr=lr,
            augment_shift=augment_shift,
            val_every=val_every,
            save_every=save_every,
            rollout_every=rollout_every,
            device=device,
            cache_dir=cache_dir,
            seed=seed,
            init_from=init_from,
            goal_pixel_weight=goal_pixel_weight,
            grounding=grounding,
            grounding_weight=grounding_weight,
            goal_teacher=goal_teacher,
            goal_noise_m=goal_noise_m,
            relabelled_rows=relabelled_rows,
            head_camera=scene_head_camera(scene) if goal_pixel_weight else None,
        )
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
    if threads:
        torch.set_num_threads(threads)
    rollout = make_rollout(model.skills, rollout_episodes, scene) if rollout_every else None
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


__all__ = ["app", "make_rollout", "train_controller", "train_vla"]
