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
from pathlib import Path

import numpy as np

from controllers.balance.controller import BalanceController
from controllers.balance.evaluate import STATED_PUSH_IMPULSE_NS
from controllers.catalog import load_controller
from controllers.locomotion.controller import LocomotionController, open_loop_policy
from controllers.locomotion.evaluate import evaluate_push_recovery as evaluate_walking_push_recovery
from controllers.locomotion.evaluate import evaluate_tracking
from controllers.measure import bench_balance, inference_ms, plot_curve


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
