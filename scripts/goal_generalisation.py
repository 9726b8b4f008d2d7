"""Does a goal-head model find the named object in scenes it was not trained on?

    python scripts/goal_generalisation.py --ckpt runs/vla/manip-dense --data runs/data/kitchen-v0-more \
        --cache-dir runs/vla/more.cache [--json runs/vla/goal-generalisation.json]

Splits the dataset's episodes exactly as ``agentrt train vla`` did (``--val-fraction``, ``--seed``)
and reads the *first* frame of every pick in each split: the arm is still at home, so only the
cameras can say where the grasp will be. For each split it reports the goal head's error there
(m, against the demonstration's grasp point, :func:`skills.vla.data.gripper_goals`) and, for a
model with keypoints, whether head keypoint 0's most likely cell is the cell the grasp point
projects to (through the ``--scene`` robot's head camera calibration) or one of its 8 neighbours.
A large gap between the splits means the grounding is memorised, not learned.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np


def _bad(message: str) -> int:
    print(f"goal_generalisation: {message}", file=sys.stderr)
    return 2


def summarise(errors: np.ndarray, cells: np.ndarray | None) -> dict[str, Any]:
    """Goal errors (m) and keypoint cell hits (0 exact, 1 neighbour, 2 miss) of one split."""
    out: dict[str, Any] = {
        "picks": len(errors),
        "goal_err_median_m": round(float(np.median(errors)), 4),
        "goal_err_over_5cm": round(float((errors > 0.05).mean()), 3),
        "goal_err_over_10cm": round(float((errors > 0.10).mean()), 3),
    }
    if cells is not None and len(cells):
        out["keypoint_exact"] = round(float((cells == 0).mean()), 3)
        out["keypoint_within_1_cell"] = round(float((cells <= 1).mean()), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckpt", type=Path, required=True, help="manipulation artifact with a goal head")
    parser.add_argument("--data", type=Path, required=True, help="the dataset it was trained on")
    parser.add_argument("--cache-dir", type=Path, required=True, help="its decoded-frame cache")
    parser.add_argument("--val-fraction", type=float, default=0.1, help="as in training")
    parser.add_argument("--seed", type=int, default=0, help="training seed (fixes the split)")
    parser.add_argument("--max-picks", type=int, default=200, help="picks read per split at most")
    parser.add_argument("--scene", default="kitchen-v0", help="robot whose head camera places the goal")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import torch

    from agentrt.datasets.errors import DatasetError
    from skills.vla.artifact import VLAArtifactError, load_policy
    from skills.vla.config import EE_POS, GRIPPER_DIM
    from skills.vla.data import load_training_data, pick_starts
    from skills.vla.train import Batches, goal_pixels
    from skills.vla.vision import cell_distance, cell_index

    try:
        policy = load_policy(args.ckpt)
    except VLAArtifactError as exc:
        return _bad(f"cannot load {args.ckpt}: {exc}")
    config = policy.config
    if not config.use_goal or "pick" not in config.skills:
        return _bad(f"{args.ckpt} has no goal head for picks (goal_weight {config.goal_weight})")
    try:
        data = load_training_data(args.data, config, args.cache_dir, progress=False)
    except DatasetError as exc:
        return _bad(str(exc))
    assert data.goals is not None and data.goal_valid is not None
    pixels = None
    if config.keypoints and "head" in config.cameras:
        from skills.vla.camera import scene_head_camera

        try:
            pixels = goal_pixels(data, scene_head_camera(args.scene), config.crops.get("head"))
        except (KeyError, ValueError) as exc:
            return _bad(str(exc.args[0]))
    table = torch.stack([policy.embed(text) for text in data.texts])
    batches = Batches(data, table, policy.normalizer, pixels)
    std = policy.normalizer.state_std[EE_POS]
    starts = pick_starts(data.episodes, data.text_ids, data.actions[:, GRIPPER_DIM], data.goal_valid)
    report: dict[str, Any] = {"ckpt": str(args.ckpt)}
    for name, split in zip(("train", "val"), data.split(args.val_fraction, args.seed), strict=True):
        idx = np.intersect1d(starts, split)[: args.max_picks]
        if len(idx) == 0:
            continue
        errors, cells = [], []
        for lo in range(0, len(idx), 64):
            b = batches(idx[lo : lo + 64], 0, torch.Generator(), "cpu")
            goal = policy.model.predict_goal(b["images"], b["text"], b["state"])
            errors.append(((goal - b["goal"]) * std).norm(dim=-1).numpy())
            if pixels is not None:
                head = policy.model.keypoint_logits(b["images"], b["text"])[
                    :, config.cameras.index("head"), 0
                ]
                side = math.isqrt(head.shape[-1])
                apart = cell_distance(head.argmax(-1), cell_index(b["goal_pixel"], side, side), side)
                seen = b["goal_pixel_valid"]
                cells.append(apart.clamp(max=2)[seen].numpy())
        report[name] = summarise(np.concatenate(errors), np.concatenate(cells) if cells else None)
        print(f"{name}: {report[name]}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
