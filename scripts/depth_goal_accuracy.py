"""How far from the grasp point the depth goal lands, per method, when the keypoint is off by J pixels.

    python scripts/depth_goal_accuracy.py [--calib-seeds 0:100] [--seeds 1000:1060] \
        [--jitter-px 0,1,2,3] [--radius-m 0.08] [--json]

Model-free: at the start of the evaluation's pick cases (:func:`skills.vla.depth_goal.pick_case_views`)
it projects the target's grasp point into the head depth image, moves that pixel ``J`` pixels in a
random direction (a keypoint's error), and asks both methods of :class:`skills.vla.depth_goal.DepthGoal`
for the goal: ``ray`` (the surface under the pixel, ``behind_m`` further along the ray) and
``segment`` (the centre of the top of the object segmented around the pixel, ``below_top_m`` under
it). Both constants are calibrated on ``--calib-seeds`` and scored on ``--seeds``, all training
seeds (evaluation starts at 100000). Cases whose object the arm hides are left out. This separates
the geometry's error from the keypoint's: the end-to-end figure is ``scripts/pick_failures.py``'s
``depth goal`` line. It also scores the long axis of the segmented top (``DepthGoal.align_yaw``,
:func:`skills.vla.depth_goal.top_yaw`) from the true grasp pixel: for boxes, how far it is from the
box's long side (degrees, mod 180) and how often there is none; for round objects, how often one is
(wrongly) found. Exits 2 with one line on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np


def _seeds(text: str) -> range:
    lo, _, hi = text.partition(":")
    try:
        seeds = range(int(lo), int(hi))
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds take START:STOP, got {text!r}") from None
    if not seeds:
        raise argparse.ArgumentTypeError(f"seeds {text!r} is empty")
    return seeds


def _jitters(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jitter-px takes numbers like 0,1,2, got {text!r}") from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"--jitter-px takes non-negative pixels, got {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--calib-seeds", type=_seeds, default=range(0, 100), help="START:STOP")
    parser.add_argument("--seeds", type=_seeds, default=range(1000, 1060), help="START:STOP, scored")
    parser.add_argument("--jitter-px", type=_jitters, default=[0.0, 1.0, 2.0, 3.0])
    parser.add_argument("--radius-m", type=float, default=0.08, help="segment method radius (m)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    if not 0 < args.radius_m <= 0.3:
        print("depth_goal_accuracy: --radius-m must be in (0, 0.3]", file=sys.stderr)
        return 2

    from agentrt.core.registry import SCENES
    from skills.vla.camera import head_camera
    from skills.vla.depth_goal import (
        HIDDEN_M,
        DepthGoal,
        calibrate_behind,
        calibrate_below_top,
        pick_case_views,
        surface_behind,
    )

    try:
        env = SCENES.get(args.scene)()
    except KeyError as exc:
        print(f"depth_goal_accuracy: {exc.args[0]}", file=sys.stderr)
        return 2
    try:
        camera = head_camera(env)
        behind, _ = calibrate_behind(env, args.calib_seeds)
        below, _ = calibrate_below_top(env, args.calib_seeds, args.radius_m)
        views = [
            (goal, np.asarray(depth, np.float32).reshape(depth.shape[0], depth.shape[1]), axis)
            for goal, depth, axis in pick_case_views(env, args.seeds)
        ]
    except ValueError as exc:
        print(f"depth_goal_accuracy: {exc}", file=sys.stderr)
        return 2
    finally:
        env.close()
    views = [(g, d, a) for g, d, a in views if surface_behind(camera, g, d, 1) <= HIDDEN_M]
    methods = {
        "ray": DepthGoal(camera=camera, behind_m=behind),
        "segment": DepthGoal(
            camera=camera, behind_m=behind, segment_radius_m=args.radius_m, below_top_m=below, align_yaw=True
        ),
    }
    rng = np.random.default_rng(0)
    rows = []
    for jitter in args.jitter_px:
        angles = rng.uniform(-np.pi, np.pi, len(views))
        for name, finder in methods.items():
            errors, xy_err, z_err = [], [], []
            for (goal, depth, _), angle in zip(views, angles, strict=True):
                h, w = depth.shape
                fraction = camera.image_fractions(goal[None])[0][0]
                fraction = fraction + jitter * np.array([np.cos(angle) / w, np.sin(angle) / h])
                found = finder.locate(2 * fraction - 1, depth, None)
                errors.append(float(np.linalg.norm(found - goal)))
                xy_err.append(float(np.linalg.norm(found[:2] - goal[:2])))
                z_err.append(float(abs(found[2] - goal[2])))
            rows.append(
                {
                    "method": name,
                    "jitter_px": jitter,
                    "cases": len(errors),
                    "median_m": round(float(np.median(errors)), 4),
                    "p90_m": round(float(np.percentile(errors, 90)), 4),
                    "median_xy_m": round(float(np.median(xy_err)), 4),
                    "median_abs_z_m": round(float(np.median(z_err)), 4),
                    "within_1_5cm": round(float(np.mean(np.array(errors) < 0.015)), 3),
                }
            )
    axis = _long_axis(methods["segment"], camera, views)
    report = {"behind_m": round(behind, 4), "below_top_m": round(below, 4), "rows": rows, "long_axis": axis}
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"behind_m {behind:.4f}, below_top_m {below:.4f} (calibrated on seeds {args.calib_seeds})")
    print("method   jitter  cases  median   p90     xy      |z|     <1.5cm")
    for r in rows:
        print(
            f"{r['method']:8s} {r['jitter_px']:5.1f}  {r['cases']:5d}  {100 * r['median_m']:5.2f}cm "
            f"{100 * r['p90_m']:5.2f}cm {100 * r['median_xy_m']:5.2f}cm {100 * r['median_abs_z_m']:5.2f}cm "
            f"{100 * r['within_1_5cm']:5.1f}%"
        )
    print(
        f"long axis: boxes {axis['boxes']}, none found {axis['boxes_without']}, error median "
        f"{axis['median_deg']} deg, p90 {axis['p90_deg']} deg; round objects given one "
        f"{axis['round_with']}/{axis['round']}"
    )
    return 0


def _long_axis(
    finder: Any, camera: Any, views: list[tuple[np.ndarray, np.ndarray, float | None]]
) -> dict[str, Any]:
    """The segmented top's long axis from each view's true grasp pixel, against the box's long side."""
    errors, without, round_with, n_round = [], 0, 0, 0
    for goal, depth, truth in views:
        xy = 2 * camera.image_fractions(goal[None])[0][0] - 1
        _, yaw = finder.locate_grasp(xy, depth, None)
        if truth is None:
            n_round += 1
            round_with += yaw is not None
        elif yaw is None:
            without += 1
        else:
            errors.append(abs((yaw - truth + np.pi / 2) % np.pi - np.pi / 2))
    deg = np.degrees(errors) if errors else np.array([np.nan])
    return {
        "boxes": len(errors) + without,
        "boxes_without": without,
        "median_deg": round(float(np.median(deg)), 1),
        "p90_deg": round(float(np.percentile(deg, 90)), 1),
        "round": n_round,
        "round_with": round_with,
    }


if __name__ == "__main__":
    sys.exit(main())
