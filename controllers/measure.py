"""Measurements shared by the controller benchmark and the shipper: inference time, balance summary, curves.

``scripts/bench_controllers.py`` prints them; ``agentrt ship controller`` (:mod:`controllers.ship`)
writes them into a model card.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from controllers.balance.controller import BalanceController, pd_prior_policy
from controllers.balance.evaluate import evaluate_balance, evaluate_push_recovery
from controllers.locomotion.controller import LocomotionController
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
