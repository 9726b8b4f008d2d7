"""Gymnasium ids exist after ``import scenes`` and agree with the scene registry."""

from __future__ import annotations

import gymnasium
import pytest

from agentrt.core.registry import SCENES
from scenes import gym_id  # importing scenes registers the Gymnasium ids, lazily


def test_gym_ids_follow_the_scene_names() -> None:
    assert gym_id("kitchen-v0") == "agentrt/Kitchen-v0" and gym_id("my-room-v2") == "agentrt/MyRoom-v2"


@pytest.mark.parametrize("name", SCENES.names())
def test_every_registered_scene_has_its_gym_id(name: str) -> None:
    spec = gymnasium.spec(gym_id(name))
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
