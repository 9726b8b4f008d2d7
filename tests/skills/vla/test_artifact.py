"""Save -> load gives identical actions; loading a damaged artifact raises instead of running."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from skills.vla.artifact import VLAArtifactError, artifact_paths, load_policy, save_policy
from skills.vla.model import VLAModel
from skills.vla.normalize import NormStats
from skills.vla.policy import VLAPolicy
from skills.vla.protocol import ChunkPolicy
from tests.skills.vla.helpers import FakeTextEncoder, observation, tiny_config


def make_policy(head: str = "tokens", family: str = "manipulation", **overrides: object) -> VLAPolicy:
    torch.manual_seed(0)
    config = tiny_config(family, head=head, **overrides)
    model = VLAModel(config)
    for p in model.parameters():  # FiLM starts at zero; make every weight matter
        if p.dim() >= 2 and not p.abs().sum():
            torch.nn.init.normal_(p, std=0.05)
    rng = np.random.default_rng(0)
    stats = NormStats.from_arrays(
        rng.standard_normal((50, config.state_width)), rng.uniform(-0.05, 0.05, (50, config.action_dim))
    )
    return VLAPolicy(model, stats, FakeTextEncoder(), provenance={"steps": 7})


KEYPOINTS = {"keypoints": 3, "cnn_widths": (8, 16, 16), "goal_weight": 1.0}
KEYPOINT_GOAL = {**KEYPOINTS, "goal_source": "keypoints"}


@pytest.mark.parametrize(
    ("head", "family", "overrides"),
    [
        ("tokens", "manipulation", {}),
        ("flow", "manipulation", {}),
        ("l1", "navigation", {}),
        ("tokens", "manipulation", KEYPOINTS),
        ("l1", "manipulation", KEYPOINT_GOAL),
    ],
)
def test_save_load_gives_identical_actions(tmp_path: Path, head: str, family: str, overrides: dict) -> None:
    policy = make_policy(head, family, **overrides)
    weights, config = save_policy(tmp_path / "ckpt", policy)
    assert weights.name == "ckpt.safetensors" and config.name == "ckpt.json"
    loaded = load_policy(tmp_path / "ckpt.safetensors", text_encoder=FakeTextEncoder())
    assert loaded.config == policy.config and loaded.stats == policy.stats
    assert loaded.provenance == {"steps": 7}
    rng = np.random.default_rng(1)
    for _ in range(3):
        obs = observation(rng)
        policy.reset()
        loaded.reset()
        a = policy.predict_chunk(obs, "pick up the red mug")
        b = loaded.predict_chunk(obs, "pick up the red mug")
        assert a.dtype == np.float32 and a.shape == (policy.chunk_size, policy.config.action_dim)
        np.testing.assert_array_equal(a, b)


def test_policy_satisfies_chunk_policy_and_stays_in_the_training_range() -> None:
    policy = make_policy("l1")
    assert isinstance(policy, ChunkPolicy)
    assert policy.obs_keys == ("head_rgb", "wrist_rgb", "state") and policy.action_keys == ("arm",)
    assert policy.control_hz == 10.0
    chunk = policy.predict_chunk(observation(np.random.default_rng(2)), "pick up the red mug")
    low, high = np.array(policy.stats.action_low), np.array(policy.stats.action_high)
    assert np.all(chunk >= low - 1e-6) and np.all(chunk <= high + 1e-6)


def test_each_instruction_is_embedded_once() -> None:
    policy = make_policy()
    obs = observation(np.random.default_rng(3))
    for text in ("pick up the red mug", "pick up the red mug", "pick up the blue mug"):
        policy.predict_chunk(obs, text)
    assert policy._text_encoder.calls == ["pick up the red mug", "pick up the blue mug"]


def test_missing_observation_key_is_named() -> None:
    obs = observation(np.random.default_rng(4))
    del obs["wrist_rgb"]
    with pytest.raises(KeyError, match="wrist_rgb"):
        make_policy().predict_chunk(obs, "pick up the red mug")


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    save_policy(tmp_path / "ckpt", make_policy())
    return tmp_path / "ckpt"


def test_missing_file_raises(saved: Path) -> None:
    artifact_paths(saved)[0].unlink()
    with pytest.raises(VLAArtifactError, match="does not exist"):
        load_policy(saved)


def edit_json(path: Path, **changes: object) -> None:
    config = artifact_paths(path)[1]
    raw = json.loads(config.read_text())
    for key, value in changes.items():
        target, *rest = key.split(".")
        if rest:
            raw[target][rest[0]] = value
        else:
            raw[target] = value
    config.write_text(json.dumps(raw))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "controller"}, "not a VLA artifact"),
        ({"format_version": 99}, "format version 99"),
        ({"config.d_model": 64}, "weights do not fit"),
        ({"config.head": "diffusion"}, "invalid VLA config"),
        ({"config.unknown_field": 1}, "invalid VLA config"),
        ({"stats.action_low": [0.0, 0.0]}, "invalid VLA config|action statistics"),
        ({"config.sincos_angles": [5]}, "state statistics have 18 entries"),  # stats without the cosine
    ],
)
def test_inconsistent_config_raises(saved: Path, changes: dict, message: str) -> None:
    edit_json(saved, **changes)
    with pytest.raises(VLAArtifactError, match=message):
        load_policy(saved)


def test_truncated_or_partial_weights_raise(saved: Path) -> None:
    weights = artifact_paths(saved)[0]
    state = load_file(str(weights))
    state.pop(next(iter(state)))
    save_file(state, str(weights))
    with pytest.raises(VLAArtifactError, match="weights do not fit"):
        load_policy(saved)
    weights.write_bytes(b"not safetensors")
    with pytest.raises(VLAArtifactError, match="weights do not fit"):
        load_policy(saved)


def test_non_finite_weights_raise(saved: Path) -> None:
    weights = artifact_paths(saved)[0]
    state = load_file(str(weights))
    key = next(k for k, v in state.items() if v.is_floating_point())
    state[key] = torch.full_like(state[key], float("nan"))
    save_file(state, str(weights))
    with pytest.raises(VLAArtifactError, match="non-finite"):
        load_policy(saved)
