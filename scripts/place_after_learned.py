"""Learned ``place`` after learned or scripted ``pick`` and ``navigate_to``: the starts tidying gives it.

    python scripts/place_after_learned.py --ckpt runs/vla/manip-pointer --episodes 22 --nav learned
    python scripts/place_after_learned.py --ckpt runs/vla/manip-pointer --episodes 22 --pick learned

``agentrt eval-skill place`` sets every place up with the scripted skills: the scripted drive to
the object, the scripted ``pick`` and the scripted drive to the receptacle, which stops at the
approach pose. In learned tidying the object was picked by the learned ``pick`` and carried by
the learned ``navigate_to``. Per seed this draws the evaluation's place case
(:func:`skills.vla.evaluate.place_draw`), sets it up with the chosen mix (``--pick`` and
``--nav``: ``learned`` or ``scripted``; the first drive, to the object, is always scripted), records
how far the base stopped from the receptacle's approach pose (it reads the simulator) and runs the
learned ``place`` with the evaluation's instruction. Compare with ``eval-skill place`` on the same
seeds (both ``scripted``).

``--base-offset-m R`` then moves the base, object in hand, up to ``R`` m from where the drive
stopped (and turns it up to 0.15 rad), within ``robot_at``'s tolerance, as
``scripts/collect_skill_demos.py --base-offset-m`` does for its demonstrations
(:func:`skills.vla.evaluate.offset_base`): the places a learned drive can rest at, on purpose.

    python scripts/place_after_learned.py --episodes 40 --nav scripted --base-offset-m 0.18 \
        --ckpt skills/vla/checkpoints/candidates/offset-places/kitchen-v0-manipulation
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def _bad(message: str) -> int:
    print(f"place_after_learned: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckpt", type=Path, required=True, help="manipulation artifact (pick and place)")
    parser.add_argument("--nav-ckpt", type=Path, default=None, help="navigation artifact (default: shipped)")
    parser.add_argument("--pick", choices=("learned", "scripted"), default="scripted")
    parser.add_argument("--nav", choices=("learned", "scripted"), default="learned")
    parser.add_argument("--episodes", type=int, default=22)
    parser.add_argument("--seed-start", type=int, default=100_000)
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--json", type=Path, default=None, help="also write every seed as JSON here")
    parser.add_argument(
        "--base-offset-m", type=float, default=0.0, help="then move the base up to this far (m)"
    )
    args = parser.parse_args(argv)
    if args.episodes < 1:
        return _bad("--episodes must be at least 1")
    from scenes.predicates import AT_POS_TOL_M

    if not 0.0 <= args.base_offset_m < AT_POS_TOL_M:
        return _bad(f"--base-offset-m must be in [0, {AT_POS_TOL_M}) (the base must still be at the place)")

    from agentrt.core.registry import SCENES, SKILLS
    from scenes.geometry import wrap_angle
    from skills.vla.catalog import CheckpointError, learned_skills
    from skills.vla.evaluate import SkillCase, offset_base, place_draw, run_case

    ckpts = {"pick": args.ckpt, "place": args.ckpt}
    if args.nav_ckpt is not None:
        ckpts["navigate_to"] = args.nav_ckpt
    try:
        env = SCENES.get(args.scene)()
    except KeyError as exc:
        return _bad(str(exc.args[0]))
    try:
        learned = learned_skills(args.scene, ckpts)
    except (CheckpointError, ValueError) as exc:
        env.close()
        return _bad(str(exc))
    pick = learned["pick"] if args.pick == "learned" else SKILLS.get("pick")()
    nav = learned["navigate_to"] if args.nav == "learned" else SKILLS.get("navigate_to")()
    rows: list[dict] = []
    try:
        for seed in range(args.seed_start, args.seed_start + args.episodes):
            env.reset(seed=seed)
            e = env.unwrapped
            obj, origin, receptacle = place_draw(e.describe(), seed)
            row: dict = {"seed": seed, "object": obj, "receptacle": receptacle, "placed": None}
            steps = (
                ("drove_to_object", SKILLS.get("navigate_to")(), {"place": origin}),
                ("picked", pick, {"object": obj}),
                ("drove_to_receptacle", nav, {"place": receptacle}),
            )
            for name, skill, skill_args in steps:
                row[name] = bool(skill.run(env, skill_args, scene=e.describe()).ok)
                if not row[name]:
                    break
            else:
                if args.base_offset_m > 0:
                    rng = np.random.default_rng((seed, 11))
                    row["offset_stays_at"] = offset_base(env, args.base_offset_m, 0.15, rng, drive=True)
                approach, base = e.places[receptacle].approach, e.base_pose()
                row["offset_m"] = round(float(np.hypot(base[0] - approach[0], base[1] - approach[1])), 4)
                row["yaw_rad"] = round(float(wrap_angle(base[2] - approach[2])), 4)
                start = e.describe()
                text = learned["place"].instruction.format(
                    object=start.natural_name(obj), receptacle=start.natural_name(receptacle)
                )
                case = SkillCase(seed, {"object": obj, "receptacle": receptacle}, text, text)
                outcome = run_case(env, learned["place"], case, start, text, "learned")
                row["placed"], row["reason"] = outcome.success, outcome.reason
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        env.close()
    ready = [r for r in rows if r["placed"] is not None]
    moved = f" and a base offset up to {args.base_offset_m} m" if args.base_offset_m else ""
    print(
        f"\n{args.pick} pick, {args.nav} drive{moved}: {len(ready)}/{len(rows)} set up; "
        f"placed {sum(bool(r['placed']) for r in ready)}/{len(ready)}"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"ckpt": str(args.ckpt), "seeds": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
