"""How far a released object moves sideways: the scripted place's start, pressed down, let go.

    python scripts/release_travel.py --seeds 100000:100016 [--push]

Per seed the evaluation's place set-up (:func:`skills.vla.evaluate.setup_case`: the scripted pick,
the drive to a receptacle) is followed by a scripted motion over the expert's free spot, down 1 cm
a step with the gripper closed until the object has stopped descending (it rests on something,
the hand pressing as a learned place's does), and 15 steps with the gripper open. It prints how
far (cm, world xy) the object moved from where it was let go and where it came to rest. ``--push``
restores the old release, in which the opening fingers, sunk into the welded object, pushed it
(``PandaArm.let_go_through = False``).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

OPEN = np.array([0, 0, 0, 0, 0, 0, -1.0], np.float32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="100000:100016", help="START:STOP (held-out: 100000 on)")
    parser.add_argument("--push", action="store_true", help="the old release (fingers push the object)")
    parser.add_argument("--scene", default="kitchen-v0")
    args = parser.parse_args(argv)
    try:
        start, stop = (int(v) for v in args.seeds.split(":"))
    except ValueError:
        print(f"release_travel: --seeds wants START:STOP, got {args.seeds!r}", file=sys.stderr)
        return 2
    import scenes
    from scenes.robots.panda import PandaArm
    from skills.vla.evaluate import setup_case

    PandaArm.let_go_through = not args.push
    try:
        env = scenes.make(args.scene, head_size=16, wrist_size=16)
    except KeyError as exc:
        print(f"release_travel: {exc}", file=sys.stderr)
        return 2
    travel = []
    for seed in range(start, stop):
        e = env.unwrapped
        with e.cameras_paused():
            setup = setup_case(env, "place", seed)
            if setup is None:
                continue
            case, _ = setup
            obj, receptacle = e.held_object(), case.args["receptacle"]
            spot = e.free_spot(receptacle, obj)
            for _ in range(40):
                xy = e.world_to_base(np.array([*spot, 0.0]))[:2] - e.ee_target()[0][:2]
                env.step({"arm": np.array([*np.clip(xy, -0.05, 0.05), 0, 0, 0, 0, 1.0], np.float32)})
            low = e.object_pose(obj)[0][2]
            for _ in range(60):
                env.step({"arm": np.array([0, 0, -0.01, 0, 0, 0, 1.0], np.float32)})
                z = e.object_pose(obj)[0][2]
                if z > low - 0.002:  # stopped descending: resting on something
                    break
                low = z
            before = e.object_pose(obj)[0]
            for _ in range(15):
                env.step({"arm": OPEN})
            moved = 100.0 * float(np.linalg.norm((e.object_pose(obj)[0] - before)[:2]))
        travel.append(moved)
        where = e.describe().object(obj).location
        print(f"seed {seed} {obj:<14} -> {receptacle:<12} moved {moved:5.1f} cm, in {where}", flush=True)
    env.close()
    if not travel:
        print("release_travel: no seed could be set up", file=sys.stderr)
        return 1
    t = np.asarray(travel)
    print(f"{'push' if args.push else 'let go through'}: {len(t)} releases, median {np.median(t):.1f} cm, "
          f"max {t.max():.1f} cm, over 5 cm {int((t > 5).sum())}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
