"""Train the object pointer (:mod:`skills.vla.pointer`) on rendered head views and attach it to a
manipulation artifact.

    # labelled head views of many scenes (seeds 600000+: never evaluated); two processes
    agentrt train pointer generate --out runs/pointer/a.npz --scenes 800 --seed-start 600000
    agentrt train pointer generate --out runs/pointer/b.npz --scenes 800 --seed-start 610000
    # train on all but the last --val-scenes scenes, report on those, write a new artifact
    agentrt train pointer train --data runs/pointer/a.npz runs/pointer/b.npz \
        --ckpt skills/vla/checkpoints/kitchen-v0-manipulation --out runs/vla/manip-pointer

``generate`` resets each seed, teleports the base to every place's approach pose (and, on half of
them, to a pose up to ``--offset-m`` from it, as the learned drive leaves it), arm at home as at
the start of a pick, renders the head camera with PyBullet's segmentation mask and cuts the
pointer's window at full resolution. Every object the window shows with at least
``MIN_PIXELS`` pixels becomes a pair (its pick instruction, its pixels); an object at that place
the window does not show (the tucked arm hides it, or it lies outside) becomes a pair whose answer
is "not visible", and so is one object of the scene that is neither there nor in view (a decoy
instruction, so that the pointer learns to say when the named object is not among those it
sees). The masks read the simulator's body ids: labels for training, never a policy
input. ``train`` fits the pointer and prints, on held-out scenes, how often its best pixel lies on
the named object and how often it says "not visible" rightly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from agentrt.core.exit_codes import EXIT_BAD_INPUT
from agentrt.core.seeds import DEV_SEED_START, refuse_test_seeds

CROP = (0.36, 0.33, 0.5)
"""The manipulation model's head crop (top, left, side)."""
MIN_PIXELS = 4
"""An object with fewer pixels in the window counts as not visible."""
PLACE_PREFIX = "put the "
"""How the place instruction (``ScriptedPlace.instruction``) begins: tells place pairs from pick pairs."""
MIDDLE = 0.5
"""A receptacle's pixels for ``place`` pairs: those over the middle half of its rectangle, free of objects."""
REPHRASINGS = (
    "fetch the {object}",
    "pick up that {object}",
    "could you pick up the {object}",
    "grasp the {object}",
    "reach for the {object}",
)
"""Other wordings of a pick, none of them the evaluation's paraphrases (``evaluate.PARAPHRASES``)."""


def _bad(message: str) -> int:
    print(f"train pointer: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _window(image: np.ndarray, crop: tuple[float, float, float]) -> np.ndarray:
    """The crop window of ``image`` ``(H, W, ...)`` at full resolution."""
    from skills.vla.vision import crop_window

    return image[crop_window(image.shape[0], image.shape[1], crop)]


def generate(
    scene: str,
    seed_start: int,
    scenes: int,
    crop: tuple[float, float, float] = CROP,
    offset_m: float = 0.1,
    progress_every: int = 50,
    places: bool = False,
) -> dict[str, np.ndarray]:
    """Views ``rgb`` ``(V, S, S, 3)`` uint8, ``depth`` ``(V, S, S)`` float32 (m), ``labels`` ``(V, S, S)``
    int8 (0: no object, k: the view's k-th object), and pairs ``view`` ``(P,)``, ``label`` ``(P,)``
    (0: not visible), ``text`` ``(P,)``, ``seed`` ``(P,)``; see the module docstring."""
    from agentrt.core.registry import SCENES
    from scenes.robots.camera import segmentation
    from skills.scripted.pick import ScriptedPick
    from skills.scripted.place import ScriptedPlace

    env = SCENES.get(scene)()
    e = env.unwrapped
    rng = np.random.default_rng(seed_start)
    views: dict[str, list[np.ndarray]] = {"rgb": [], "depth": [], "labels": []}
    pairs: dict[str, list[Any]] = {"view": [], "label": [], "text": [], "seed": []}
    start = time.perf_counter()
    try:
        for n, seed in enumerate(range(seed_start, seed_start + scenes)):
            env.reset(seed=seed)
            description = e.describe()
            at: dict[str, list[str]] = {}
            for obj in description.objects:
                place = e.places.get(obj.location) if obj.location else None
                if place is not None and place.approach is not None and place.id != "trash_bin":
                    at.setdefault(place.id, []).append(obj.id)
            if places:  # every place the robot can stand at, the trash bin and empty ones too
                for pid, place in e.places.items():
                    if place.approach is not None:
                        at.setdefault(pid, [])
            for place_id, here in at.items():
                poses = [np.array(e.places[place_id].approach, dtype=float)]
                if rng.random() < 0.5:
                    radius, angle = offset_m * np.sqrt(rng.random()), rng.uniform(0, 2 * np.pi)
                    moved = poses[0] + [
                        radius * np.cos(angle),
                        radius * np.sin(angle),
                        rng.uniform(-0.05, 0.05),
                    ]
                    poses.append(moved)
                for pose in poses:
                    e.robot.reset(base_pose=pose)
                    obs = e.get_obs()
                    view_ = e.robot.head_view()
                    bodies = _window(segmentation(e.client, e.head_spec, *view_), crop)
                    labels = np.zeros(bodies.shape, np.int8)
                    index: dict[str, int] = {}
                    for oid, rec in e.objects.items():
                        mask = bodies == rec.body
                        if int(mask.sum()) >= MIN_PIXELS:
                            index[oid] = len(index) + 1
                            labels[mask] = index[oid]
                    world = _window(_world_points(e, view_, obs["head_depth"][..., 0]), crop)
                    spots: dict[str, int] = {}
                    if places:
                        for pid, place in e.places.items():
                            spot = _middle(place.region, world) & (labels == 0)
                            if (
                                place.receptacle
                                and int(spot.sum()) >= MIN_PIXELS
                                and len(index) + len(spots) < 127
                            ):
                                spots[pid] = len(index) + len(spots) + 1
                                labels[spot] = spots[pid]
                    v = len(views["rgb"])
                    views["rgb"].append(_window(obs["head_rgb"], crop).copy())
                    views["depth"].append(_window(obs["head_depth"][..., 0], crop).astype(np.float32))
                    views["labels"].append(labels)
                    if places:
                        receptacles = [p for p, pl in e.places.items() if pl.receptacle]
                        absent = sorted(set(receptacles) - set(spots) - {place_id})
                        named = sorted(set(spots) | ({place_id} & set(receptacles)))
                        for pid in named + ([str(rng.choice(absent))] if absent else []):
                            carried = str(rng.choice(sorted(e.objects)))
                            pairs["view"].append(v)
                            pairs["label"].append(spots.get(pid, 0))
                            pairs["text"].append(
                                ScriptedPlace.instruction.format(
                                    object=description.natural_name(carried),
                                    receptacle=description.natural_name(pid),
                                )
                            )
                            pairs["seed"].append(seed)
                    absent = sorted(set(e.objects) - set(index) - set(here))
                    decoy = [str(rng.choice(absent))] if absent else []  # named, not there: "not visible"
                    for oid in sorted(set(index) | set(here)) + decoy:
                        pairs["view"].append(v)
                        pairs["label"].append(index.get(oid, 0))
                        pairs["text"].append(
                            ScriptedPick.instruction.format(object=description.natural_name(oid))
                        )
                        pairs["seed"].append(seed)
            if progress_every and (n + 1) % progress_every == 0:
                rate = (n + 1) / (time.perf_counter() - start)
                print(f"{n + 1}/{scenes} scenes, {len(pairs['view'])} pairs, {rate:.2f} scenes/s", flush=True)
    finally:
        env.close()
    if not pairs["view"]:
        raise ValueError(f"no object of {scenes} scenes from seed {seed_start} lies in the head crop")
    return {
        "rgb": np.stack(views["rgb"]),
        "depth": np.stack(views["depth"]),
        "labels": np.stack(views["labels"]),
        "view": np.array(pairs["view"], np.int64),
        "label": np.array(pairs["label"], np.int64),
        "text": np.array(pairs["text"]),
        "seed": np.array(pairs["seed"], np.int64),
        "crop": np.array(crop),
        "frame": np.array([e.head_spec.height, e.head_spec.width]),  # the frame the windows come from
    }


def _world_points(e: Any, view: tuple[np.ndarray, np.ndarray, np.ndarray], depth: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` world points (m) of the head depth image ``depth`` ``(H, W)`` seen from ``view``."""
    from skills.vla.camera import PinholeCamera

    eye, target, up = (tuple(float(x) for x in v) for v in view)
    camera = PinholeCamera(eye=eye, target=target, up=up, fov_deg=e.head_spec.fov_deg)
    h, w = depth.shape
    rows, cols = np.mgrid[0:h, 0:w]
    fractions = np.stack([(cols + 0.5) / w, (rows + 0.5) / h], axis=-1).reshape(-1, 2)
    return camera.unproject(fractions, depth.reshape(-1)).reshape(h, w, 3)


def _middle(region: Any, world: np.ndarray) -> np.ndarray:
    """``(H, W)`` whether each world point ``(H, W, 3)`` lies in the middle of ``region``'s rectangle
    (:data:`MIDDLE` of each half size) between its support (less 3 cm) and its rim (plus 3 cm)."""
    (cx, cy), (hx, hy) = region.center, region.half
    return (
        (np.abs(world[..., 0] - cx) <= MIDDLE * hx)
        & (np.abs(world[..., 1] - cy) <= MIDDLE * hy)
        & (world[..., 2] >= region.support_z - 0.03)
        & (world[..., 2] <= max(region.rim_z, region.support_z) + 0.03)
    )


def _load(paths: list[Path]) -> dict[str, np.ndarray]:
    """Concatenate generated files (view indices shifted); all must share one crop."""
    parts = [dict(np.load(p)) for p in paths]
    crops = {tuple(np.asarray(p["crop"]).round(6).tolist()) for p in parts}
    frames = {tuple(np.asarray(p["frame"]).tolist()) for p in parts}
    if len(crops) != 1 or len(frames) != 1:
        raise ValueError(
            f"the files were cut with different crops or frames: {sorted(crops)}, {sorted(frames)}"
        )
    out: dict[str, list[np.ndarray]] = {
        k: [] for k in ("rgb", "depth", "labels", "view", "label", "text", "seed")
    }
    shift = 0
    for p in parts:
        for k in ("rgb", "depth", "labels", "label", "text", "seed"):
            out[k].append(p[k])
        out["view"].append(p["view"] + shift)
        shift += len(p["rgb"])
    merged = {k: np.concatenate(v) for k, v in out.items()}
    merged["crop"], merged["frame"] = parts[0]["crop"], parts[0]["frame"]
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agentrt train pointer", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="render labelled head views")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--scene", default="kitchen-v0")
    gen.add_argument("--scenes", type=int, default=800)
    gen.add_argument("--seed-start", type=int, default=600_000)
    gen.add_argument("--offset-m", type=float, default=0.1, help="largest base offset of the moved views (m)")
    gen.add_argument(
        "--places", action="store_true", help="also pairs naming a receptacle (place instructions)"
    )
    tr = sub.add_parser("train", help="fit the pointer and attach it to a manipulation artifact")
    tr.add_argument("--data", type=Path, nargs="+", required=True, help="generated .npz files")
    tr.add_argument("--ckpt", type=Path, required=True, help="manipulation artifact with a depth goal")
    tr.add_argument("--out", type=Path, required=True, help="artifact base path to write")
    tr.add_argument("--steps", type=int, default=3000)
    tr.add_argument("--batch", type=int, default=64)
    tr.add_argument("--lr", type=float, default=2e-3)
    tr.add_argument("--val-scenes", type=int, default=100, help="the last N seeds are held out")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--rephrase", type=float, default=0.3, help="share of pairs repeated in other wordings")
    tr.add_argument(
        "--max-null", type=float, default=0.5, help="trust a pointer whose P(not visible) is below"
    )
    ch = sub.add_parser("check", help="pointer vs keypoint 0 at the start of the evaluation's pick cases")
    ch.add_argument("--ckpt", type=Path, required=True, help="artifact with a pointer")
    ch.add_argument("--scene", default="kitchen-v0")
    ch.add_argument("--episodes", type=int, default=100)
    ch.add_argument("--seed-start", type=int, default=DEV_SEED_START)
    ch.add_argument(
        "--paraphrase", action="store_true", help="name the target with the evaluation's paraphrase"
    )
    args = parser.parse_args(argv)

    if args.command == "check":
        return check_main(args)
    if args.command == "generate":
        if args.scenes < 1:
            return _bad("--scenes must be at least 1")
        try:
            refuse_test_seeds(range(args.seed_start, args.seed_start + args.scenes), "pointer views")
            data = generate(
                args.scene, args.seed_start, args.scenes, offset_m=args.offset_m, places=args.places
            )
        except (KeyError, ValueError) as exc:
            return _bad(str(exc.args[0]))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(args.out.name + ".tmp.npz")
        np.savez_compressed(tmp, **data)
        tmp.replace(args.out)
        print(json.dumps({"out": str(args.out), "views": len(data["rgb"]), "pairs": len(data["view"])}))
        return 0
    return train_main(args)


def _rephrase(
    data: dict[str, np.ndarray], held: np.ndarray, share: float, seed: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``data`` with a ``share`` of its training pairs repeated under one of :data:`REPHRASINGS`, and
    the held-out mask extended (the copies are training pairs)."""
    from skills.scripted.pick import ScriptedPick

    prefix = ScriptedPick.instruction.split("{object}")[0]
    rng = np.random.default_rng(seed)
    train = np.flatnonzero(~held & np.char.startswith(data["text"].astype(str), prefix))
    chosen = train[rng.random(len(train)) < share]
    texts = [str(REPHRASINGS[rng.integers(len(REPHRASINGS))]).format(object=str(t)[len(prefix) :])
             for t in data["text"][chosen]]  # fmt: skip
    out = dict(data)
    for key in ("view", "label", "seed"):
        out[key] = np.concatenate([data[key], data[key][chosen]])
    out["text"] = np.concatenate([data["text"], np.array(texts)])
    return out, np.concatenate([held, np.zeros(len(chosen), bool)])


def train_main(args: argparse.Namespace) -> int:
    import pydantic
    import torch

    from skills.vla.artifact import VLAArtifactError, load_policy, save_policy
    from skills.vla.config import VLAConfig
    from skills.vla.model import VLAModel
    from skills.vla.pointer import PointerConfig, evaluate_pointer, train_pointer
    from skills.vla.policy import VLAPolicy
    from skills.vla.text import load_text_encoder

    if args.out.resolve() == args.ckpt.resolve():
        return _bad("--out must differ from --ckpt (the source artifact is kept)")
    missing = [str(p) for p in args.data if not p.is_file()]
    if missing:
        return _bad(f"no such data file: {', '.join(missing)}")
    try:
        policy = load_policy(args.ckpt)
    except VLAArtifactError as exc:
        return _bad(f"cannot load {args.ckpt}: {exc}")
    try:
        data = _load(args.data)
    except (OSError, KeyError, ValueError) as exc:
        return _bad(f"cannot read the data: {exc}")
    crop = tuple(float(x) for x in data["crop"])
    if policy.config.depth_goal is None:
        return _bad(f"{args.ckpt} has no depth goal (agentrt vla calibrate writes one)")
    if policy.config.crops.get("head") is not None and tuple(policy.config.crops["head"]) != crop:
        return _bad(f"the data's crop {crop} is not the model's head crop {policy.config.crops['head']}")
    try:
        places = bool(np.char.startswith(data["text"].astype(str), PLACE_PREFIX).any())
        pointer_config = PointerConfig(crop=crop, max_null=args.max_null, places=places)
        config = VLAConfig.model_validate({**policy.config.model_dump(), "pointer": pointer_config})
    except pydantic.ValidationError as exc:
        return _bad(f"{args.ckpt} cannot take a pointer: {exc.errors()[0]['msg']}")
    seeds = np.unique(data["seed"])
    if len(seeds) <= args.val_scenes:
        return _bad(f"{len(seeds)} scenes in the data, need more than --val-scenes {args.val_scenes}")
    held = np.isin(data["seed"], seeds[-args.val_scenes :])
    data, held = _rephrase(data, held, args.rephrase, args.seed)
    encoder = load_text_encoder()
    texts, text_ids = np.unique(data["text"], return_inverse=True)
    embeddings = torch.as_tensor(np.asarray(encoder.encode(list(texts))), dtype=torch.float32)
    camera = config.depth_goal.camera  # type: ignore[union-attr]
    model = VLAModel(config, pretrained=False)
    model.load_state_dict(policy.model.state_dict(), strict=False)  # the VLA, and a pointer to continue
    assert model.pointer is not None
    start = time.perf_counter()
    history = train_pointer(
        model.pointer, camera, data, embeddings, text_ids, np.flatnonzero(~held), np.flatnonzero(held),
        steps=args.steps, batch=args.batch, lr=args.lr, seed=args.seed,
    )  # fmt: skip
    minutes = (time.perf_counter() - start) / 60
    is_place = np.char.startswith(data["text"].astype(str), PLACE_PREFIX)
    val = evaluate_pointer(
        model.pointer, camera, data, embeddings, text_ids, np.flatnonzero(held & ~is_place)
    )
    if places:
        val["places"] = evaluate_pointer(
            model.pointer, camera, data, embeddings, text_ids, np.flatnonzero(held & is_place)
        )
    provenance = dict(policy.provenance)
    earlier = provenance.get("pointer")  # --ckpt had a pointer: this run continued from its weights
    provenance["pointer"] = {
        "init_from": None if earlier is None else {k: v for k, v in earlier.items() if k != "history"},
        "data": [str(p) for p in args.data],
        "pairs": int((~held).sum()),
        "views": int(len(np.unique(data["view"][~held]))),
        "scenes": int(len(seeds) - args.val_scenes),
        "steps": args.steps,
        "rephrased_share": args.rephrase,
        "batch": args.batch,
        "train_minutes": round(minutes, 1),
        "held_out": val,
        "history": history,
    }
    save_policy(args.out, VLAPolicy(model, policy.stats, provenance=provenance))
    print(json.dumps({"out": str(args.out), "held_out": val, "train_minutes": round(minutes, 1)}))
    return 0


def check_main(args: argparse.Namespace) -> int:
    """At the start of each pick case (:func:`skills.vla.evaluate.setup_case`), arm at home: does the
    pointer's best pixel lie on the target (segmentation mask), and head keypoint 0's?"""
    import math

    from agentrt.core.registry import SCENES
    from scenes.robots.camera import segmentation
    from skills.vla.artifact import VLAArtifactError, load_policy
    from skills.vla.camera import crop_fractions
    from skills.vla.evaluate import setup_case

    try:
        policy = load_policy(args.ckpt)
    except VLAArtifactError as exc:
        return _bad(f"cannot load {args.ckpt}: {exc}")
    pointer, finder = policy.model.pointer, policy.config.depth_goal
    if pointer is None or finder is None:
        return _bad(f"{args.ckpt} has no pointer (train one with: train_pointer.py train)")
    try:
        env = SCENES.get(args.scene)()
    except KeyError as exc:
        return _bad(str(exc.args[0]))
    e = env.unwrapped
    head = policy.config.cameras.index("head")
    rows: list[dict[str, Any]] = []

    def on(mask: np.ndarray, xy: np.ndarray) -> bool:
        col, row = crop_fractions(xy[None], pointer.config.crop)[0] * [mask.shape[1], mask.shape[0]]
        return bool(mask[min(int(row), mask.shape[0] - 1), min(int(col), mask.shape[1] - 1)])

    try:
        for seed in range(args.seed_start, args.seed_start + args.episodes):
            with e.cameras_paused():
                setup = setup_case(env, "pick", seed)
            if setup is None:
                continue
            case = setup[0]
            target = case.args["object"]
            obs = e.get_obs()
            mask = segmentation(e.client, e.head_spec, *e.robot.head_view()) == e.objects[target].body
            text = policy.embed(case.paraphrase if args.paraphrase else case.instruction)
            xy, p_null = pointer.point(obs["head_rgb"], obs["head_depth"], finder.camera, text)
            images, _ = policy.inputs(obs)
            logits = policy.model.keypoint_logits(images, text[None])[:, head, :1]
            side = math.isqrt(logits.shape[-1])
            peak = policy.config.keypoint_readout == "peak"
            read = policy.model.keypoints.peak_xy if peak else policy.model.keypoints.expected_xy
            kp = read(logits, side, side)[0, 0].numpy()
            rows.append({
                "seed": seed, "target": target, "visible_px": int(mask.sum()), "p_null": round(p_null, 3),
                "pointer_on": on(mask, xy), "keypoint_on": on(mask, kp),
            })  # fmt: skip
    finally:
        env.close()
    seen = [r for r in rows if r["visible_px"] >= MIN_PIXELS]
    trusted = [r for r in seen if r["p_null"] < pointer.config.max_null]
    hidden = [r for r in rows if r["visible_px"] < MIN_PIXELS]
    summary = {
        "cases": len(rows),
        "visible": len(seen),
        "pointer_on_target": sum(r["pointer_on"] for r in seen),
        "keypoint_on_target": sum(r["keypoint_on"] for r in seen),
        "trusted": len(trusted),
        "trusted_on_target": sum(r["pointer_on"] for r in trusted),
        "hidden": len(hidden),
        "hidden_not_trusted": sum(r["p_null"] >= pointer.config.max_null for r in hidden),
    }
    misses: dict[str, int] = {}
    for r in seen:
        if not r["pointer_on"]:
            kind = r["target"].rsplit("_", 1)[0]
            misses[kind] = misses.get(kind, 0) + 1
    summary["pointer_misses_by_kind"] = misses
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
