"""Why a learned ``pick`` fails: where the gripper first closed, relative to every object.

    python scripts/pick_failures.py --ckpt skills/vla/checkpoints/kitchen-v0-manipulation \
        --episodes 50 --seed-start 100000 [--json runs/vla/pick-failures.json]

Runs the learned ``pick`` from the evaluation's start states (:func:`skills.vla.evaluate.setup_case`,
the same seeds as ``agentrt eval-skill``). At the first step the policy commands the gripper
closed, it measures the horizontal distance (m, base frame) from the end effector to each
object's grasp point (:func:`skills.scripted.pick.grasp_point`) and sorts
every call into one of:

- ``success``: the pick's effects hold at the end;
- ``never closed``: the gripper was never commanded closed;
- ``wrong object``: when it closed, another object's grasp point was nearer than the target's
  (the instruction was not grounded to the named object);
- ``missed target``: the target was the nearest object, but the grasp failed (localisation).

``--trace`` prints every step of every call: where the hand is relative to the target's grasp
point, the step it commanded and the gripper command.

Each call also records how high the end effector was above the target's grasp point when it
closed (``target_dz_m``): a gripper that closes on the way down is high above it.

With a depth goal (``VLAConfig.depth_goal``) it records how far the goal the policy trusted was
from the target's grasp point at the start (``depth_goal_err_m``; ``None``: it trusted none).

For a model with a goal head (``VLAConfig.goal_weight``) it also reports where the head puts
the grasp from the start observation: which object's grasp point is nearest to it, and how far
the target's is (``goal_nearest``, ``goal_target_xy_m``).

A diagnostic: it reads the simulator's privileged object poses, which the policy never sees.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np


def _bad(message: str) -> int:
    print(f"pick_failures: {message}", file=sys.stderr)
    return 2


def closing_distances(env: Any, point: np.ndarray | None = None) -> dict[str, float]:
    """Horizontal distance (m) from ``point`` (base frame; default the end effector) to every
    object's grasp point."""
    from skills.scripted.pick import grasp_point

    e = env.unwrapped
    ee = e.ee_pose()[0] if point is None else point
    return {oid: float(np.linalg.norm(grasp_point(e, oid)[:2] - ee[:2])) for oid in e.objects}


def first_goal(policy: Any, env: Any, instruction: str) -> np.ndarray:
    """Where a goal-head model expects to grasp, from the start observation: ``(3,)`` m, base frame."""
    images, state = policy.inputs(env.unwrapped.get_obs())
    goal = policy.model.predict_goal(images, policy.embed(instruction)[None], state)[0]
    return policy.normalizer.ungoal(goal).numpy()


def classify(success: bool, target: str, distances: dict[str, float] | None) -> str:
    """The failure class of one call (see the module docstring)."""
    if success:
        return "success"
    if distances is None:
        return "never closed"
    return "missed target" if min(distances, key=distances.__getitem__) == target else "wrong object"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckpt", type=Path, required=True, help="manipulation artifact base path")
    parser.add_argument("--episodes", type=int, default=50)
    parser.add_argument("--seed-start", type=int, default=100_000)
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--max-steps", type=int, default=None, help="override the skill's step budget")
    parser.add_argument("--json", type=Path, default=None, help="also write every call as JSON here")
    parser.add_argument(
        "--oracle-goal",
        action="store_true",
        help="hand the goal token the target's true grasp point instead of the goal head's guess "
        "(goal_source='keypoints' models): how well the policy reaches a goal it is given",
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="also print every step: the hand minus the target's grasp point and the commanded step "
        "(m, base frame) and the gripper command",
    )
    args = parser.parse_args(argv)
    if args.episodes < 1:
        return _bad("--episodes must be at least 1")

    from agentrt.core.registry import SCENES
    from skills.base import StepEvent
    from skills.scripted.pick import grasp_point
    from skills.vla.artifact import VLAArtifactError, load_policy
    from skills.vla.evaluate import run_case, setup_case
    from skills.vla.skills import LEARNED_SKILLS

    try:
        policy = load_policy(args.ckpt)
    except VLAArtifactError as exc:
        return _bad(f"cannot load {args.ckpt}: {exc}")
    if "pick" not in policy.config.skills:
        return _bad(f"{args.ckpt} is a {policy.config.name!r} model, which does not pick")
    if args.oracle_goal and policy.config.goal_source != "keypoints":
        return _bad(f"--oracle-goal needs a model whose goal token reads a goal; {args.ckpt} has none")
    try:
        env = SCENES.get(args.scene)()
    except KeyError as exc:
        return _bad(str(exc.args[0]))
    calls: list[dict[str, Any]] = []
    try:
        for seed in range(args.seed_start, args.seed_start + args.episodes):
            with env.unwrapped.cameras_paused():
                setup = setup_case(env, "pick", seed)
            if setup is None:
                continue
            case, scene = setup
            target = case.args["object"]
            closing: dict[str, float] | None = None
            height: float | None = None  # end effector above the target's grasp point at closing (m)
            guess = None
            if policy.config.use_goal:
                guess = closing_distances(env, first_goal(policy, env, case.instruction))

            def on_step(event: StepEvent, target: str = target) -> None:
                nonlocal closing, height
                if args.trace:
                    e = env.unwrapped
                    off = e.ee_pose()[0] - grasp_point(e, target)
                    arm = np.asarray(event.action["arm"], np.float64)
                    print(f"  hand - grasp point {np.round(off, 3)}, step {np.round(arm[:3], 3)}, "
                          f"gripper {arm[-1]:+.2f}")  # fmt: skip
                if closing is None and float(event.action["arm"][-1]) > 0:
                    closing = closing_distances(env)
                    e = env.unwrapped
                    height = float(e.ee_pose()[0][2] - grasp_point(e, target)[2])

            true_goal = grasp_point(env.unwrapped, target)
            if args.oracle_goal:
                policy.goal = true_goal
            skill = LEARNED_SKILLS["pick"](policy)
            outcome = run_case(env, skill, case, scene, case.instruction, "learned", args.max_steps, on_step)
            kind = classify(outcome.success, target, closing)
            nearest = None if closing is None else min(closing, key=closing.__getitem__)
            call = {
                "seed": seed, "target": target, "instruction": case.instruction, "class": kind,
                "steps": outcome.steps, "reason": outcome.reason, "nearest_at_close": nearest,
                "target_xy_m": None if closing is None else round(closing[target], 4),
                "nearest_xy_m": None if closing is None else round(closing[nearest], 4),
                "target_dz_m": None if height is None else round(height, 4),
            }  # fmt: skip
            if policy.config.depth_goal is not None and not args.oracle_goal:
                kept = policy.depth_goal
                call["depth_goal_err_m"] = (
                    None if kept is None else round(float(np.linalg.norm(kept[1] - true_goal)), 4)
                )
            if guess is not None:
                call["goal_nearest"] = min(guess, key=guess.__getitem__)
                call["goal_target_xy_m"] = round(guess[target], 4)
            calls.append(call)
            where = (
                "" if closing is None else f", closed {call['target_xy_m']:.3f} m from it, nearest {nearest}"
            )
            print(f"seed {seed}: {kind} ({case.instruction!r}{where})", flush=True)
    finally:
        env.close()
    if not calls:
        return _bad("no seed could be set up")
    counts = Counter(c["class"] for c in calls)
    by_class: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in calls:
        if c["target_xy_m"] is not None:
            by_class[c["class"]].append((c["target_xy_m"], c["target_dz_m"]))
    print(f"\n{len(calls)} picks:")
    for kind in ("success", "missed target", "wrong object", "never closed"):
        dist = np.array(by_class.get(kind, []))
        median = (
            f"; at closing, median distance to the target {np.median(dist[:, 0]):.3f} m, "
            f"height above its grasp point {np.median(dist[:, 1]):+.3f} m"
            if len(dist)
            else ""
        )
        print(f"  {kind}: {counts.get(kind, 0)}{median}")
    guessed = [c for c in calls if "goal_nearest" in c]
    if guessed:
        right = sum(c["goal_nearest"] == c["target"] for c in guessed)
        median = np.median([c["goal_target_xy_m"] for c in guessed])
        print(f"  goal head at the start: nearest the target in {right}/{len(guessed)}; "
              f"median distance to the target {median:.3f} m")  # fmt: skip
    depth = [c["depth_goal_err_m"] for c in calls if "depth_goal_err_m" in c]
    if depth:
        found = [d for d in depth if d is not None]
        median = f"; median distance to the target's grasp point {np.median(found):.3f} m" if found else ""
        print(f"  depth goal: trusted in {len(found)}/{len(depth)}{median}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        body = {"ckpt": str(args.ckpt), "oracle_goal": args.oracle_goal, "calls": calls}
        args.json.write_text(json.dumps(body, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
