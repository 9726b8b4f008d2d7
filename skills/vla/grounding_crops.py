"""Labelled head crops rendered from many scenes, for co-training the VLA's grounding.

For each seed, the robot stands at each place's approach pose and the head camera's crop is
rendered; every object at that place whose grasp point falls inside the crop gives one pair
(crop, "pick up the <object>", where its grasp point is). No demonstration is needed, so many
more scenes are seen than the demonstrations show. ``agentrt train vla --grounding FILE``
co-trains keypoint 0 on the ``.npz`` written here (``docs/vla-experiments.md``, "Grounding is
memorised per scene; rendered crops of many scenes fix it").

    agentrt vla grounding-crops --out runs/grounding/synth.npz --scenes 2000   # seeds 500000+

The grasp point is read from the simulator: these are training labels, never run-time inputs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from agentrt.core.exit_codes import EXIT_BAD_INPUT
from skills.vla.config import VLAConfig
from skills.vla.policy import InstructionEncoder
from skills.vla.text import embed_texts

SEED_START = 500_000
"""Default first seed: training scenes, far from the development and test splits."""

CROP = (0.36, 0.33, 0.5)
"""The manipulation model's head crop (top, left, side), as trained with ``--crop head=...``."""
SIZE = 64


def _bad(message: str) -> int:
    print(f"grounding-crops: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def generate(scene: str, seed_start: int, scenes: int, crop: tuple[float, float, float] = CROP) -> dict:
    """``images`` ``(N, 3, 64, 64)`` uint8 head crops, ``texts`` ``(N,)``, ``xy`` ``(N, 2)`` grasp points
    in crop coordinates ``[-1, 1]`` and ``seeds`` ``(N,)``: one pair per object at a place, per seed."""
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


class Grounding:
    """Batches of labelled head crops (:mod:`skills.vla.grounding_crops`) for
    :meth:`VLAModel.grounding_loss`."""

    def __init__(self, path: Path, config: VLAConfig, text_encoder: InstructionEncoder) -> None:
        try:
            pairs = np.load(path)
            images, xy, texts = pairs["images"], pairs["xy"].astype(np.float32), pairs["texts"]
            crop, size = tuple(float(v) for v in pairs["crop"]), int(pairs["size"])
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"grounding {path}: not a grounding-crops .npz ({exc})") from None
        want = config.crops.get("head")
        if size != config.image_size or want is None or not np.allclose(crop, want):
            raise ValueError(
                f"grounding {path}: crops {crop} at {size} px, but the model reads head crop {want} "
                f"at {config.image_size} px"
            )
        self.images, self.xy, self.text = images, torch.from_numpy(xy), embed_texts(text_encoder, texts)

    def __len__(self) -> int:
        return len(self.images)

    def __call__(self, size: int, generator: torch.Generator, device: str) -> dict[str, torch.Tensor]:
        idx = np.sort(torch.randint(len(self.images), (size,), generator=generator).numpy())
        images = torch.from_numpy(np.ascontiguousarray(self.images[idx])).to(device).float().div_(255.0)
        return {"images": images, "text": self.text[idx].to(device), "xy": self.xy[idx].to(device)}


def main(argv: list[str] | None = None) -> int:
    """``agentrt vla grounding-crops``: render the pairs, write one ``.npz``; exit 2 on bad input."""
    parser = argparse.ArgumentParser(prog="agentrt vla grounding-crops", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help=".npz file to write")
    parser.add_argument("--scenes", type=int, default=2000, help="scenes (seeds) to render")
    parser.add_argument("--seed-start", type=int, default=SEED_START)
    parser.add_argument("--scene", default="kitchen-v0")
    args = parser.parse_args(argv)
    if args.scenes < 1:
        return _bad("--scenes must be at least 1")
    from agentrt.core.seeds import refuse_test_seeds

    try:
        refuse_test_seeds(range(args.seed_start, args.seed_start + args.scenes), "grounding crops")
        pairs = generate(args.scene, args.seed_start, args.scenes)
    except (KeyError, ValueError) as exc:
        return _bad(str(exc.args[0]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **pairs)
    print(f"{len(pairs['texts'])} pairs from {args.scenes} scenes -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
