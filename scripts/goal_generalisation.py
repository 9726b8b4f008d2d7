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

``--ray-bound`` also asks how well *any* goal head that reads one head-image point could do:
a small MLP is fitted on the training picks from the grasp point's true projection and the
hand's position to the grasp point, and its error on both splits is reported. A pixel fixes a
ray, not how far along it the object stands, so this is the floor of a pixel-only goal head.
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


def ray_bound(
    pixels: np.ndarray,
    hands: np.ndarray,
    goals: np.ndarray,
    train: np.ndarray,
    splits: dict[str, np.ndarray],
    steps: int = 3000,
    seed: int = 0,
) -> dict[str, float]:
    """Median goal error (m) per split of an MLP fitted on ``train`` rows from the true head-crop
    point ``pixels`` ``(N, 2)`` in ``[-1, 1]`` and the hand ``hands`` ``(N, 3)`` (m) to ``goals``
    ``(N, 3)`` (m, base frame): L1 loss, Adam, batches of 256."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    mean, std = hands[train].mean(0), hands[train].std(0) + 1e-6

    def inputs(rows: np.ndarray) -> torch.Tensor:
        return torch.tensor(
            np.concatenate([pixels[rows], (hands[rows] - mean) / std], 1), dtype=torch.float32
        )

    net = torch.nn.Sequential(
        torch.nn.Linear(5, 128),
        torch.nn.GELU(),
        torch.nn.Linear(128, 128),
        torch.nn.GELU(),
        torch.nn.Linear(128, 3),
    )
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    x, y = inputs(train), torch.tensor(goals[train], dtype=torch.float32)
    for _ in range(steps):
        rows = torch.randint(len(x), (256,), generator=gen)
        loss = (net(x[rows]) - y[rows]).abs().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return {
            name: round(float((net(inputs(rows)) - torch.tensor(goals[rows])).norm(dim=-1).median()), 4)
            for name, rows in splits.items()
            if len(rows)
        }


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
    parser.add_argument(
        "--ray-bound",
        action="store_true",
        help="also fit the best goal head that reads one true head-image point",
    )
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
    if args.ray_bound and "head" not in config.cameras:
        return _bad(
            f"--ray-bound needs a model that reads the head camera, {args.ckpt} reads {config.cameras}"
        )
    pixels = None
    if (config.keypoints or args.ray_bound) and "head" in config.cameras:
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
    picks: dict[str, np.ndarray] = {}
    for name, split in zip(("train", "val"), data.split(args.val_fraction, args.seed), strict=True):
        idx = picks[name] = np.intersect1d(starts, split)[: args.max_picks]
        if len(idx) == 0:
            continue
        errors, cells = [], []
        for lo in range(0, len(idx), 64):
            b = batches(idx[lo : lo + 64], 0, torch.Generator(), "cpu")
            goal = policy.model.predict_goal(b["images"], b["text"], b["state"])
            errors.append(((goal - b["goal"]) * std).norm(dim=-1).numpy())
            if pixels is not None and config.keypoints:
                head = policy.model.keypoint_logits(b["images"], b["text"])[
                    :, config.cameras.index("head"), 0
                ]
                side = math.isqrt(head.shape[-1])
                apart = cell_distance(head.argmax(-1), cell_index(b["goal_pixel"], side, side), side)
                seen = b["goal_pixel_valid"]
                cells.append(apart.clamp(max=2)[seen].numpy())
        report[name] = summarise(np.concatenate(errors), np.concatenate(cells) if cells else None)
        print(f"{name}: {report[name]}")
    if args.ray_bound and pixels is not None:
        seen = {name: rows[pixels[1][rows]] for name, rows in picks.items()}
        hands = data.states[:, EE_POS]
        if len(seen.get("train", ())) == 0:
            print("ray bound: no training pick's grasp point is inside the head crop")
        else:
            report["ray_bound_median_m"] = ray_bound(pixels[0], hands, data.goals, seen["train"], seen)
            print(
                f"one true head point and the hand -> goal, median error (m): {report['ray_bound_median_m']}"
            )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
