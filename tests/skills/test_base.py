"""The Skill base class: declaration checks at class creation, and run() bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import BaseModel

from agentrt.core.results import SkillStatus
from agentrt.testing import FakeEnv, fixture_scene
from skills.base import Done, Skill, StepEvent

SCENE = fixture_scene(
    [("mug_0", "red mug", "mug", "counter", "sink")], ["counter", "sink"], robot_at="counter"
)


class Grab(Skill):
    """Close the gripper on an object after ``hold`` steps (a fake of a pick)."""

    name = "grab"

    class Args(BaseModel):
        object: str

    preconditions = ("hand_empty()", "in(?object, ?from)", "robot_at(?from)")
    effects = ("holding(?object)", "not hand_empty()")
    instruction = "grab the {object}"
    hold = 3
    fail_with: Exception | None = None

    def _reset(self, env, args, scene) -> None:  # type: ignore[no-untyped-def]
        self.env, self.args, self.count = env, args, 0

    def _act(self, obs):  # type: ignore[no-untyped-def]
        if self.fail_with is not None:
            raise self.fail_with
        if self.count == self.hold:
            self.env.move_object(self.args.object, None, held=True)
            return Done(True)
        self.count += 1
        return {"arm": np.zeros(7, np.float32)}


def test_run_success_counts_steps_and_calls_hook() -> None:
    env, events = FakeEnv(SCENE.model_copy(deep=True)), []
    result = Grab().run(env, {"object": "mug_0"}, scene=env.describe(), on_step=events.append)
    assert result.status is SkillStatus.SUCCESS and result.terminated and not result.truncated
    assert result.steps == 3 and result.sim_time_s == pytest.approx(0.3)
    assert [e.step for e in events] == [1, 2, 3]
    assert isinstance(events[0], StepEvent) and events[0].instruction == "grab the mug_0"
    assert env.scene.robot.holding == "mug_0"


def test_invalid_arguments_fail_without_moving() -> None:
    env = FakeEnv(SCENE)
    result = Grab().run(env, {"thing": "mug_0"}, scene=SCENE)
    assert result.status is SkillStatus.FAILURE and "invalid arguments" in result.reason
    assert env.steps == 0


def test_unmet_precondition_aborts_without_moving() -> None:
    env = FakeEnv(SCENE)
    away = SCENE.model_copy(deep=True)
    away.robot.at = "sink"
    result = Grab().run(env, {"object": "mug_0"}, scene=away)
    assert result.status is SkillStatus.ABORTED and "precondition" in result.reason
    assert env.steps == 0


def test_exception_becomes_failure_result() -> None:
    skill = Grab()
    skill.fail_with = RuntimeError("IK diverged")
    result = skill.run(FakeEnv(SCENE), {"object": "mug_0"}, scene=SCENE)
    assert result.status is SkillStatus.FAILURE
    assert result.reason == "RuntimeError: IK diverged"


def test_step_budget_truncates() -> None:
    skill = Grab()
    skill.hold = 1000
    result = skill.run(FakeEnv(SCENE), {"object": "mug_0"}, scene=SCENE, max_steps=5)
    assert result.status is SkillStatus.ABORTED and result.truncated and not result.terminated
    assert result.steps == 5 and "budget" in result.reason


def test_spec_publishes_declarations() -> None:
    spec = Grab.spec()
    assert spec.name == "grab" and spec.arg_names == ("object",)
    assert spec.effects == ("holding(?object)", "not hand_empty()")
    assert "fake of a pick" in spec.description
    assert spec.args_schema["properties"]["object"]["type"] == "string"


def _define(**attrs):  # type: ignore[no-untyped-def]
    class Args(BaseModel):
        object: str

    body = {"name": "bad", "Args": Args, "_reset": lambda *a: None, "_act": lambda *a: Done(True), **attrs}
    return type("Bad", (Skill,), body)


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"name": ""}, "must set `name`"),
        ({"Args": dict}, "pydantic"),
        ({"effects": ("holding(?thing)",)}, "bound by no argument"),
        ({"instruction": "grab the {thing}"}, "unknown argument"),
        ({"preconditions": ("in(?object",)}, "malformed"),
        ({"max_steps": 0}, "positive"),
    ],
)
def test_malformed_skill_is_rejected_when_defined(attrs: dict, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        _define(**attrs)
