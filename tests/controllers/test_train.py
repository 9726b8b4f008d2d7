"""Training resumes from its checkpoint and ends with a loadable artifact (tiny step counts only)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from controllers.artifact import load_artifact
from controllers.recipes import get_recipe
from controllers.train import train


def test_train_resumes_and_exports(tmp_path: Path) -> None:
    seen: list[int] = []
    first = train(
        "a1-locomotion",
        tmp_path,
        steps=2048,
        envs=2,
        chunk_steps=2048,
        on_chunk=lambda d, t, m: seen.append(d),
    )
    assert first.steps == 2048 and seen == [2048]
    state = json.loads((tmp_path / "checkpoint" / "state.json").read_text())
    assert state["steps"] == 2048 and state["recipe"] == "a1-locomotion"
    second = train("a1-locomotion", tmp_path, steps=4096, envs=2, chunk_steps=2048)
    assert second.steps == 4096  # continued from 2048, not restarted
    policy = load_artifact(second.artifact)
    assert policy.meta.provenance["steps"] == 4096
    assert policy(np.zeros(policy.meta.obs_dim)).shape == (12,)


def test_unknown_recipe_lists_known() -> None:
    with pytest.raises(KeyError, match="a1-locomotion"):
        get_recipe("spot-dance")


def test_curriculum_stage_follows_progress() -> None:
    recipe = get_recipe("a1-locomotion")
    assert recipe.stage_at(0.0).env_config["randomization"]["bump_height_m"] == 0.0
    assert recipe.stage_at(0.75).env_config["randomization"]["bump_height_m"] > 0.0
