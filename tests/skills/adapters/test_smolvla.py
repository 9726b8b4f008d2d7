"""SmolVLA adapter without lerobot (not installable here: it needs torchvision).

Tested: reading and checking the folder, the feature mapping to our observation and action
conventions, the batch, slicing the returned chunk, driving a learned skill, and the clear
errors for a missing package or missing weights. NOT tested (needs lerobot): that
``SmolVLAPolicy.from_pretrained`` and ``make_pre_post_processors`` accept these batches; the
policy here is a test fake returning a fixed ``(1, T, A)`` tensor.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from agentrt.core.results import SkillStatus
from agentrt.testing import FakeEnv, fixture_scene
from skills.adapters.smolvla import INSTALL_HINT, SmolVLAAdapter, read_spec
from skills.learned import LearnedNavigate, LearnedPick
from skills.vla.catalog import load_chunk_policy
from skills.vla.protocol import ChunkPolicy


def _folder(tmp_path: Path, images=("head", "wrist"), state=18, action=10, steps=5, weights=True) -> Path:  # type: ignore[no-untyped-def]
    features = {f"observation.images.{c}": {"type": "VISUAL", "shape": [3, 64, 64]} for c in images}
    features["observation.state"] = {"type": "STATE", "shape": [state]}
    config = {
        "type": "smolvla",
        "input_features": features,
        "chunk_size": 50,
        "n_action_steps": steps,
        "output_features": {"action": {"type": "ACTION", "shape": [action]}},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    if weights:
        (tmp_path / "model.safetensors").write_bytes(b"")
    return tmp_path


class FakeSmolVLA:
    """Stands in for lerobot's SmolVLAPolicy: row t of the chunk is ``t + 0.01 * column``."""

    def __init__(self, width: int = 10, rows: int = 50) -> None:
        self.width, self.rows, self.batches, self.resets = width, rows, [], 0

    def reset(self) -> None:
        self.resets += 1

    def predict_action_chunk(self, batch):  # type: ignore[no-untyped-def]
        self.batches.append(batch)
        t = torch.arange(self.rows, dtype=torch.float32)[:, None] + 0.01 * torch.arange(self.width)[None]
        return t[None]


def test_spec_maps_our_cameras_and_slices_the_action_group(tmp_path: Path) -> None:
    spec = read_spec(_folder(tmp_path))
    assert spec.images == {"observation.images.head": "head_rgb", "observation.images.wrist": "wrist_rgb"}
    assert spec.action_slice == (0, 7) and spec.chunk_size == 5
    assert read_spec(tmp_path, action_keys=("base",)).action_slice == (7, 10)
    _folder(tmp_path, images=("top",), action=3)
    assert read_spec(tmp_path, {"observation.images.top": "head_rgb"}, ("base",)).action_slice == (0, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"images": ("top",)}, "cameras \\['top_rgb'\\] are not ours"),
        ({"state": 6}, "observation.state has shape \\[6\\]"),
        ({"action": 6}, "actions are 6-D; arm needs 7"),
    ],
)
def test_features_that_do_not_fit_are_refused(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_spec(_folder(tmp_path, **kwargs))


def test_missing_weights_and_missing_lerobot_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(FileNotFoundError, match="no SmolVLA checkpoint folder"):
        SmolVLAAdapter.from_pretrained(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="model.safetensors is missing"):
        SmolVLAAdapter.from_pretrained(_folder(tmp_path, weights=False))
    _folder(tmp_path)
    for name in (
        "lerobot",
        "lerobot.policies.smolvla.modeling_smolvla",
        "lerobot.common.policies.smolvla.modeling_smolvla",
    ):
        monkeypatch.setitem(
            sys.modules, name, None
        )  # absent here anyway; None makes the import fail everywhere
    with pytest.raises(ImportError, match="lerobot is not installed") as info:
        load_chunk_policy(tmp_path)  # config type smolvla -> this adapter
    assert str(info.value) == INSTALL_HINT


def test_batch_and_chunk_mapping(tmp_path: Path) -> None:
    fake = FakeSmolVLA()
    adapter = SmolVLAAdapter(fake, read_spec(_folder(tmp_path)))
    assert isinstance(adapter, ChunkPolicy) and adapter.obs_keys == ("head_rgb", "wrist_rgb", "state")
    head = np.full((128, 128, 3), 255, np.uint8)
    head[0, 0] = (0, 51, 102)
    obs = {
        "head_rgb": head,
        "wrist_rgb": np.zeros((96, 96, 3), np.uint8),
        "state": np.arange(18, dtype=np.float32),
    }
    chunk = adapter.predict_chunk(obs, "pick up the red mug")
    batch = fake.batches[-1]
    assert batch["observation.images.head"].shape == (1, 3, 128, 128)
    assert batch["observation.images.head"][0, :, 0, 0].tolist() == pytest.approx([0.0, 0.2, 0.4])
    assert batch["observation.images.wrist"].shape == (1, 3, 96, 96)
    assert batch["observation.state"].tolist() == [list(range(18))] and batch["task"] == [
        "pick up the red mug"
    ]
    assert chunk.shape == (5, 7) and chunk.dtype == np.float32
    assert chunk[:, 0].tolist() == [0, 1, 2, 3, 4] and chunk[0, 6] == pytest.approx(0.06)


def test_adapter_drives_learned_skills(tmp_path: Path) -> None:
    scene = fixture_scene(
        [("mug_0", "red mug", "mug", "counter", "shelf")], ["counter", "shelf"], robot_at="counter"
    )
    fake = FakeSmolVLA()
    skill = LearnedNavigate(SmolVLAAdapter(fake, read_spec(_folder(tmp_path), action_keys=("base",))))
    env = FakeEnv(scene)
    env.get_obs = lambda: {
        "head_rgb": np.zeros((8, 8, 3), np.uint8),
        "wrist_rgb": np.zeros((8, 8, 3), np.uint8),
        "state": np.zeros(18, np.float32),
    }
    result = skill.run(env, {"place": "shelf"}, scene=scene, max_steps=3)
    assert result.status is SkillStatus.ABORTED and fake.resets == 1
    assert env.actions[0]["base"] == pytest.approx([0.07, 0.08, 0.09])  # columns 7..9 of row 0
    with pytest.raises(ValueError, match="action_keys"):
        LearnedPick(SmolVLAAdapter(fake, read_spec(tmp_path, action_keys=("base",))))
