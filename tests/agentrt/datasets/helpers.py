"""Tiny synthetic episodes for the dataset tests: 16x16 head, 8x8 wrist, 4-D state."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np

from agentrt.datasets import DatasetWriter, features_from_spaces

OBS_SPACE = gym.spaces.Dict(
    {
        "head_rgb": gym.spaces.Box(0, 255, (16, 16, 3), np.uint8),
        "wrist_rgb": gym.spaces.Box(0, 255, (8, 8, 3), np.uint8),
        "state": gym.spaces.Box(-np.inf, np.inf, (4,), np.float32),
    }
)
ACT_SPACE = gym.spaces.Dict(
    {"arm": gym.spaces.Box(-1, 1, (7,), np.float32), "base": gym.spaces.Box(-1, 1, (3,), np.float32)}
)
STATE_NAMES = ["a", "b", "c", "d"]


def features() -> dict:
    return features_from_spaces(OBS_SPACE, ACT_SPACE, state_names=STATE_NAMES)


def obs(episode: int, frame: int) -> dict[str, np.ndarray]:
    """Flat-colour images (so H.264 keeps them nearly exact) and a state that encodes (episode, frame)."""
    return {
        "head_rgb": np.full((16, 16, 3), (10 * frame + 40 * episode) % 250, np.uint8),
        "wrist_rgb": np.full((8, 8, 3), 100 + 5 * frame, np.uint8),
        "state": np.array([episode, frame, 0.5 * frame, -1.0], np.float32),
    }


def action(episode: int, frame: int) -> dict[str, np.ndarray]:
    return {"arm": np.full(7, 0.1 * frame, np.float32), "base": np.array([episode, 0, -frame], np.float32)}


def add_episode(writer: DatasetWriter, episode: int, length: int, task: str = "pick the mug") -> None:
    """Frames of two subgoals: ``pick`` for the first half, ``place`` after."""
    writer.begin_episode(task=task)
    for frame in range(length):
        second = frame >= length // 2
        writer.add_frame(
            obs(episode, frame),
            action(episode, frame),
            skill="place" if second else "pick",
            subgoal_index=int(second),
        )


def make_dataset(root: Path, lengths: list[int], tasks: list[str] | None = None) -> Path:
    """A dataset of ``len(lengths)`` committed episodes, episode ``e`` of ``lengths[e]`` frames."""
    tasks = tasks or ["pick the mug"] * len(lengths)
    with DatasetWriter(root, features()) as writer:
        for episode, (length, task) in enumerate(zip(lengths, tasks, strict=True)):
            add_episode(writer, episode, length, task)
            writer.end_episode(success=episode % 2 == 0, provenance={"instruction": task, "seed": episode})
    return root
