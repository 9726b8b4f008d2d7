"""Train a VLA on a LeRobot v3 dataset; a killed run resumes from its last checkpoint.

Files next to ``out`` (a base path without suffix):

- ``OUT.safetensors`` + ``OUT.json``: the artifact (:mod:`skills.vla.artifact`), rewritten at
  every checkpoint, so the latest weights are always loadable with ``load_policy``;
- ``OUT.train.pt``: model, optimiser, schedule, step, sampler state and normalisation
  statistics; when it exists (and the model config matches) training continues from it;
- ``OUT.log.jsonl``: one line per validation/rollout (step, losses, rollout metrics);
- ``OUT.cache/`` (or ``cache_dir``): decoded, resized camera frames
  (:func:`skills.vla.data.load_training_data`); keep it out of the repo when OUT is there.

Every ``val_every`` steps the loss and the chunk L1 error (normalised units) are measured
on held-out episodes; every ``rollout_every`` steps the optional ``rollout(policy)`` callback
(e.g. simulator rollouts reporting success) is called with the current policy.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field, model_validator
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from skills.vla.artifact import save_policy
from skills.vla.camera import PinholeCamera, crop_points
from skills.vla.config import EE_POS, VLAConfig
from skills.vla.data import TrainingData, load_training_data
from skills.vla.grounding_crops import Grounding
from skills.vla.init_from import carry_source_parts, load_source, load_source_weights, source_stats
from skills.vla.model import VLAModel
from skills.vla.normalize import Normalizer, NormStats
from skills.vla.policy import InstructionEncoder, VLAPolicy

FAR_M = 0.10
"""End-effector distance (m) from the goal beyond which a frame counts in ``val/goal_err_far_m``."""

Rollout = Callable[[VLAPolicy], dict[str, float]]
"""Simulator evaluation of the current policy -> metrics (e.g. ``{"pick/success": 0.8}``)."""


class TrainConfig(BaseModel):
    """One training run; its fields are the ``agentrt train vla`` options."""

    model_config = ConfigDict(extra="forbid")

    data: Path = Field(description="LeRobot v3 dataset root")
    out: Path = Field(description="artifact base path: OUT.safetensors, OUT.json, OUT.train.pt, ...")
    model: VLAConfig
    steps: int = Field(default=20_000, ge=1, description="total optimiser steps")
    batch_size: int = Field(default=64, ge=1)
    lr: float = Field(default=3e-4, gt=0)
    weight_decay: float = Field(default=1e-4, ge=0)
    warmup_steps: int = Field(default=500, ge=0, description="linear warm-up, then cosine decay to 10%")
    grad_clip: float = Field(default=1.0, gt=0)
    val_fraction: float = Field(default=0.1, ge=0, lt=1, description="episodes held out for validation")
    val_every: int = Field(default=500, ge=1)
    val_batches: int = Field(default=4, ge=1)
    rollout_every: int = Field(default=0, ge=0, description="steps between rollouts (0: none)")
    save_every: int = Field(default=250, ge=1, description="steps between checkpoints")
    augment_shift: int = Field(default=4, ge=0, description="random image shift (px), DrQ style")
    pretrained: bool = Field(default=True, description="ImageNet weights for an EfficientNet trunk")
    device: str = Field(default="cpu", description="torch device, e.g. cpu or cuda")
    cache_dir: Path | None = Field(default=None, description="decoded-frame cache (default OUT.cache)")
    seed: int = Field(default=0, ge=0)
    init_from: Path | None = Field(
        default=None,
        description="artifact whose weights and normalisation statistics start a fresh run (fine-tuning);"
        " its network must have the same shapes, except for parts this config adds or changes (the"
        " state projection of a new state encoding, e.g. sin/cos yaw, starts afresh with the data's"
        " state statistics). Its depth goal and object pointer, fitted by separate"
        " scripts, are kept unless the model config sets its own (:func:`carry_source_parts`)",
    )

    goal_pixel_weight: float = Field(
        default=0.0,
        ge=0.0,
        description="weight of the dense goal label: head keypoint 0's cross-entropy against the cell "
        "where the goal appears in the head crop (needs goal_source='keypoints', head_camera and "
        "augment_shift=0, since a shifted image would move the label)",
    )
    head_camera: PinholeCamera | None = Field(
        default=None, description="head camera calibration (base frame) that places goals in the image"
    )

    grounding: Path | None = Field(
        default=None,
        description="labelled head crops (.npz of `agentrt vla grounding-crops`) to co-train "
        "keypoint 0 on: finding the named object in many more scenes than the demonstrations show",
    )
    grounding_weight: float = Field(default=1.0, ge=0.0, description="weight of the grounding loss")

    goal_teacher: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="share of the frames with a goal whose goal token gets the demonstration's goal "
        "(plus goal_noise_m of noise) instead of the prediction, so the action decoder learns to "
        "follow the goal (needs goal_source='keypoints')",
    )
    goal_noise_m: float = Field(
        default=0.02, ge=0.0, description="standard deviation (m, per axis) of the teacher goal's noise"
    )
    relabelled_rows: int = Field(
        default=0,
        ge=0,
        description="chunks from relabelled (DAgger) episodes train only their first this many rows "
        "(0: all rows): each label answers one state the learner reached, not a plan",
    )

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        m = self.model
        if self.grounding is not None and not (m.keypoints and "head" in m.cameras):
            raise ValueError(
                "grounding needs keypoints and a head camera, "
                f"got keypoints={m.keypoints}, cameras={m.cameras}"
            )
        if self.goal_pixel_weight and not (
            m.goal_source == "keypoints" and "head" in m.cameras and self.head_camera is not None
        ):
            raise ValueError(
                "goal_pixel_weight > 0 needs goal_source='keypoints', a head camera and its calibration, "
                f"got goal_source={m.goal_source!r}, cameras={m.cameras}, head_camera={self.head_camera}"
            )
        if self.goal_teacher and m.goal_source != "keypoints":
            raise ValueError(
                "goal_teacher > 0 needs goal_source='keypoints' (the goal token reads a goal), "
                f"got {m.goal_source!r}"
            )
        if self.goal_pixel_weight and self.augment_shift:
            raise ValueError("goal_pixel_weight > 0 needs augment_shift=0: a shifted image moves the label")
        return self

    def path(self, suffix: str) -> Path:
        return self.out.with_name(self.out.name + suffix)


def random_shift(images: torch.Tensor, pad: int, generator: torch.Generator) -> torch.Tensor:
    """Shift each ``(B, K, 3, S, S)`` image by up to ``pad`` px (edge-replicated), per sample and camera."""
    if pad == 0:
        return images
    b, k, c, s, _ = images.shape
    flat = F.pad(images.flatten(0, 1), (pad, pad, pad, pad), mode="replicate")
    dx, dy = torch.randint(0, 2 * pad + 1, (2, b * k), generator=generator).tolist()
    out = torch.stack([flat[i, :, y : y + s, x : x + s] for i, (x, y) in enumerate(zip(dx, dy, strict=True))])
    return out.view(b, k, c, s, s)


class Batches:
    """Turns frame indices into model inputs: images, text embeddings, state and target chunks."""

    def __init__(
        self,
        data: TrainingData,
        text_table: torch.Tensor,
        normalizer: Normalizer,
        goal_pixels: tuple[np.ndarray, np.ndarray] | None = None,
        position_targets: bool = False,
    ) -> None:
        self.data, self.text_table, self.normalizer = data, text_table, normalizer
        self.goal_pixels = goal_pixels
        self.position_targets = position_targets

    def __call__(self, idx: np.ndarray, shift: int, generator: torch.Generator, device: str) -> dict:
        idx = np.sort(idx)
        d = self.data
        # uint8 crosses to the device; scaling and the shift run there
        images = torch.from_numpy(np.ascontiguousarray(d.images[idx])).to(device).float().div_(255.0)
        batch = {
            "text": self.text_table[torch.from_numpy(d.text_ids[idx])],
            "state": self.normalizer.state(torch.from_numpy(d.states[idx])),
            "target": self.normalizer.action(torch.from_numpy(d.targets(idx, self.position_targets))),
            "valid": torch.from_numpy(d.chunk_valid[idx]),
        }
        if d.goals is not None and d.goal_valid is not None:
            batch["goal"] = self.normalizer.goal(torch.from_numpy(d.goals[idx]))
            batch["goal_valid"] = torch.from_numpy(d.goal_valid[idx])
        if self.goal_pixels is not None:
            batch["goal_pixel"] = torch.from_numpy(self.goal_pixels[0][idx])
            batch["goal_pixel_valid"] = torch.from_numpy(self.goal_pixels[1][idx])
        return {
            "images": random_shift(images, shift, generator),
            **{k: v.to(device) for k, v in batch.items()},
        }


def training_stats(data: TrainingData, idx: np.ndarray, position_targets: bool = False) -> NormStats:
    """Normalisation statistics of the frames ``idx``: their states, and the actions the chunks
    must predict (with ``position_targets``, every valid row of their chunks, whose arm xyz are
    running sums and so spread wider than one step's delta)."""
    if not position_targets:
        return NormStats.from_arrays(data.states[idx], data.actions[idx])
    rows = data.targets(idx, True)[data.chunk_valid[idx]]
    return NormStats.from_arrays(data.states[idx], rows)


def goal_pixels(
    data: TrainingData, camera: PinholeCamera, crop: tuple[float, float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Where each frame's goal appears in the head camera's crop: ``(N, 2)`` float32 ``(x, y)`` in
    ``[-1, 1]`` and ``(N,)`` validity (a goal, in front of the camera and inside the crop)."""
    if data.goals is None or data.goal_valid is None:
        raise ValueError("goal pixels need a model with a goal head (goal_weight > 0)")
    xy, seen = crop_points(camera, data.goals, crop)
    return xy, data.goal_valid & seen


def _schedule(cfg: TrainConfig) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        progress = (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps)
        return 0.1 + 0.45 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    return factor


@torch.no_grad()
def validate(model: VLAModel, batches: Batches, val_idx: np.ndarray, cfg: TrainConfig) -> dict[str, float]:
    """Mean loss and chunk L1 (normalised units, valid rows) over fixed held-out batches.

    A model with a goal head also gets ``val/goal_err_m``: the mean distance (m) between the
    goal it predicts and the demonstration's, over frames that have one; and
    ``val/goal_err_far_m``, the same over frames whose end effector is still more than
    :data:`FAR_M` from that goal (where the cameras, not the arm's position, must find it:
    the error that decides which object a pick goes to).
    """
    model.eval()
    order = np.random.default_rng(cfg.seed).permutation(val_idx)
    losses, l1s, goal_errs, far = [], [], [], []
    std = batches.normalizer.state_std[EE_POS]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        gen = torch.Generator().manual_seed(cfg.seed)
        for i in range(cfg.val_batches):
            idx = order[i * cfg.batch_size : (i + 1) * cfg.batch_size]
            if len(idx) == 0:
                break
            b = batches(idx, 0, gen, cfg.device)
            loss, _ = model.loss(**b, pixel_weight=cfg.goal_pixel_weight)
            pred = model.predict(b["images"], b["text"], b["state"], generator=gen.manual_seed(cfg.seed))
            err = (pred - b["target"].clamp(-1, 1)).abs().mean(-1)
            losses.append(float(loss))
            l1s.append(float((err * b["valid"]).sum() / b["valid"].sum().clamp_min(1)))
            if "goal" in b and b["goal_valid"].any():
                goal, ok = b["goal"].cpu(), b["goal_valid"].cpu()
                metres = (model.predict_goal(b["images"], b["text"], b["state"]).cpu() - goal) * std
                goal_errs.append(metres.norm(dim=-1)[ok])
                ee = b["state"].cpu()[:, EE_POS]  # standardised with the same statistics
                far.append((((ee - goal) * std).norm(dim=-1) > FAR_M)[ok])
    model.train()
    out = {"val/loss": float(np.mean(losses)), "val/chunk_l1": float(np.mean(l1s))}
    if goal_errs:
        errs = torch.cat(goal_errs)
        out["val/goal_err_m"] = float(errs.mean())
        far_errs = errs[torch.cat(far)]
        if len(far_errs):
            out["val/goal_err_far_m"] = float(far_errs.mean())
    return out


def hardware(device: str) -> str:
    """What trained the model, for the model card: the accelerator's name or the CPU and its threads."""
    import platform

    if device.startswith("cuda") and torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(torch.device(device))} (torch {torch.__version__})"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads (torch {torch.__version__})"
    )


def _provenance(
    cfg: TrainConfig, data: TrainingData, train_idx: np.ndarray, step: int, metrics: dict, seconds: float
) -> dict:
    from agentrt.datasets.episodes import code_version

    return {
        "train_seconds": round(seconds, 1),
        "hardware": hardware(cfg.device),
        "data": str(cfg.data),
        "frames": int(len(train_idx)),
        "episodes": int(len(np.unique(data.episodes[train_idx]))),
        "instructions": data.texts,
        "steps": step,
        "seed": cfg.seed,
        "train_config": cfg.model_dump(mode="json", exclude={"model"}),
        "metrics": metrics,
        "code_version": code_version(),
    }


def train(
    cfg: TrainConfig,
    rollout: Rollout | None = None,
    text_encoder: InstructionEncoder | None = None,
    progress: bool = True,
    console: Console | None = None,
) -> VLAPolicy:
    """Train (or continue) the run ``cfg`` describes; returns the final policy (also saved at ``cfg.out``).

    Raises:
        DatasetError: the dataset cannot be read or holds no frame of the model's skills.
        ValueError: a checkpoint exists whose model config differs from ``cfg.model``.
    """
    console = console or Console(stderr=True)
    torch.manual_seed(cfg.seed)
    # -- data: decoded frames (cached), the train/val split, instruction embeddings
    cache = cfg.cache_dir or cfg.path(".cache")
    data = load_training_data(
        cfg.data, cfg.model, cache, progress=progress, relabelled_rows=cfg.relabelled_rows
    )
    train_idx, val_idx = data.split(cfg.val_fraction, cfg.seed)
    if text_encoder is None:
        from skills.vla.text import load_text_encoder

        text_encoder = load_text_encoder()
    text_table = torch.as_tensor(np.asarray(text_encoder.encode(data.texts)), dtype=torch.float32)

    cfg = cfg.model_copy(update={"model": carry_source_parts(cfg.init_from, cfg.model)})
    state_path = cfg.path(".train.pt")
    resume = torch.load(state_path, map_location="cpu", weights_only=True) if state_path.is_file() else None
    if resume is not None and resume["model_config"] != cfg.model.model_dump(mode="json"):
        raise ValueError(
            f"{state_path} was trained with another model config; delete it or use another --out"
        )
    # -- normalisation statistics: the checkpoint's, else the data's (--init-from: skills/vla/init_from.py)
    source = load_source(cfg.init_from, cfg.model) if resume is None else None
    if resume:
        stats = NormStats.model_validate(resume["stats"])
    else:
        stats = source_stats(training_stats(data, train_idx, cfg.model.position_targets), source, cfg.model)
    normalizer = Normalizer(stats)

    # -- the network, from ImageNet vision weights, --init-from, or the checkpoint (below)
    model = VLAModel(cfg.model, pretrained=cfg.pretrained and resume is None and source is None)
    if source is not None:
        load_source_weights(model, source, cfg.model, cfg.init_from)
        console.print(f"initialised from {cfg.init_from} (step {source.provenance.get('steps', '?')})")
    model = model.to(cfg.device)
    if model.pointer is not None:  # trained by `agentrt train pointer`, never here
        model.pointer.requires_grad_(False)

    # -- optimiser, schedule and sampler; resumed as a whole from the checkpoint
    trained = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in trained if p.ndim >= 2 and "pos" not in n and "query" not in n]
    no_decay = [p for n, p in trained if not (p.ndim >= 2 and "pos" not in n and "query" not in n)]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg.lr,
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _schedule(cfg))
    sampler = torch.Generator().manual_seed(cfg.seed)
    step, metrics, seconds_before = 0, {}, 0.0
    if resume is not None:
        model.load_state_dict(resume["model"])
        optimizer.load_state_dict(resume["optimizer"])
        scheduler.load_state_dict(resume["scheduler"])
        sampler.set_state(resume["sampler"])
        step, metrics = int(resume["step"]), json.loads(resume["metrics"])
        seconds_before = float(resume.get("seconds", 0.0))
        console.print(f"resuming {cfg.out} at step {step}")
    # -- batches: demonstrations, goal pixels, and the grounding crops co-trained on
    pixels = None
    if cfg.goal_pixel_weight and cfg.head_camera is not None:
        pixels = goal_pixels(data, cfg.head_camera, cfg.model.crops.get("head"))
        console.print(
            f"goal pixels: {int(pixels[1].sum())} of {len(data)} frames see their goal in the head crop"
        )
    batches = Batches(data, text_table, normalizer, pixels, cfg.model.position_targets)
    grounding = None if cfg.grounding is None else Grounding(cfg.grounding, cfg.model, text_encoder)
    if grounding is not None:
        console.print(f"grounding: co-training keypoint 0 on {len(grounding)} labelled head crops")

    # -- bookkeeping: wall time over sessions, the policy as saved, checkpoints, the log
    noise = cfg.goal_noise_m / normalizer.state_std[EE_POS]  # standardised, per axis
    session_start = time.perf_counter()

    def seconds() -> float:
        """Training wall time over every resumed session (data loading excluded)."""
        return seconds_before + time.perf_counter() - session_start

    def policy() -> VLAPolicy:
        prov = _provenance(cfg, data, train_idx, step, metrics, seconds())
        return VLAPolicy(model, stats, text_encoder=text_encoder, provenance=prov)

    def checkpoint() -> None:
        save_policy(cfg.out, _cpu_policy(policy()))
        model.train()
        state = {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "sampler": sampler.get_state(),
            "step": step,
            "stats": stats.model_dump(),
            "model_config": cfg.model.model_dump(mode="json"),
            "metrics": json.dumps(metrics),
            "seconds": seconds(),
        }
        tmp = state_path.with_name(state_path.name + ".tmp")
        torch.save(state, tmp)
        os.replace(tmp, state_path)

    def log(entry: dict[str, Any]) -> None:
        with cfg.path(".log.jsonl").open("a") as f:
            f.write(json.dumps({"step": step, "time": round(time.time(), 1), **entry}) + "\n")
        console.print(f"step {step}: " + ", ".join(f"{k} {v:.4g}" for k, v in entry.items()))

    console.print(
        f"{cfg.model.name}: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M params, "
        f"head {cfg.model.head}, "
        f"{len(train_idx)} train / {len(val_idx)} val frames, {len(data.texts)} instructions"
    )
    # -- the loop: step, validate, roll out, checkpoint; Ctrl-C checkpoints first
    model.train()
    running: float | None = None
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    try:
        with Progress(
            *columns, TextColumn("{task.fields[info]}"), console=console, disable=not progress
        ) as bar:
            task = bar.add_task(f"train {cfg.model.name}", total=cfg.steps, completed=step, info="")
            started, first = time.perf_counter(), step
            while step < cfg.steps:
                idx = train_idx[torch.randint(len(train_idx), (cfg.batch_size,), generator=sampler).numpy()]
                b = batches(idx, cfg.augment_shift, sampler, cfg.device)
                loss, _ = model.loss(
                    **b, pixel_weight=cfg.goal_pixel_weight, goal_teacher=cfg.goal_teacher, goal_noise=noise
                )
                if grounding is not None:
                    loss = loss + cfg.grounding_weight * model.grounding_loss(
                        **grounding(cfg.batch_size, sampler, cfg.device)
                    )
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
                optimizer.step()
                scheduler.step()
                step += 1
                value = float(loss.detach())
                running = value if running is None else 0.98 * running + 0.02 * value
                rate = (step - first) / (time.perf_counter() - started)
                bar.update(task, completed=step, info=f"loss {running:.4f}  {rate:.2f} steps/s")
                if len(val_idx) and (step % cfg.val_every == 0 or step == cfg.steps):
                    metrics.update(validate(model, batches, val_idx, cfg), **{"train/loss": running})
                    metrics["steps_per_s"] = rate
                    keys = ("train/loss", "val/loss", "val/chunk_l1", "val/goal_err_m", "val/goal_err_far_m")
                    keys += ("steps_per_s",)
                    log({k: metrics[k] for k in keys if k in metrics})
                if rollout is not None and cfg.rollout_every and step % cfg.rollout_every == 0:
                    results = _run_rollout(rollout, _cpu_policy(policy()), console)
                    model.train()
                    metrics.update(results)
                    log(results)
                if step % cfg.save_every == 0 or step == cfg.steps:
                    checkpoint()
    except KeyboardInterrupt:
        checkpoint()
        console.print(f"interrupted: checkpoint at step {step} in {cfg.out}; run again to resume")
        raise
    return _cpu_policy(policy())


def _run_rollout(rollout: Rollout, policy: VLAPolicy, console: Console) -> dict[str, float]:
    """``rollout(policy)`` with keys prefixed ``rollout/``; a failing rollout is reported, not fatal."""
    try:
        return {f"rollout/{k}": float(v) for k, v in rollout(policy).items()}
    except Exception as exc:  # the simulator evaluation is advisory; training goes on
        console.print(f"[yellow]rollout failed: {type(exc).__name__}: {exc}[/]")
        return {"rollout/failed": 1.0}


def _cpu_policy(policy: VLAPolicy) -> VLAPolicy:
    """The same policy with its model on the CPU (a no-op when training on the CPU)."""
    if next(policy.model.parameters()).device.type == "cpu":
        return policy
    import copy

    model = copy.deepcopy(policy.model).cpu()
    return VLAPolicy(model, policy.stats, text_encoder=policy._text_encoder, provenance=policy.provenance)
