"""How much of the pick target each camera shows at the start of a pick (segmentation masks).

    python scripts/target_visibility.py --episodes 100 --crop 0.36,0.33,0.5

For each seed, :func:`skills.vla.evaluate.setup_case` sets up a ``pick`` as the evaluation
does, and both cameras are rendered with PyBullet's segmentation mask at the dataset's
resolution: the head camera (only the ``--crop`` window the manipulation model reads) and the
wrist camera, with the arm in its home pose. Prints, per camera and per object kind, the
median number of the target's visible pixels and how often it shows fewer than ``--few``
pixels (hidden behind the arm or other objects, or out of view). A diagnostic of the scene
and its cameras; it reads the simulator's body ids, which no policy sees.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

import numpy as np


def visible_pixels(client: int, spec, view: tuple, body: int, crop: tuple[float, float, float] | None) -> int:  # type: ignore[no-untyped-def]
    """Pixels of ``body`` in a ``spec``-sized render from ``view`` (eye, target, up), inside ``crop``."""
    from scenes.robots.camera import segmentation
    from skills.vla.vision import crop_window

    mask = segmentation(client, spec, *view) == body
    return int(mask[crop_window(spec.height, spec.width, crop)].sum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--seed-start", type=int, default=100_000)
    parser.add_argument(
        "--crop", default="0.36,0.33,0.5", help="head crop TOP,LEFT,SIDE ('' for the whole frame)"
    )
    parser.add_argument(
        "--few", type=int, default=4, help="visible pixels below which a target counts as hidden"
    )
    args = parser.parse_args(argv)
    try:
        crop = tuple(float(x) for x in args.crop.split(",")) if args.crop else None
        if crop is not None and len(crop) != 3:
            raise ValueError
    except ValueError:
        print(f"target_visibility: --crop must be TOP,LEFT,SIDE, got {args.crop!r}", file=sys.stderr)
        return 2

    from agentrt.core.registry import SCENES
    from skills.vla.evaluate import setup_case

    env = SCENES.get(args.scene)()
    e = env.unwrapped
    counts: dict[str, dict[str, list[int]]] = {"head": defaultdict(list), "wrist": defaultdict(list)}
    try:
        for seed in range(args.seed_start, args.seed_start + args.episodes):
            with e.cameras_paused():
                setup = setup_case(env, "pick", seed)
            if setup is None:
                continue
            target = setup[0].args["object"]
            body, kind = e.objects[target].body, target.rsplit("_", 1)[0]
            counts["head"][kind].append(
                visible_pixels(e.client, e.head_spec, e.robot.head_view(), body, crop)
            )
            counts["wrist"][kind].append(
                visible_pixels(e.client, e.wrist_spec, e.robot.arm.wrist_view(), body, None)
            )
    finally:
        env.close()
    head_all = np.concatenate([v for v in counts["head"].values()])
    wrist_all = np.concatenate([v for v in counts["wrist"].values()])
    neither = int(((head_all < args.few) & (wrist_all < args.few)).sum())
    print(
        f"{len(head_all)} pick set-ups; head camera crop {crop}, wrist camera whole; hidden: < {args.few} px"
    )
    for camera, by_kind in counts.items():
        every = np.concatenate(list(by_kind.values()))
        print(f"  {camera}: median {np.median(every):.0f} px, hidden in {int((every < args.few).sum())}")
        for kind, values in sorted(by_kind.items()):
            v = np.array(values)
            hidden = int((v < args.few).sum())
            print(f"    {kind}: {len(v)} set-ups, median {np.median(v):.0f} px, hidden in {hidden}")
    print(f"  hidden from both cameras: {neither}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
