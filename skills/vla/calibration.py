"""Calibrating the depth goal (:mod:`skills.vla.depth_goal`) on the simulator, and an artifact with it.

The helpers here read the simulator (privileged: the object's grasp point and shape) to measure the
offsets a :class:`~skills.vla.depth_goal.DepthGoal` needs; they run once, on training seeds, never
inside a skill. :func:`main` gives a keypoint manipulation artifact a calibrated depth goal:

    agentrt vla calibrate --ckpt runs/vla/manip-tf3 --out runs/vla/manip-tf3-depth \
        [--scene kitchen-v0] [--seeds 0:200] [--window 1] [--max-disagreement-m 0.2] \
        [--segment-radius-m 0.08]

Reads the scene's head camera calibration and measures, at the start of the evaluation's pick
cases on ``--seeds`` (training seeds: held-out evaluation starts at 100000), how far the grasp
point lies behind the surface the head depth camera sees at its pixel (``behind_m``, the median
over the cases where the object is in view). With ``--segment-radius-m R`` the goal comes from
the segment method instead (the centre of the top of the object segmented around the keypoint's
pixel), and the calibration also measures ``below_top_m``: how far the grasp point lies under the
object's top. Writes ``OUT.safetensors`` + ``OUT.json``: the same weights and statistics,
``config.depth_goal`` set, and the calibration in the provenance. Prints one JSON object:
``behind_m`` (and ``below_top_m``), the spread of the offsets, and how many cases hid the
object. Exits 2 with one line on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pydantic

from agentrt.core.registry import SCENES
from scenes.geometry import quat_yaw
from skills.scripted.pick import grasp_point
from skills.vla.camera import head_camera
from skills.vla.config import VLAConfig
from skills.vla.depth_goal import HIDDEN_M, DepthGoal, below_top, surface_behind
from skills.vla.evaluate import setup_case


def pick_case_views(env: Any, seeds: range) -> Iterator[tuple[np.ndarray, np.ndarray, float | None]]:
    """At the start of the evaluation's pick case (:func:`skills.vla.evaluate.setup_case`) on each of
    ``seeds`` that sets up: the target's grasp point ``(3,)`` (base frame, m), the head depth
    image ``(H, W[, 1])`` (m) and, for a box, the yaw of its long side (rad, base frame, in
    ``[-pi/2, pi/2)``; ``None`` for a round object). Privileged: for calibration and measurement."""
    for seed in seeds:
        with env.unwrapped.cameras_paused():
            setup = setup_case(env, "pick", seed)
        if setup is None:
            continue
        e = env.unwrapped
        obj = setup[0].args["object"]
        axis = None
        if e.object_shape(obj).kind == "box":  # its local x is the long side (ObjectShape)
            yaw = quat_yaw(e.object_pose(obj)[1]) - e.base_pose()[2]
            axis = float((yaw + np.pi / 2) % np.pi - np.pi / 2)
        yield grasp_point(e, obj), e.get_obs()["head_depth"], axis


def calibrate_behind(
    env: Any, seeds: range, window: int = 1, hidden_m: float = HIDDEN_M
) -> tuple[float, list[float]]:
    """The median :func:`surface_behind` of the grasp point of ``pick`` at the start of the
    evaluation's pick cases (:func:`pick_case_views`) on ``seeds`` of scene ``env``
    (use training seeds, not the held-out ones): ``behind_m`` and every case's offset (m). Cases
    where the surface is more than ``hidden_m`` in front of the grasp point (something hides the
    object) are left out of the median.

    Raises:
        ValueError: no seed gave a visible pick case.
    """
    camera = head_camera(env)
    views = pick_case_views(env, seeds)
    offsets = [surface_behind(camera, goal, depth, window) for goal, depth, _ in views]
    seen = [o for o in offsets if o <= hidden_m]
    if not seen:
        raise ValueError(f"no pick case on seeds {seeds} shows its object to the head camera")
    return float(np.median(seen)), offsets


def calibrate_below_top(env: Any, seeds: range, radius_m: float) -> tuple[float, list[float | None]]:
    """``below_top_m`` for the segment method: the median :func:`below_top` of the grasp point at the
    start of the pick cases on ``seeds`` (training seeds), and every case's (``None``: not seen).

    Raises:
        ValueError: no seed gave a visible pick case.
    """
    camera = head_camera(env)
    views = pick_case_views(env, seeds)
    offsets = [below_top(camera, goal, depth, radius_m) for goal, depth, _ in views]
    seen = [o for o in offsets if o is not None]
    if not seen:
        raise ValueError(f"no pick case on seeds {seeds} shows its object to the head camera")
    return float(np.median(seen)), offsets


def _bad(message: str) -> int:
    print(f"vla calibrate: {message}", file=sys.stderr)
    return 2


def _seeds(text: str) -> range:
    lo, _, hi = text.partition(":")
    try:
        seeds = range(int(lo), int(hi))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seeds takes START:STOP, got {text!r}") from None
    if not seeds:
        raise argparse.ArgumentTypeError(f"--seeds {text!r} is empty")
    return seeds


def main(argv: list[str] | None = None) -> int:
    """The command line above; returns the exit status (0, or 2 with one line on bad input)."""
    parser = argparse.ArgumentParser(prog="agentrt vla calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckpt", type=Path, required=True, help="manipulation artifact base path")
    parser.add_argument("--out", type=Path, required=True, help="artifact base path to write")
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--seeds", type=_seeds, default=range(0, 200), help="START:STOP (training seeds)")
    parser.add_argument("--window", type=int, default=1, help="median depth over (2w+1)^2 pixels")
    parser.add_argument("--max-disagreement-m", type=float, default=0.2)
    parser.add_argument(
        "--segment-radius-m", type=float, default=0.0, help="> 0: the segment method (m, object radius cap)"
    )
    args = parser.parse_args(argv)

    from skills.vla.artifact import VLAArtifactError, artifact_paths, load_policy, save_policy
    from skills.vla.policy import VLAPolicy

    if args.out.resolve() == args.ckpt.resolve():
        return _bad("--out must differ from --ckpt (the source artifact is kept)")
    try:
        policy = load_policy(args.ckpt)
    except VLAArtifactError as exc:
        return _bad(f"cannot load {args.ckpt}: {exc}")
    try:
        env = SCENES.get(args.scene)()
    except KeyError as exc:
        return _bad(str(exc.args[0]))

    def with_depth_goal(behind_m: float, below_top_m: float = 0.0) -> VLAConfig:
        finder = DepthGoal(
            camera=camera,
            behind_m=behind_m,
            window=args.window,
            max_disagreement_m=args.max_disagreement_m,
            segment_radius_m=args.segment_radius_m,
            below_top_m=below_top_m,
        )
        return VLAConfig.model_validate({**policy.config.model_dump(), "depth_goal": finder})

    try:
        camera = head_camera(env)
        with_depth_goal(0.0)  # can this model take one at all? (before the slow part)
        behind, offsets = calibrate_behind(env, args.seeds, window=args.window)
        below = None
        if args.segment_radius_m > 0:
            below, _ = calibrate_below_top(env, args.seeds, args.segment_radius_m)
        config = with_depth_goal(behind, below or 0.0)
    except pydantic.ValidationError as exc:
        return _bad(f"{args.ckpt} cannot take a depth goal: {exc.errors()[0]['msg']}")
    except ValueError as exc:
        return _bad(str(exc))
    finally:
        env.close()
    seen = np.array([o for o in offsets if o <= HIDDEN_M])
    report = {
        "behind_m": round(behind, 4),
        "cases": len(offsets),
        "hidden": len(offsets) - len(seen),
        "offset_p10_m": round(float(np.percentile(seen, 10)), 4),
        "offset_p90_m": round(float(np.percentile(seen, 90)), 4),
    }
    if below is not None:
        report |= {"segment_radius_m": args.segment_radius_m, "below_top_m": round(below, 4)}
    policy.model.config = config
    provenance = {
        **policy.provenance,
        "depth_goal": {**report, "scene": args.scene, "seeds": f"{args.seeds.start}:{args.seeds.stop}"},
    }
    out = VLAPolicy(policy.model, policy.stats, provenance=provenance)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_policy(args.out, out)
    print(json.dumps({**report, "out": str(artifact_paths(args.out)[1])}))
    return 0


__all__ = ["calibrate_behind", "calibrate_below_top", "main", "pick_case_views"]


if __name__ == "__main__":
    sys.exit(main())
