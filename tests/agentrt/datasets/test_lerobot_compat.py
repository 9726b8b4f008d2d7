"""Optional: lerobot itself loads what we write (skipped when lerobot is not installed)."""

from __future__ import annotations

import pytest

from .helpers import make_dataset


def test_lerobot_loads_our_dataset(tmp_path):
    lerobot_dataset = pytest.importorskip("lerobot.datasets.lerobot_dataset")
    root = make_dataset(tmp_path / "ds", [3, 4], tasks=["pick the mug", "open the drawer"])
    data = lerobot_dataset.LeRobotDataset("local/agentrt-test", root=root)
    assert data.num_episodes == 2 and data.num_frames == 7
    sample = data[4]
    assert sample["task"] == "open the drawer"
    assert tuple(sample["observation.images.head"].shape) == (3, 16, 16)
    assert int(sample["episode_index"]) == 1 and int(sample["frame_index"]) == 1
