"""Where pick targets appear in the head camera at the start of a pick: the window a crop must keep.

    python scripts/object_pixel_window.py --episodes 120 --seed-start 0

For each seed, :func:`skills.vla.evaluate.setup_case` sets up a ``pick`` (the scripted
``navigate_to`` brings the robot to the object's place), and the target's bottom and top
centre points are projected with the head camera's view and projection matrices. Prints
the row and column range (pixels of the ``head_size`` frame) overall and per place; the
``--crop`` of ``agentrt train vla`` was chosen from it.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np
import pybullet as p


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--episodes", type=int, default=120)
    parser.add_argument("--seed-start", type=int, default=0)
    args = parser.parse_args(argv)

    from agentrt.core.registry import SCENES
    from skills.vla.evaluate import setup_case

    env = SCENES.get(args.scene)()
    e = env.unwrapped
    spec = e.head_spec
    proj = np.array(p.computeProjectionMatrixFOV(spec.fov_deg, spec.width / spec.height, spec.near, spec.far))
    by_place: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for seed in range(args.seed_start, args.seed_start + args.episodes):
        with e.cameras_paused():
            setup = setup_case(env, "pick", seed)
        if setup is None:
            continue
        case, scene = setup
        target = case.args["object"]
        eye, look_at, up = e.robot.head_view()
        view = np.array(p.computeViewMatrix(*(list(map(float, v)) for v in (eye, look_at, up))))
        clip_from_world = proj.reshape(4, 4).T @ view.reshape(4, 4).T  # PyBullet stores column-major
        centre, _ = e.object_pose(target)
        for z in (e.object_bottom_z(target), e.object_top_z(target)):
            clip = clip_from_world @ np.array([centre[0], centre[1], z, 1.0])
            x, y = clip[:2] / clip[3]
            row, col = (1 - y) / 2 * spec.height, (x + 1) / 2 * spec.width
            by_place[scene.object(target).location].append((row, col))
    env.close()
    every = np.array([rc for points in by_place.values() for rc in points])
    rows, cols = every[:, 0], every[:, 1]
    print(f"{len(every) // 2} pick set-ups: rows {rows.min():.0f}-{rows.max():.0f}, "
          f"columns {cols.min():.0f}-{cols.max():.0f} of {spec.height}x{spec.width}")  # fmt: skip
    for place, points in sorted(by_place.items()):
        a = np.array(points)
        print(f"  {place}: {len(a) // 2} set-ups, rows {a[:, 0].min():.0f}-{a[:, 0].max():.0f}, "
              f"columns {a[:, 1].min():.0f}-{a[:, 1].max():.0f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
