"""Evaluate a trained controller and ship it into ``controllers/checkpoints/`` with a model card.

    python scripts/ship_controller.py runs/train/a1-locomotion/a1-locomotion --name a1-locomotion \
        --train-command "agentrt train controller a1-locomotion --out runs/train/a1-locomotion --envs 4"

The card records the recipe, steps, wall time and hardware from the artifact's
provenance, the exact training command, and the tracking metrics measured here
(10 simulated minutes of random commands on each of ``--seeds``), next to the same
metrics for the open-loop trot generator alone (the residual set to zero), so the card
shows what learning added.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from controllers.artifact import load_artifact
from controllers.catalog import CHECKPOINTS
from controllers.locomotion.controller import LocomotionController, open_loop_policy
from controllers.locomotion.env import LocomotionEnvConfig
from controllers.locomotion.evaluate import TrackingReport, evaluate_tracking


def measure(
    controller: LocomotionController, seeds: list[int], minutes: float
) -> tuple[list[TrackingReport], float]:
    start = time.perf_counter()
    reports = [evaluate_tracking(controller, minutes=minutes, seed=s) for s in seeds]
    return reports, time.perf_counter() - start


def row(label: str, reports: list[TrackingReport]) -> str:
    mean = {k: float(np.mean([getattr(r, k) for r in reports])) for k in ("rmse_vx", "rmse_vy", "rmse_wz")}
    falls = sum(r.falls for r in reports)
    minutes = sum(r.sim_minutes for r in reports)
    return (
        f"| {label} | {mean['rmse_vx']:.3f} | {mean['rmse_vy']:.3f} | {mean['rmse_wz']:.3f} "
        f"| {falls} in {minutes:.0f} min |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifact", type=Path)
    parser.add_argument("--name", required=True)
    parser.add_argument("--train-command", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    policy = load_artifact(args.artifact)
    learned, wall = measure(LocomotionController(policy), args.seeds, args.minutes)
    open_loop = LocomotionController(
        open_loop_policy(LocomotionEnvConfig.model_validate(policy.meta.env_config))
    )
    prior, _ = measure(open_loop, args.seeds, args.minutes)
    for report in learned:
        print("learned", report.as_dict())
    for report in prior:
        print("prior  ", report.as_dict())
    CHECKPOINTS.mkdir(parents=True, exist_ok=True)
    for suffix in (".safetensors", ".json"):
        shutil.copyfile(args.artifact.with_suffix(suffix), CHECKPOINTS / f"{args.name}{suffix}")
    prov = policy.meta.provenance
    size_kb = (CHECKPOINTS / f"{args.name}.safetensors").stat().st_size / 1024
    card = f"""# {args.name}

A {policy.meta.kind} controller for the `{policy.meta.env_config.get("robot")}` quadruped, trained with the
recipe `{policy.meta.recipe}` (`controllers/recipes/{policy.meta.recipe.replace("-", "_")}.py`): PPO
(stable-baselines3) learning a joint-angle residual on a trot trajectory generator. Observation and
action conventions: `controllers/locomotion/terms.py`. Input: velocity command (vx, vy m/s; wz rad/s),
output: 12 joint targets (rad) at 50 Hz for joint PD at 200 Hz.

## Training

- Command: `{args.train_command}`
- Steps: {prov.get("steps"):,} environment steps, {prov.get("envs")} environments, seed {prov.get("seed")}
- Wall time: {prov.get("wall_time_s", 0) / 60:.1f} min on {prov.get("hardware")} (shared with other work)
- Code version: `{prov.get("code_version")}`
- Network: MLP {policy.meta.hidden} ({policy.meta.activation}), weights {size_kb:.0f} KB

## Evaluation

`agentrt eval-controller {args.name} --minutes {args.minutes:g} --seed S` for S in {args.seeds}: flat ground,
commands vx ∈ [−0.3, 0.8] m/s and wz ∈ [−0.8, 0.8] rad/s (vy = 0) redrawn every 3–8 s, sent at 10 Hz
through the command bridge; RMSE against the bridged command, excluding 1 s after each change.
Measured {time.strftime("%Y-%m-%d")} ({wall:.0f} s wall for the learned rows).

| controller | RMSE vx (m/s) | RMSE vy (m/s) | RMSE wz (rad/s) | falls |
|---|---|---|---|---|
{row("learned residual", learned)}
{row("trot generator alone", prior)}

Targets (issue 5): RMSE ≤ 0.15 m/s and ≤ 0.2 rad/s, no fall in 10 simulated minutes.

## Limits

Trained and evaluated in PyBullet only; the observation includes the trunk's linear velocity, which a
real robot must estimate. Mild randomisation only (friction 0.6–1.2, trunk mass −0.5…+1.5 kg, pushes up
to 0.3 m/s, 2 cm bumps).
"""
    (CHECKPOINTS / f"{args.name}.md").write_text(card)
    print(card)
    return 0


if __name__ == "__main__":
    sys.exit(main())
