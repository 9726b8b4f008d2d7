"""Gymnasium ids exist after ``import scenes`` and agree with the scene registry."""

from __future__ import annotations

import gymnasium
import pytest

import scenes  # noqa: F401  (registers the Gymnasium ids, lazily)
from agentrt.core.registry import SCENES

IDS = {"agentrt/Kitchen-v0": "kitchen-v0", "agentrt/Tabletop-v0": "tabletop-v0"}


@pytest.mark.parametrize(("gym_id", "name"), IDS.items())
def test_gym_id_matches_registered_scene(gym_id: str, name: str) -> None:
    spec = gymnasium.spec(gym_id)
    cls = SCENES.get(name)
    assert spec.entry_point == f"{cls.__module__}:{cls.__qualname__}"
    assert spec.max_episode_steps == cls.max_episode_steps


def test_gymnasium_make_builds_a_wrapped_env() -> None:
    env = gymnasium.make("agentrt/Tabletop-v0")
    try:
        obs, _ = env.reset(seed=0)
        assert set(obs) >= {"head_rgb", "wrist_rgb", "state"}
        assert env.unwrapped.describe().scene == "tabletop-v0"
    finally:
        env.close()
