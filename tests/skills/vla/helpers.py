"""Tiny VLA configs, a deterministic fake instruction encoder and a tiny kitchen-like dataset."""

from __future__ import annotations

import hashlib
from pathlib import Path

import gymnasium as gym
import numpy as np

from agentrt.datasets import DatasetWriter, features_from_spaces
from skills.vla.config import VLAConfig, preset

TINY = dict(
    image_size=32, cnn_widths=(8, 16), d_model=32, n_heads=2, enc_layers=1, dec_layers=1, chunk_size=4
)
"""Overrides that make a model of a few tens of thousands of parameters (8x8 token grid)."""


def tiny_config(family: str = "manipulation", **overrides: object) -> VLAConfig:
    return preset(family, **{**TINY, **overrides})


class FakeTextEncoder:
    """Deterministic unit vectors from a hash of the text: no model download, same text -> same vector."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += list(texts)
        out = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vec = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
            out.append(vec / np.linalg.norm(vec))
        return np.stack(out) if out else np.zeros((0, 384), np.float32)


def observation(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A kitchen-shaped observation: 128x128 head, 96x96 wrist, 18-D state."""
    return {
        "head_rgb": rng.integers(0, 256, (128, 128, 3), dtype=np.uint8),
        "wrist_rgb": rng.integers(0, 256, (96, 96, 3), dtype=np.uint8),
        "state": rng.standard_normal(18).astype(np.float32),
    }


SEGMENTS = (
    ("navigate_to", "go to the table"),
    ("pick", "pick up the red mug"),
    ("place", "put the red mug in the sink"),
)


def make_kitchen_dataset(root: Path, episodes: int = 3, frames_per_skill: int = 6) -> Path:
    """``episodes`` episodes of three subgoals (navigate_to, pick, place) of ``frames_per_skill`` frames.

    Images are flat colours; state entry 0 is the frame's index inside its subgoal and the
    end-effector position (entries 8-10) is ``(frame, episode, subgoal)``; the arm action is
    ``0.01 * frame`` on every dim except the gripper, which pick closes (``+1``) and place
    opens (``-1``) from frame ``frames_per_skill // 2`` on; base ``(0.1, 0, -0.1)``.
    """
    space = gym.spaces.Dict(
        {
            "head_rgb": gym.spaces.Box(0, 255, (32, 32, 3), np.uint8),
            "wrist_rgb": gym.spaces.Box(0, 255, (24, 24, 3), np.uint8),
            "state": gym.spaces.Box(-np.inf, np.inf, (18,), np.float32),
        }
    )
    act = gym.spaces.Dict(
        {"arm": gym.spaces.Box(-1, 1, (7,), np.float32), "base": gym.spaces.Box(-1, 1, (3,), np.float32)}
    )
    features = features_from_spaces(space, act, state_names=[f"s{i}" for i in range(18)])
    with DatasetWriter(root, features) as writer:
        for episode in range(episodes):
            writer.begin_episode(task="tidy up")
            for subgoal, (skill, text) in enumerate(SEGMENTS):
                for frame in range(frames_per_skill):
                    state = np.zeros(18, np.float32)
                    state[0], state[1] = frame, episode
                    state[8:11] = frame, episode, subgoal
                    arm = np.full(7, 0.01 * frame, np.float32)
                    closed = (frame >= frames_per_skill // 2) != (skill == "place")
                    arm[6] = 1.0 if closed else -1.0
                    writer.add_frame(
                        {
                            "head_rgb": np.full((32, 32, 3), 20 * frame + 60 * subgoal, np.uint8),
                            "wrist_rgb": np.full((24, 24, 3), 30 * frame, np.uint8),
                            "state": state,
                        },
                        {"arm": arm, "base": np.array([0.1, 0.0, -0.1], np.float32)},
                        skill=skill,
                        subgoal_index=subgoal,
                        task=text,
                    )
            writer.end_episode(success=True, provenance={"instruction": "tidy up", "seed": episode})
    return root


def tiny_artifact(path: Path, family: str, **overrides: object) -> Path:
    """A real (untrained) VLA artifact of ``family`` with small widths, saved to ``path``."""
    from skills.vla.artifact import save_policy
    from skills.vla.model import VLAModel
    from skills.vla.normalize import NormStats
    from skills.vla.policy import VLAPolicy

    config = tiny_config(family, **overrides)
    dim = config.action_dim
    stats = NormStats(
        state_mean=[0.0] * config.state_width,
        state_std=[1.0] * config.state_width,
        action_low=[-1.0] * dim,
        action_high=[1.0] * dim,
    )
    save_policy(path, VLAPolicy(VLAModel(config), stats))
    return path.with_name(path.name + ".safetensors")
