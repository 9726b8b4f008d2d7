"""Evaluate a trained controller and ship it into ``controllers/checkpoints/`` with a model card.

    agentrt ship controller runs/train/a1-locomotion/a1-locomotion --name a1-locomotion \
        --train-command "agentrt train controller a1-locomotion --out runs/train/a1-locomotion --envs 4"
    agentrt ship controller runs/train/humanoid-balance/humanoid-balance --name humanoid-balance \
        --train-command "agentrt train controller humanoid-balance --out runs/train/humanoid-balance" \
        --minutes 1 --trials 20

A balance artifact gets a balance card instead (see :func:`ship_balance`): standing and
pushed runs, the impulse-recovery curve as a table and ``NAME-push.png``, each next to
the posture prior alone.

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

from agentrt.core.exit_codes import EXIT_BAD_INPUT
from controllers.artifact import ArtifactError, Policy, load_artifact
from controllers.balance.controller import BalanceController
from controllers.balance.evaluate import STATED_PUSH_IMPULSE_NS
from controllers.catalog import CHECKPOINTS
from controllers.locomotion.controller import LocomotionController, open_loop_policy
from controllers.locomotion.env import LocomotionEnvConfig
from controllers.locomotion.evaluate import TrackingReport, evaluate_tracking
from controllers.measure import bench_balance, plot_curve


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


def ship_balance(args: argparse.Namespace, policy: Policy) -> int:
    """Evaluate a balance artifact against its posture prior, copy it and write its card and curve."""

    bench_args = argparse.Namespace(
        controller=args.name,
        minutes=args.minutes,
        seeds=args.seeds,
        impulses=args.impulses,
        trials=args.trials,
        push_impulse=args.push_impulse,
    )
    start = time.perf_counter()
    summary = bench_balance(BalanceController(policy), bench_args)
    wall = time.perf_counter() - start
    args.dest.mkdir(parents=True, exist_ok=True)
    for suffix in (".safetensors", ".json"):
        shutil.copyfile(args.artifact.with_suffix(suffix), args.dest / f"{args.name}{suffix}")
    png = args.dest / f"{args.name}-push.png"
    title = f"{args.name}: push recovery, {args.trials} trials per impulse"
    plot_curve(summary, ("learned", "pd_prior"), title, png)
    (args.dest / f"{args.name}.md").write_text(balance_card(args, policy, summary, wall))
    print((args.dest / f"{args.name}.md").read_text())
    return 0


def balance_card(args: argparse.Namespace, policy: Policy, summary: dict, wall: float) -> str:
    """The model card of a balance controller from :func:`bench_balance`'s ``summary``."""
    prov = policy.meta.provenance
    size_kb = (args.dest / f"{args.name}.safetensors").stat().st_size / 1024
    learned, prior = summary["learned"], summary["pd_prior"]
    rnd = policy.meta.env_config["randomization"]

    def rows(key: str, fmt: str) -> str:
        return "\n".join(
            f"| {label} | " + " | ".join(format(v, fmt) for v in data[key]) + " |"
            for label, data in (("learned residual", learned), ("PD posture prior alone", prior))
        )

    def line(label: str, data: dict) -> str:
        return (
            f"| {label} | {data['standing_falls']} in {data['standing_minutes']:g} min "
            f"| {data['rmse_height']:.3f} | {data['rmse_roll']:.3f} | {data['rmse_pitch']:.3f} "
            f"| {data['stated_recovery']:.2f} ({data['pushes']} pushes) | {data['pushed_falls']} |"
        )

    impulses = " | ".join(f"{v:g}" for v in learned["push_impulse"])
    impulse_args = " ".join(f"{v:g}" for v in args.impulses)
    header = (
        "| controller | falls standing | RMSE height (m) | RMSE roll (rad) | RMSE pitch (rad) "
        f"| recovered at {args.push_impulse:g} N·s | falls pushed |"
    )
    return f"""# {args.name}

A balance controller for the DeepMimic humanoid of `pybullet_data` (`humanoid/humanoid.urdf`, 1.6 m,
45 kg, 28 joint DOF; `scenes/robots/humanoid.py`), trained with the recipe `{policy.meta.recipe}`
(`controllers/recipes/{policy.meta.recipe.replace("-", "_")}.py`): PPO (stable-baselines3) learning a
low-pass filtered joint residual (≤ {policy.meta.env_config.get("residual_scale")} rad) on a posture prior
(leg inverse kinematics keeping the centre of mass over the feet, held by the joint motors).
Input: `PostureCommand` (pelvis height m, trunk roll and pitch rad) within the envelope
{policy.meta.env_config.get("envelope")}; output: 28 joint targets (rad) at 50 Hz for the joint motors
at 200 Hz. Observation and reward: `controllers/balance/terms.py`. **It does not walk**: it takes
posture commands only (`rmse_vx`, `rmse_vy`, `rmse_wz` are null in its evaluation).

Why this model: its box feet and 3-DOF ankles let it stand on ankle torque, so a PD prior alone
already stands and learning only has to add push recovery; the MJCF humanoids stand on ball feet with
no ankle and would have to learn balance from scratch on 2 cores.

## Training

- Command: `{args.train_command}`
- Steps: {prov.get("steps"):,} environment steps, {prov.get("envs")} environments, seed {prov.get("seed")}
- Wall time: {prov.get("wall_time_s", 0) / 60:.1f} min on {prov.get("hardware")} (shared with other work)
- Code version: `{prov.get("code_version")}`
- Network: MLP {policy.meta.hidden} ({policy.meta.activation}), weights {size_kb:.0f} KB

## Evaluation

Measured {time.strftime("%Y-%m-%d")} ({wall:.0f} s wall in all), each run through the deployed stack
(`ControlledRobot`: posture bridge fed at 10 Hz, controller at 50 Hz, fall interlock), postures drawn in
the envelope every 3–8 s (nominal one time in three). Standing: {args.minutes:g} simulated minute(s) on
each of seeds {args.seeds}, no pushes. Pushed: the same with a planar {args.push_impulse:g} N·s impulse on the
pelvis (one physics step, random direction) every 4–8 s, recovered = no fall within 3 s
(`agentrt eval controller {args.name} --minutes {args.minutes:g} --seed S --json`).

{header}
|---|---|---|---|---|---|---|
{line("learned residual", learned)}
{line("PD posture prior alone", prior)}

Impulse–recovery curve (`python scripts/bench_controllers.py {args.name} --minutes {args.minutes:g}
--trials {args.trials} --impulses {impulse_args} --push-impulse {args.push_impulse:g}
--plot controllers/checkpoints/{args.name}-push.png`): the robot stands 1 s in a
random posture, is pushed once, recovered = no fall within 3 s; {args.trials} trials per impulse, the same
postures and directions for both controllers.

| impulse (N·s) | {impulses} |
|{"---|" * (len(learned["push_impulse"]) + 1)}
{rows("push_recovery_rate", ".2f")}

![push recovery]({args.name}-push.png)

Inference: `act()` (posture prior, observation packing, MLP) takes {summary["inference_ms_p50"]:.2f} ms
median on one CPU core.

Targets (issue 5): stand 60 simulated seconds without falling; recover from ≥ 80% of pushes of the
stated impulse ({args.push_impulse:g} N·s).

## Limits

Trained and evaluated in PyBullet only, flat ground; the observation includes the pelvis's linear
velocity, which a real robot must estimate. The joints are PyBullet's implicit position motors (explicit
torque PD diverges on this model's light feet and hands at 200 Hz). Randomisation in the last training
stage: ground friction {rnd["friction"]}, pelvis mass {rnd["added_mass_kg"]} kg added, pushes of
{rnd["pushes"]["impulse_ns"]} N·s every ~{rnd["pushes"]["interval_s"]} s. No stepping: pushes beyond what
ankle, hip and arm strategies can absorb end in a fall.
"""


def main(argv: list[str] | None = None) -> int:
    """``agentrt ship controller``: evaluate, copy and write the card; exit 2 on an unloadable artifact."""
    parser = argparse.ArgumentParser(prog="agentrt ship controller", description=__doc__.splitlines()[0])
    parser.add_argument("artifact", type=Path)
    parser.add_argument("--name", required=True)
    parser.add_argument(
        "--dest", type=Path, default=CHECKPOINTS, help="where to ship (default: the shipped folder)"
    )
    parser.add_argument("--train-command", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--impulses", type=float, nargs="+", default=[0, 10, 20, 30, 40, 50])
    parser.add_argument("--trials", type=int, default=20, help="balance: pushes per impulse")
    parser.add_argument("--push-impulse", type=float, default=STATED_PUSH_IMPULSE_NS, help="balance: N·s")
    args = parser.parse_args(argv)
    try:
        policy = load_artifact(args.artifact)
    except (ArtifactError, OSError) as exc:
        print(f"ship controller: cannot load {args.artifact}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if policy.meta.kind == "balance":
        return ship_balance(args, policy)
    learned, wall = measure(LocomotionController(policy), args.seeds, args.minutes)
    open_loop = LocomotionController(
        open_loop_policy(LocomotionEnvConfig.model_validate(policy.meta.env_config))
    )
    prior, _ = measure(open_loop, args.seeds, args.minutes)
    for report in learned:
        print("learned", report.as_dict())
    for report in prior:
        print("prior  ", report.as_dict())
    args.dest.mkdir(parents=True, exist_ok=True)
    for suffix in (".safetensors", ".json"):
        shutil.copyfile(args.artifact.with_suffix(suffix), args.dest / f"{args.name}{suffix}")
    prov = policy.meta.provenance
    size_kb = (args.dest / f"{args.name}.safetensors").stat().st_size / 1024
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

`agentrt eval controller {args.name} --minutes {args.minutes:g} --seed S` for S in {args.seeds}: flat ground,
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
    (args.dest / f"{args.name}.md").write_text(card)
    print(card)
    return 0


if __name__ == "__main__":
    sys.exit(main())
