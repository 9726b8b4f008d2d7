"""The torch reader: windows, padding masks, decoded frames, tasks, stats (known answers)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from agentrt.datasets.torch_dataset import EpisodeDataset

from .helpers import make_dataset


@pytest.fixture
def dataset(tmp_path):
    return EpisodeDataset(
        make_dataset(tmp_path / "ds", [3, 5], tasks=["pick the mug", "open the drawer"]),
        n_obs_steps=2,
        horizon=4,
    )


def test_history_is_padded_at_the_episode_start(dataset):
    sample = dataset[3]  # episode 1, frame 0
    assert sample["episode_index"] == 1 and sample["frame_index"] == 0 and sample["index"] == 3
    assert sample["observation.state"][:, 1].tolist() == [0.0, 0.0]  # frame 0 repeated
    assert sample["observation.state_is_pad"].tolist() == [True, False]
    assert sample["task"] == "open the drawer" and sample["skill"] == "pick"


def test_action_chunk_is_padded_at_the_episode_end(dataset):
    sample = dataset[1]  # episode 0, frame 1 of 3
    assert sample["action"][:, 0].tolist() == pytest.approx([0.1, 0.2, 0.2, 0.2])
    assert sample["action_is_pad"].tolist() == [False, False, True, True]
    assert sample["observation.state"][:, 1].tolist() == [0.0, 1.0]
    assert sample["observation.state_is_pad"].tolist() == [False, False]


def test_images_are_decoded_in_window_order(dataset):
    sample = dataset[7]  # episode 1, frame 4: head values 10*f + 40
    head = sample["observation.images.head"]
    assert head.shape == (2, 3, 16, 16) and head.dtype == torch.float32
    np.testing.assert_allclose(head.mean(dim=(1, 2, 3)).numpy() * 255, [70, 80], atol=3)
    assert sample["observation.images.wrist"].shape == (2, 3, 8, 8)


def test_cache_stays_bounded(tmp_path):
    data = EpisodeDataset(make_dataset(tmp_path / "ds", [2, 2, 2]), cache_bytes=1)
    for i in range(len(data)):
        data[i]
    assert len(data._cache) == 1


def test_normalize_uses_stats_json(dataset):
    state = torch.tensor([0.0, 1.0, 0.5, -1.0])
    frames = np.array([0, 1, 2, 0, 1, 2, 3, 4], float)
    out = dataset.normalize("observation.state", state)
    assert out[1].item() == pytest.approx((1 - frames.mean()) / frames.std(), rel=1e-5)
    assert out[3].item() == 0.0  # constant feature: std 0 floored, not a division by zero


def test_works_in_a_dataloader(dataset):
    batch = next(iter(torch.utils.data.DataLoader(dataset, batch_size=4)))
    assert batch["action"].shape == (4, 4, 10) and len(batch["task"]) == 4
