"""Scripted pick and place alone on tabletop-v0 (fixed Panda)."""

from __future__ import annotations

import pytest

import scenes
from agentrt.core.results import SkillStatus
from skills.scripted import ScriptedNavigate, ScriptedPick, ScriptedPlace


@pytest.fixture(scope="module")
def env():
    env = scenes.make("tabletop-v0", head_size=32, wrist_size=32)
    yield env
    env.close()


@pytest.mark.parametrize("seed", [0, 1])
def test_pick_then_place_home(env, seed: int) -> None:
    env.reset(seed=seed)
    obj = env.describe().misplaced()[0]
    res = ScriptedPick().run(env, {"object": obj.id}, scene=env.describe())
    assert res.ok, res.reason
    scene = env.describe()
    assert scene.robot.holding == obj.id and ("holding", obj.id) in scene.facts()
    res = ScriptedPlace().run(env, {"object": obj.id, "receptacle": obj.home}, scene=scene)
    assert res.ok, res.reason
    after = env.describe()
    assert after.object(obj.id).location == obj.home and after.robot.holding is None


def test_place_without_holding_fails_with_reason(env) -> None:
    env.reset(seed=0)
    scene = env.describe()
    obj = scene.objects[0]
    fake = scene.model_copy(deep=True)
    fake.robot.holding = obj.id  # lie about the precondition: the skill itself must notice
    res = ScriptedPlace().run(env, {"object": obj.id, "receptacle": "tray"}, scene=fake)
    assert res.status is SkillStatus.FAILURE and "not holding" in res.reason


def test_precondition_violation_aborts_without_moving(env) -> None:
    env.reset(seed=0)
    res = ScriptedPick().run(env, {"object": "no_such_block"}, scene=env.describe())
    assert res.status is SkillStatus.ABORTED and res.steps == 0


def test_navigate_refuses_on_fixed_robot(env) -> None:
    env.reset(seed=0)
    res = ScriptedNavigate().run(env, {"place": "tray"}, scene=env.describe())
    assert not res.ok and res.reason
