"""Dataset write cost for a kitchen-sized episode: bytes per episode and frames/s.

Synthetic frames shaped like ``kitchen-v0`` (128x128 head, 96x96 wrist, 18-D state,
10-D action), smooth moving gradients plus sensor noise so H.264 sees realistic motion.
Run: ``python scripts/bench_dataset.py [--episodes 3] [--frames 300]``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

from agentrt.datasets import DatasetWriter, features_from_spaces
from agentrt.datasets.merge import merge
from agentrt.datasets.verify import verify


def _spaces() -> tuple[gym.spaces.Dict, gym.spaces.Dict]:
    obs = gym.spaces.Dict(
        {
            "head_rgb": gym.spaces.Box(0, 255, (128, 128, 3), np.uint8),
            "wrist_rgb": gym.spaces.Box(0, 255, (96, 96, 3), np.uint8),
            "state": gym.spaces.Box(-np.inf, np.inf, (18,), np.float32),
        }
    )
    act = gym.spaces.Dict(
        {"arm": gym.spaces.Box(-1, 1, (7,), np.float32), "base": gym.spaces.Box(-1, 1, (3,), np.float32)}
    )
    return obs, act


def _image(size: int, t: int, rng: np.random.Generator) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size]
    base = np.stack([(x + 2 * t) % 256, (y + t) % 256, ((x + y) // 2 + 3 * t) % 256], axis=-1)
    return np.clip(base + rng.normal(0, 4, base.shape), 0, 255).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    obs_space, act_space = _spaces()
    features = features_from_spaces(obs_space, act_space, state_names=[f"s{i}" for i in range(18)])
    rng = np.random.default_rng(0)
    frames = [
        {
            "head_rgb": _image(128, t, rng),
            "wrist_rgb": _image(96, 2 * t, rng),
            "state": rng.normal(size=18).astype(np.float32),
        }
        for t in range(args.frames)
    ]
    action = {"arm": np.zeros(7, np.float32), "base": np.zeros(3, np.float32)}
    work = Path(tempfile.mkdtemp(prefix="bench_dataset_"))
    try:
        root = work / "ds"
        add_s = commit_s = 0.0
        with DatasetWriter(root, features) as writer:
            for episode in range(args.episodes):
                writer.begin_episode(task="put the yellow mug in the sink")
                start = time.perf_counter()
                for t, frame in enumerate(frames):
                    writer.add_frame(frame, action, skill="pick", subgoal_index=t * 3 // args.frames)
                add_s += time.perf_counter() - start
                start = time.perf_counter()
                writer.end_episode(success=True, provenance={"instruction": "bench", "seed": episode})
                commit_s += time.perf_counter() - start
        total = args.episodes * args.frames
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        videos = sum(p.stat().st_size for p in (root / "videos").rglob("*.mp4"))
        start = time.perf_counter()
        faults = verify(root)
        verify_s = time.perf_counter() - start
        start = time.perf_counter()
        merge([root], work / "packed")
        merge_s = time.perf_counter() - start
        print(f"episodes x frames        {args.episodes} x {args.frames} (128x128 head + 96x96 wrist)")
        print(
            f"bytes per episode        {size / args.episodes / 1e6:.2f} MB "
            f"(video {videos / args.episodes / 1e6:.2f} MB)"
        )
        print(f"raw RGB per episode      {args.frames * (128 * 128 + 96 * 96) * 3 / 1e6:.2f} MB")
        print(
            f"write throughput         {total / (add_s + commit_s):.0f} frames/s "
            f"(add_frame {total / add_s:.0f} frames/s, "
            f"commit {commit_s / args.episodes * 1e3:.0f} ms/episode)"
        )
        print(f"verify                   {total / verify_s:.0f} frames/s, faults: {len(faults)}")
        print(f"merge (pack)             {total / merge_s:.0f} frames/s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
