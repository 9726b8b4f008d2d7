"""Is finding the named object a data problem? A probe on the head camera alone.

    # labelled head crops rendered at each place's approach pose (seeds 500000+: never evaluated)
    python scripts/grounding_probe.py generate --out runs/grounding/synth.npz --scenes 2000
    # train the FiLM CNN + keypoint heatmap on them (or on the dataset's own picks) and test it on
    # the first frames of the dataset's held-out picks
    python scripts/grounding_probe.py probe --train real --data runs/data/kitchen-v0-more \
        --cache-dir runs/vla/more.cache --steps 3000
    python scripts/grounding_probe.py probe --train synth --synth runs/grounding/synth.npz ...

The manipulation model's vision must turn (head crop, "pick up the red mug") into where the
grasp will be. ``generate`` makes that mapping's training pairs without demonstrations: for each
seed it resets the scene, teleports the base to every place's approach pose (the arm homed,
as at the start of a pick), renders the head camera, cuts the model's crop and labels every
object there with its grasp point projected through the head camera calibration
(:mod:`skills.vla.camera`); about 9 pairs per scene, 0.6 s per scene on one core. The labels
read object poses from the simulator: training data for an auxiliary task, never a policy input.

``probe`` trains the model's vision alone (:class:`~skills.vla.vision.SmallCNN` stages to stride 8,
FiLM on the MiniLM instruction embedding, one :class:`~skills.vla.vision.SpatialKeypoints`
heatmap; cross-entropy on the 16 x 16 cell of the grasp point) on ``real`` pairs (the first 3
frames of every pick in the dataset's training split, as ``agentrt train vla`` splits it),
``synth`` pairs (``--scenes`` of them) or ``both``, and prints, every 500 steps, how often the
heatmap's best cell is the grasp point's cell (exact) or touches it (within one cell) on the
first frames of the held-out split's picks and of the training split's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

CROP = (0.36, 0.33, 0.5)
"""The manipulation model's head crop (top, left, side), as trained with ``--crop head=...``."""
SIZE = 64


def _bad(message: str) -> int:
    print(f"grounding_probe: {message}", file=sys.stderr)
    return 2


def generate(scene: str, seed_start: int, scenes: int, crop: tuple[float, float, float] = CROP) -> dict:
    """``images`` ``(N, 3, 64, 64)`` uint8 head crops, ``texts`` ``(N,)``, ``xy`` ``(N, 2)`` grasp points
    in crop coordinates ``[-1, 1]`` and ``seeds`` ``(N,)``: one pair per object at a place, per seed."""
    import torch

    from agentrt.core.registry import SCENES
    from skills.scripted.pick import ScriptedPick, grasp_point
    from skills.vla.camera import crop_points, head_camera
    from skills.vla.vision import resize_images

    env = SCENES.get(scene)()
    e = env.unwrapped
    out: dict[str, list[Any]] = {"images": [], "texts": [], "xy": [], "seeds": []}
    try:
        camera = head_camera(env)
        for seed in range(seed_start, seed_start + scenes):
            env.reset(seed=seed)
            description = e.describe()
            at: dict[str, list[str]] = {}
            for obj in description.objects:
                place = e.places.get(obj.location) if obj.location else None
                if place is not None and place.approach is not None and place.id != "trash_bin":
                    at.setdefault(place.id, []).append(obj.id)
            for place_id, objects in at.items():
                e.robot.reset(base_pose=e.places[place_id].approach)
                frame = torch.from_numpy(e.get_obs()["head_rgb"])[None]
                image = resize_images(frame, SIZE, crop)[0].numpy()
                xys, seen = crop_points(camera, np.stack([grasp_point(e, oid) for oid in objects]), crop)
                for oid, xy in zip(
                    np.array(objects)[seen], xys[seen], strict=True
                ):  # others: out of the crop
                    out["images"].append(image)
                    out["texts"].append(ScriptedPick.instruction.format(object=description.natural_name(oid)))
                    out["xy"].append(xy)
                    out["seeds"].append(seed)
    finally:
        env.close()
    if not out["images"]:
        raise ValueError(f"no object of {scenes} scenes from seed {seed_start} lies in the head crop")
    return {
        "images": np.stack(out["images"]),
        "texts": np.array(out["texts"]),
        "xy": np.stack(out["xy"]),
        "seeds": np.array(out["seeds"]),
        "crop": np.array(crop),  # what the images are, checked by `agentrt train vla --grounding`
        "size": np.array(SIZE),
    }


def real_pairs(data_root: Path, cache_dir: Path, scene: str) -> dict:
    """The dataset's pick starts: head crops, embeddings' texts, grasp points and the train/val split."""
    from skills.vla.camera import scene_head_camera
    from skills.vla.config import GRIPPER_DIM, preset
    from skills.vla.data import load_training_data, pick_starts
    from skills.vla.train import goal_pixels

    config = preset("manipulation", crops={"head": CROP}, goal_weight=1.0)
    data = load_training_data(data_root, config, cache_dir, progress=False)
    assert data.goal_valid is not None
    xy, seen = goal_pixels(data, scene_head_camera(scene), CROP)
    starts = pick_starts(data.episodes, data.text_ids, data.actions[:, GRIPPER_DIM], data.goal_valid)
    starts = starts[seen[starts]]
    train, val = data.split(0.1, 0)
    return {
        "images": data.images[:, config.cameras.index("head")],
        "texts": np.array(data.texts)[data.text_ids],
        "xy": xy,
        "train": np.intersect1d(starts, train),
        "val": np.intersect1d(starts, val),
    }


def probe(
    train_images: np.ndarray,
    train_text: Any,
    train_xy: np.ndarray,
    tests: dict[str, tuple[np.ndarray, Any, np.ndarray]],
    steps: int,
    seed: int = 0,
    report_every: int = 500,
) -> list[dict[str, Any]]:
    """Train the probe on ``(images (N, 3, S, S) uint8, text (N, 384) tensor, xy (N, 2))`` for ``steps``
    batches of 64 and test on each of ``tests`` (same triples) every ``report_every`` steps:
    ``{name: [exact, within one cell]}`` hit rates of the heatmap's best cell."""
    import torch
    import torch.nn.functional as F

    from skills.vla.vision import SmallCNN, SpatialKeypoints, cell_distance, cell_index

    torch.manual_seed(seed)
    cnn, heatmap = SmallCNN((16, 32, 64), 384), SpatialKeypoints(32, 64, 1)
    params = [*cnn.parameters(), *heatmap.parameters()]
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-3, total_steps=steps, pct_start=0.1)

    def logits(images: np.ndarray, text: Any) -> Any:
        maps = cnn.feature_maps(torch.from_numpy(np.ascontiguousarray(images)).float() / 255.0, text)
        return heatmap.logits(maps[1], maps[2])[:, 0]  # (B, (S / 4) ** 2)

    @torch.no_grad()
    def hits(images: np.ndarray, text: Any, xy: np.ndarray) -> list[float]:
        cnn.eval()
        apart = []
        for lo in range(0, len(images), 128):
            pred = logits(images[lo : lo + 128], text[lo : lo + 128]).argmax(-1)
            true = cell_index(torch.from_numpy(xy[lo : lo + 128]), side, side)
            apart.append(cell_distance(pred, true, side))
        cnn.train()
        a = torch.cat(apart)
        return [round(float((a == 0).float().mean()), 3), round(float((a <= 1).float().mean()), 3)]

    sampler = torch.Generator().manual_seed(seed)
    side = train_images.shape[-1] // 4  # the heatmap's cells: stride 4
    labels = cell_index(torch.from_numpy(train_xy), side, side)
    history, start = [], time.perf_counter()
    for step in range(1, steps + 1):
        batch = np.sort(torch.randint(len(train_images), (64,), generator=sampler).numpy())
        loss = F.cross_entropy(logits(train_images[batch], train_text[batch]), labels[batch])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % report_every == 0 or step == steps:
            row = {
                "step": step,
                "loss": round(float(loss.detach()), 4),
                "seconds": round(time.perf_counter() - start),
            }
            row.update({name: hits(*triple) for name, triple in tests.items()})
            history.append(row)
            print(json.dumps(row), flush=True)
    return history


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="render labelled head crops")
    gen.add_argument("--out", type=Path, required=True, help=".npz file to write")
    gen.add_argument("--scenes", type=int, default=2000)
    gen.add_argument("--seed-start", type=int, default=500_000)
    gen.add_argument("--scene", default="kitchen-v0")
    pro = sub.add_parser("probe", help="train the vision probe and test it on held-out picks")
    pro.add_argument("--train", choices=("real", "synth", "both"), required=True)
    pro.add_argument(
        "--data", type=Path, required=True, help="dataset whose picks are the test (and real) pairs"
    )
    pro.add_argument("--cache-dir", type=Path, required=True, help="its decoded-frame cache")
    pro.add_argument("--synth", type=Path, default=None, help="output of generate (for synth, both)")
    pro.add_argument("--scenes", type=int, default=None, help="use only this many synthetic scenes")
    pro.add_argument("--steps", type=int, default=3000)
    pro.add_argument("--scene", default="kitchen-v0")
    pro.add_argument("--json", type=Path, default=None, help="also write the history here")
    args = parser.parse_args(argv)

    if args.command == "generate":
        if args.scenes < 1:
            return _bad("--scenes must be at least 1")
        try:
            pairs = generate(args.scene, args.seed_start, args.scenes)
        except (KeyError, ValueError) as exc:
            return _bad(str(exc.args[0]))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.out, **pairs)
        print(f"{len(pairs['texts'])} pairs from {args.scenes} scenes -> {args.out}")
        return 0

    import torch

    from agentrt.datasets.errors import DatasetError
    from skills.vla.text import embed_texts, load_text_encoder

    if args.train != "real" and (args.synth is None or not args.synth.is_file()):
        return _bad(f"--train {args.train} needs --synth, the .npz that generate wrote")
    if args.steps < 1:
        return _bad("--steps must be at least 1")
    try:
        real = real_pairs(args.data, args.cache_dir, args.scene)
    except (DatasetError, KeyError, ValueError) as exc:
        return _bad(str(exc.args[0]) if exc.args else str(exc))
    encoder = load_text_encoder()

    def embed(texts: np.ndarray) -> Any:
        return embed_texts(encoder, texts)

    def real_triple(idx: np.ndarray) -> tuple[np.ndarray, Any, np.ndarray]:
        return real["images"][idx], embed(real["texts"][idx]), real["xy"][idx]

    parts = []
    if args.train in ("real", "both"):  # the first 3 frames of each training pick: the arm is still home
        parts.append(real_triple(np.concatenate([real["train"] + k for k in range(3)])))
    if args.train in ("synth", "both"):
        synth = np.load(args.synth)
        keep = np.ones(len(synth["seeds"]), bool)
        if args.scenes is not None:
            keep = synth["seeds"] < synth["seeds"].min() + args.scenes
        parts.append((synth["images"][keep], embed(synth["texts"][keep]), synth["xy"][keep]))
    images = np.concatenate([p[0] for p in parts])
    text = torch.cat([p[1] for p in parts])
    xy = np.concatenate([p[2] for p in parts])
    print(f"probe: {len(images)} training pairs ({args.train}); tests: {len(real['val'])} held-out picks, "
          f"{min(300, len(real['train']))} training picks")  # fmt: skip
    tests = {"val_picks": real_triple(real["val"]), "train_picks": real_triple(real["train"][:300])}
    history = probe(images, text, xy, tests, args.steps)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        args.json.write_text(json.dumps({"args": settings, "history": history}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
