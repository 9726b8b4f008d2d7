"""The controller artifact: export from SB3 gives SB3's own actions; loading is all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from controllers.artifact import ArtifactError, export_sb3, load_artifact
from controllers.locomotion.env import QuadrupedLocomotionEnv
from controllers.train import policy_of
from tests.controllers.helpers import tiny_ppo


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A PPO model after one tiny update (so weights and normalisation are not at their init values)."""
    model, venv = tiny_ppo(lambda: QuadrupedLocomotionEnv({"episode_s": 1.0}))
    path = tmp_path_factory.mktemp("artifact") / "ctrl"
    export_sb3(
        model, venv, kind="locomotion", recipe="test", env_config={}, provenance={"steps": 64}, path=path
    )
    yield model, venv, path
    venv.close()


def test_save_load_gives_identical_actions(trained) -> None:
    model, venv, path = trained
    policy = load_artifact(path)
    reference = policy_of(model, venv)
    rng = np.random.default_rng(0)
    for _ in range(20):
        obs = rng.normal(0, 2, 50)
        np.testing.assert_allclose(policy(obs), reference(obs), atol=1e-6)
    assert policy.meta.provenance == {"steps": 64}
    assert policy.meta.activation == "tanh"  # SB3's default, detected from the network


def test_missing_weights_raise(trained, tmp_path: Path) -> None:
    _, _, path = trained
    (tmp_path / "c.json").write_text(path.with_suffix(".json").read_text())
    with pytest.raises(ArtifactError, match="does not exist"):
        load_artifact(tmp_path / "c")


def test_mismatched_config_raises(trained, tmp_path: Path) -> None:
    _, _, path = trained
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["hidden"] = [16, 16]
    (tmp_path / "c.json").write_text(json.dumps(meta))
    (tmp_path / "c.safetensors").write_bytes(path.with_suffix(".safetensors").read_bytes())
    with pytest.raises(ArtifactError, match="do not fit"):
        load_artifact(tmp_path / "c")


def test_corrupt_config_raises(trained, tmp_path: Path) -> None:
    _, _, path = trained
    (tmp_path / "c.json").write_text("{not json")
    (tmp_path / "c.safetensors").write_bytes(path.with_suffix(".safetensors").read_bytes())
    with pytest.raises(ArtifactError, match="invalid controller config"):
        load_artifact(tmp_path / "c")
