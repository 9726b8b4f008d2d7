"""@skill: typed functions and classes become registered skills the planner can use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import numpy as np
import pytest
from pydantic import Field

from agentrt.core.registry import SKILLS, RegistryError
from agentrt.core.results import SkillStatus
from agentrt.testing import FakeEnv, fixture_scene
from planners.symbolic import SymbolicPlanner
from skills.authoring import SkillContext, skill
from skills.base import Action, Done, Skill
from skills.compose import Node, call, sequence

SCENE = fixture_scene(
    [("mug_0", "red mug", "mug", "counter", "shelf"), ("mug_1", "blue mug", "mug", "sink", "shelf")],
    ["counter", "sink", "dining_table", "shelf"],
    robot_at="counter",
)
STILL = {"arm": np.zeros(7, np.float32)}


@pytest.fixture
def registered() -> Iterator[list[str]]:
    """Names registered by the test, removed afterwards so other tests see the usual skills."""
    names: list[str] = []
    yield names
    for name in names:
        SKILLS.remove(name)


def test_generator_skill_takes_typed_arguments_and_docstring() -> None:
    @skill(preconditions=["in(?object, ?place)"], effects=["in(?object, ?place)"], register=False)
    def wiggle(ctx: SkillContext, object: str, place: str, times: Annotated[int, Field(ge=1)] = 2):
        """Wiggle the gripper over an object a few times (generator skill)."""
        for _ in range(times):
            obs = yield STILL
            assert "state" in obs and ctx.obs is obs
        return ctx.scene.object(object).location == place

    assert issubclass(wiggle, Skill) and wiggle.name == "wiggle"
    spec = wiggle.spec()
    assert spec.arg_names == ("object", "place", "times")
    assert spec.args_schema["properties"]["times"]["minimum"] == 1
    assert spec.description.startswith("Wiggle the gripper")
    assert spec.instruction == "wiggle {object} {place} {times}"
    env = FakeEnv(SCENE)
    result = wiggle().run(env, {"object": "mug_0", "place": "counter", "times": 3}, scene=SCENE)
    assert result.ok and result.steps == env.steps == 3
    bad = wiggle().run(env, {"object": "mug_0", "place": "counter", "times": 0}, scene=SCENE)
    assert bad.status is SkillStatus.FAILURE and "times" in bad.reason


def test_generator_skill_fails_by_returning_done() -> None:
    @skill(effects=["hand_empty()"], register=False)
    def give_up(ctx: SkillContext) -> Iterator[Action]:
        """Take one step and then give up with a reason."""
        yield STILL
        return Done(False, "nothing to do here")

    result = give_up().run(FakeEnv(SCENE), {}, scene=SCENE)
    assert result.status is SkillStatus.FAILURE and result.reason == "nothing to do here"


def test_class_skill_gets_fields_as_arguments() -> None:
    @skill(
        name="hold_still", effects=["hand_empty()"], instruction="hold still for {seconds} s", register=False
    )
    class HoldStill:
        """Keep the arm still for a while (class skill)."""

        seconds: float = 0.3

        def reset(self, env, scene) -> None:  # type: ignore[no-untyped-def]
            self.left = round(self.seconds * 10)

        def act(self, obs):  # type: ignore[no-untyped-def]
            self.left -= 1
            return STILL if self.left >= 0 else Done(True)

    assert HoldStill.name == "hold_still" and HoldStill.spec().arg_names == ("seconds",)
    env = FakeEnv(SCENE)
    result = HoldStill().run(env, {"seconds": 0.5}, scene=SCENE)
    assert result.ok and env.steps == 5


def test_function_composite_is_registered_listed_and_refused_twice(registered: list[str]) -> None:
    @skill(instruction="tidy the {mug}")
    def shelve_mug(mug: str) -> Node:
        """Bring a mug to the shelf with the scripted experts."""
        return sequence(
            call("navigate_to", place="?from"),
            call("pick", object=mug),
            call("navigate_to", place="shelf"),
            call("place", object=mug, receptacle="shelf"),
        )

    registered.append("shelve_mug")
    assert SKILLS.get("shelve_mug") is shelve_mug
    assert "in(?mug, shelf)" in shelve_mug.effects and "in(?mug, ?from)" in shelve_mug.preconditions
    with pytest.raises(RegistryError, match="skill 'shelve_mug' is already registered"):

        @skill(name="shelve_mug", effects=["hand_empty()"])
        def other(ctx: SkillContext) -> Iterator[Action]:
            """Another skill that wants the same name."""
            yield STILL


def test_open_argument_is_chosen_by_the_planner() -> None:
    @skill(instruction="serve a drink", register=False)
    def serve_drink(mug: str) -> Node:
        """Fetch a mug and put it on the dining table."""
        return sequence(
            call("navigate_to", place="?from"),
            call("pick", object=mug),
            call("navigate_to", place="dining_table"),
            call("place", object=mug, receptacle="dining_table"),
        )

    specs = [SKILLS.get(n).spec() for n in ("navigate_to", "pick", "place")] + [serve_drink.spec()]
    scene = SCENE.model_copy(deep=True)
    scene.objects[0].location = "dining_table"  # mug_0 is served already: serve mug_1
    plan = SymbolicPlanner({"use_encoder": False}).plan("Serve a drink, please", scene, specs)
    assert [(s.skill, s.args) for s in plan.subgoals] == [("serve_drink", {"mug": "mug_1"})]
    assert "in(mug_1, dining_table)" in plan.goal


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f(mug: str):\n    return None", "needs a docstring"),
        ("def f(mug):\n    '''Doc.'''\n    return None", "needs a type hint"),
        ("def f(times: int):\n    '''Doc.'''\n    return None", "arguments are scene ids"),
        ("def f(mug: str):\n    '''Doc.'''\n    return 3", "must return parts built with skills.compose"),
        ("class F:\n    '''Doc.'''\n    x: int = 1", "must define act"),
    ],
)
def test_malformed_definitions_fail_when_decorated(source: str, message: str) -> None:
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - small literal snippets
    target = namespace.get("f") or namespace["F"]
    with pytest.raises(TypeError, match=message):
        skill(register=False)(target)
