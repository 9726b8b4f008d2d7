"""Benchmark a controller: tracking (or posture) errors, falls, push-recovery curve, inference time.

    python scripts/bench_controllers.py a1-locomotion --minutes 10 --seeds 0 1 2 --plot push.png
    python scripts/bench_controllers.py humanoid-balance --minutes 1 --seeds 0 1 2 --plot push.png

Prints one line per measurement and a JSON summary; compares against the prior alone (the
open-loop trot generator, or the humanoid's posture prior: the residual forced to zero)
so the figures show what learning added.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from controllers.balance.controller import BalanceController, pd_prior_policy
from controllers.balance.evaluate import STATED_PUSH_IMPULSE_NS, evaluate_balance, evaluate_push_recovery
from controllers.catalog import load_controller
from controllers.locomotion.controller import LocomotionController, open_loop_policy
from controllers.locomotion.evaluate import evaluate_push_recovery as evaluate_walking_push_recovery
from controllers.locomotion.evaluate import evaluate_tracking
from scenes.robots.legged import LeggedState


def inference_ms(controller: LocomotionController, n: int = 2000) -> float:
    """Median wall time (ms) of one ``act`` call: observation packing, MLP, gait IK."""
    z = np.zeros(12)
    state = LeggedState(
        np.zeros(3),
        np.array([0, 0, 0, 1.0]),
        np.zeros(3),
        np.zeros(3),
        np.array([0, 0, -1.0]),
        controller.default_q.copy(),
        z,
        z,
    )
    from controllers.commands import VelocityCommand

    times = []
    for _ in range(n):
        start = time.perf_counter()
        controller.act(state, VelocityCommand(vx=0.3))
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def balance_inference_ms(controller: BalanceController, n: int = 2000) -> float:
    """Median wall time (ms) of one balance ``act`` call: posture prior, observation packing, MLP."""
    from controllers.commands import PostureCommand

    z = np.zeros(28)
    state = LeggedState(
        np.array([0, 0, 0.85]),
        np.array([0, 0, 0, 1.0]),
        np.zeros(3),
        np.zeros(3),
        np.array([0, 0, -1.0]),
        z,
        z,
        z,
    )
    times = []
    for i in range(n):
        start = time.perf_counter()
        controller.act(state, PostureCommand(height_m=0.8 + 0.01 * (i % 5)))  # the prior recomputed too
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def bench_balance(learned: BalanceController, args: argparse.Namespace) -> dict[str, object]:
    """Standing without pushes, pushes of the stated impulse, and the impulse-recovery curve."""
    baseline = BalanceController(pd_prior_policy(learned.env_config))
    summary: dict[str, object] = {"controller": args.controller}
    for label, ctrl in (("learned", learned), ("pd_prior", baseline)):
        standing = [evaluate_balance(ctrl, minutes=args.minutes, seed=s) for s in args.seeds]
        pushed = [
            evaluate_balance(ctrl, minutes=args.minutes, seed=s, push_impulse=args.push_impulse)
            for s in args.seeds
        ]
        for seed, a, b in zip(args.seeds, standing, pushed, strict=True):
            print(f"{label:9s} seed {seed}: standing {a.as_dict()}", flush=True)
            print(f"{label:9s} seed {seed}: pushed {b.as_dict()}", flush=True)
        curve = evaluate_push_recovery(ctrl, args.impulses, trials=args.trials, seed=0)
        print(f"{label:9s} push recovery: {curve.as_dict()}", flush=True)
        resolved = sum(r.pushes for r in pushed)
        summary[label] = {
            "standing_falls": int(sum(r.falls for r in standing)),
            "standing_minutes": float(sum(r.sim_minutes for r in standing)),
            "rmse_height": float(np.mean([r.rmse_height for r in standing])),
            "rmse_roll": float(np.mean([r.rmse_roll for r in standing])),
            "rmse_pitch": float(np.mean([r.rmse_pitch for r in standing])),
            "pushed_falls": int(sum(r.falls for r in pushed)),
            "pushes": resolved,
            "stated_impulse": args.push_impulse,
            "stated_recovery": float(
                sum((r.push_recovery_rate or 0.0) * r.pushes for r in pushed) / max(resolved, 1)
            ),
            **curve.as_dict(),
        }
    summary["inference_ms_p50"] = round(balance_inference_ms(learned), 3)
    return summary


def plot_curve(summary: dict[str, object], labels: tuple[str, str], title: str, path: Path) -> None:
    """The impulse-recovery curves of ``labels`` (keys of ``summary``) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=120)
    for label in labels:
        data = summary[label]
        ax.plot(data["push_impulse"], data["push_recovery_rate"], marker="o", label=label.replace("_", " "))
    ax.set_xlabel("push impulse on the trunk (N·s)")
    ax.set_ylabel("recovered (no fall in 3 s)")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    print(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("controller", help="shipped name or artifact path")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--impulses", type=float, nargs="+", default=[0, 5, 10, 15, 20, 25, 30])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--plot", type=Path, default=None, help="write the push-recovery curve as PNG")
    parser.add_argument(
        "--push-impulse",
        type=float,
        default=STATED_PUSH_IMPULSE_NS,
        help="balance: impulse of the pushed runs",
    )
    args = parser.parse_args()
    learned = load_controller(args.controller)
    if isinstance(learned, BalanceController):
        summary = bench_balance(learned, args)
        print(json.dumps(summary))
        if args.plot is not None:
            title = f"{args.controller}: push recovery, {args.trials} trials per impulse"
            plot_curve(summary, ("learned", "pd_prior"), title, args.plot)
        return 0
    assert isinstance(learned, LocomotionController)
    baseline = LocomotionController(open_loop_policy(learned.env_config))
    summary: dict[str, object] = {"controller": args.controller}
    for label, ctrl in (("learned", learned), ("open_loop", baseline)):
        reports = [evaluate_tracking(ctrl, minutes=args.minutes, seed=s) for s in args.seeds]
        for seed, rep in zip(args.seeds, reports, strict=True):
            print(f"{label:9s} seed {seed}: {rep.as_dict()}", flush=True)
        pushes = evaluate_walking_push_recovery(ctrl, args.impulses, trials=args.trials, seed=0)
        print(f"{label:9s} push recovery: {pushes.as_dict()}", flush=True)
        summary[label] = {
            "rmse_vx": float(np.mean([r.rmse_vx for r in reports])),
            "rmse_vy": float(np.mean([r.rmse_vy for r in reports])),
            "rmse_wz": float(np.mean([r.rmse_wz for r in reports])),
            "falls": int(sum(r.falls for r in reports)),
            "sim_minutes": float(sum(r.sim_minutes for r in reports)),
            **pushes.as_dict(),
        }
    summary["inference_ms_p50"] = round(inference_ms(learned), 3)
    print(json.dumps(summary))
    if args.plot is not None:
        title = f"{args.controller}: push recovery, {args.trials} trials per impulse"
        plot_curve(summary, ("learned", "open_loop"), title, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
