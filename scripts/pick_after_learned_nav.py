"""Learned ``pick`` after the learned ``navigate_to``: the start a tidying run gives it.

    python scripts/pick_after_learned_nav.py --ckpt runs/vla/manip-tf3-depth --episodes 22 \
        [--nav-ckpt skills/vla/checkpoints/kitchen-v0-navigation] [--json runs/vla/navpick.json]

``agentrt eval-skill pick`` starts every pick where the *scripted* ``navigate_to`` stops, at the
approach pose. In a learned tidying run the learned ``navigate_to`` drives there first and stops
wherever its success detector lets it. Per seed this draws the same object as the evaluation
(:func:`skills.vla.evaluate.pick_draw`), drives to its place with the learned ``navigate_to``,
records how far the base stopped from the place's approach pose (m, rad; it reads the simulator)
and runs the learned ``pick`` with the evaluation's instruction. Compare the pick rate with
``eval-skill``'s on the same seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def _bad(message: str) -> int:
    print(f"pick_after_learned_nav: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckpt", type=Path, required=True, help="manipulation artifact (pick)")
    parser.add_argument("--nav-ckpt", type=Path, default=None, help="navigation artifact (default: shipped)")
    parser.add_argument("--episodes", type=int, default=22)
    parser.add_argument("--seed-start", type=int, default=100_000)
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--max-steps", type=int, default=None, help="override both skills' step budgets")
    parser.add_argument("--json", type=Path, default=None, help="also write every seed as JSON here")
    parser.add_argument(
        "--nav-done",
        default=None,
        help="the drive's success detector as DoneConfig JSON, e.g. '{\"max_hold_steps\": 40}' "
        "(default: LearnedNavigate's)",
    )
    args = parser.parse_args(argv)
    if args.episodes < 1:
        return _bad("--episodes must be at least 1")

    from pydantic import ValidationError

    from skills.vla.skills import DoneConfig

    nav_done = None
    if args.nav_done is not None:
        try:
            nav_done = DoneConfig.model_validate_json(args.nav_done)
        except ValidationError as exc:
            return _bad(f"--nav-done is not a DoneConfig: {exc.errors()[0]['msg']}")

    from agentrt.core.registry import SCENES
    from scenes.geometry import wrap_angle
    from skills.vla.catalog import CheckpointError, learned_skills
    from skills.vla.evaluate import SkillCase, pick_draw, run_case

    ckpts = {"pick": args.ckpt, "place": args.ckpt}
    if args.nav_ckpt is not None:
        ckpts["navigate_to"] = args.nav_ckpt
    try:
        env = SCENES.get(args.scene)()
    except KeyError as exc:
        return _bad(str(exc.args[0]))
    try:
        skills = learned_skills(args.scene, ckpts)
    except (CheckpointError, ValueError) as exc:
        env.close()
        return _bad(str(exc))
    if nav_done is not None:
        skills["navigate_to"].done = nav_done
    rows: list[dict] = []
    try:
        for seed in range(args.seed_start, args.seed_start + args.episodes):
            env.reset(seed=seed)
            scene = env.unwrapped.describe()
            obj, origin = pick_draw(scene, seed)
            drive = skills["navigate_to"].run(env, {"place": origin}, scene=scene, max_steps=args.max_steps)
            e = env.unwrapped
            approach, base = e.places[origin].approach, e.base_pose()
            row = {
                "seed": seed, "object": obj, "drove": drive.ok,
                "offset_m": round(float(np.hypot(base[0] - approach[0], base[1] - approach[1])), 4),
                "yaw_rad": round(float(wrap_angle(base[2] - approach[2])), 4),
                "picked": None,
            }  # fmt: skip
            if drive.ok:
                start = e.describe()
                text = skills["pick"].instruction.format(object=start.natural_name(obj))
                case = SkillCase(seed, {"object": obj}, text, text)
                row["picked"] = run_case(
                    env, skills["pick"], case, start, text, "learned", args.max_steps
                ).success
            rows.append(row)
            print(f"seed {seed}: {obj}, base {row['offset_m']:.3f} m / {row['yaw_rad']:+.3f} rad off, "
                  f"picked {row['picked']}", flush=True)  # fmt: skip
    finally:
        env.close()
    drove = [r for r in rows if r["drove"]]
    offsets = [r["offset_m"] for r in drove]
    spread = (
        f"; base {min(offsets):.3f}-{max(offsets):.3f} m (median {np.median(offsets):.3f} m)"
        " from the approach pose"
        if offsets
        else ""
    )
    print(
        f"\n{len(drove)}/{len(rows)} drives arrived{spread}; picked {sum(bool(r['picked']) for r in drove)}"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"ckpt": str(args.ckpt), "seeds": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
