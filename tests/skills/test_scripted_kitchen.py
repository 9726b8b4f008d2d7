"""Scripted navigate_to, pick and place alone on kitchen-v0 (mobile Panda)."""

from __future__ import annotations

import pytest

import scenes
from agentrt.core.results import SkillStatus
from skills.scripted import ScriptedNavigate, ScriptedPick, ScriptedPlace


@pytest.fixture(scope="module")
def env():
    env = scenes.make("kitchen-v0", head_size=32, wrist_size=32)
    yield env
    env.close()


def test_navigate_pick_navigate_place(env) -> None:
    env.reset(seed=2)
    obj = env.describe().misplaced()[0]
    res = ScriptedNavigate().run(env, {"place": obj.location}, scene=env.describe())
    assert res.ok, res.reason
    assert env.describe().robot.at == obj.location
    res = ScriptedPick().run(env, {"object": obj.id}, scene=env.describe())
    assert res.ok, res.reason
    assert env.describe().robot.holding == obj.id
    res = ScriptedNavigate().run(env, {"place": obj.home}, scene=env.describe())
    assert res.ok, res.reason
    scene = env.describe()
    assert scene.robot.at == obj.home and scene.robot.holding == obj.id, "carried while driving"
    res = ScriptedPlace().run(env, {"object": obj.id, "receptacle": obj.home}, scene=scene)
    assert res.ok, res.reason
    assert env.describe().object(obj.id).location == obj.home


def test_pick_out_of_reach_fails_with_reason(env) -> None:
    env.reset(seed=2)
    scene = env.describe()
    obj = scene.misplaced()[0]
    fake = scene.model_copy(deep=True)
    fake.robot.at = obj.location  # the robot is really at its start pose, far away
    res = ScriptedPick().run(env, {"object": obj.id}, scene=fake)
    assert res.status is SkillStatus.FAILURE and "out of reach" in res.reason
    assert env.describe().robot.holding is None


def test_navigate_unknown_place_fails(env) -> None:
    env.reset(seed=2)
    scene = env.describe()
    res = ScriptedNavigate().run(env, {"place": "garage"}, scene=scene)
    assert res.status is SkillStatus.ABORTED  # place(garage) is not a fact
