"""Benchmark a locomotion controller: tracking RMSE per axis, falls, push-recovery curve, inference time.

    python scripts/bench_controllers.py a1-locomotion --minutes 10 --seeds 0 1 2 --plot push.png

Prints one line per measurement and a JSON summary; compares against the open-loop trot
generator (the residual forced to zero) so the figures show what learning added.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from controllers.catalog import load_controller
from scenes.robots.legged import LeggedState
from controllers.locomotion.controller import LocomotionController, open_loop_policy
from controllers.locomotion.evaluate import evaluate_push_recovery, evaluate_tracking


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("controller", help="shipped name or artifact path")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--impulses", type=float, nargs="+", default=[0, 5, 10, 15, 20, 25, 30])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--plot", type=Path, default=None, help="write the push-recovery curve as PNG")
    args = parser.parse_args()
    learned = load_controller(args.controller)
    assert isinstance(learned, LocomotionController)
    baseline = LocomotionController(open_loop_policy(learned.env_config))
    summary: dict[str, object] = {"controller": args.controller}
    for label, ctrl in (("learned", learned), ("open_loop", baseline)):
        reports = [evaluate_tracking(ctrl, minutes=args.minutes, seed=s) for s in args.seeds]
        for seed, rep in zip(args.seeds, reports, strict=True):
            print(f"{label:9s} seed {seed}: {rep.as_dict()}", flush=True)
        pushes = evaluate_push_recovery(ctrl, args.impulses, trials=args.trials, seed=0)
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
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.2), dpi=120)
        for label in ("learned", "open_loop"):
            data = summary[label]
            ax.plot(
                data["push_impulse"], data["push_recovery_rate"], marker="o", label=label.replace("_", " ")
            )
        ax.set_xlabel("push impulse on the trunk (N·s)")
        ax.set_ylabel("recovered (no fall in 3 s)")
        ax.set_ylim(-0.05, 1.05)
        ax.set_title(f"{args.controller}: push recovery, {args.trials} trials per impulse")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
