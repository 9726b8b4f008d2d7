"""Composite skills on a symbolic fake world: derived preconditions/effects (worked out by
hand), execution through the children's own run(), segments and failure attribution."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from agentrt.core.results import SkillStatus
from agentrt.core.symbolic import apply_effects, bindings, parse_literal
from agentrt.testing import FakeEnv, FakeNavigate, FakePick, FakePlace, FakeSkill, fixture_scene
from skills.authoring import skill
from skills.base import Done, Skill
from skills.compose import (
    CompositeSkill,
    CompositionError,
    Node,
    call,
    fallback,
    for_each,
    misplaced_objects,
    retry,
    sequence,
    when,
)
from skills.compose.strips import Names


class Nav(FakeNavigate):
    """Drive to a place (fake)."""

    name = "nav"
    steps = 2


class Pick(FakePick):
    """Pick an object up (fake)."""

    name = "grasp"
    steps = 2


class LearnedPick(Pick):
    """Pick an object up (a fake learned policy that always misses)."""

    name = "learned_grasp"

    def _act(self, obs: dict[str, np.ndarray]) -> Any:
        if self.count < self.steps:
            return super()._act(obs)
        return Done(False, "policy lost the object")


class Put(FakePlace):
    """Put the held object in a receptacle (fake)."""

    name = "put"
    steps = 2


class Look(FakeSkill):
    """Look at a place (fake; its argument is in no precondition)."""

    name = "look"

    class Args(BaseModel):
        place: str

    effects = ("seen(?place)",)
    steps = 2

    def apply(self) -> None:
        pass


def fetch_to(obj: str, target: str) -> Node:
    return sequence(
        call(Nav, place="?from"),
        call(Pick, object=obj),
        call(Nav, place=target),
        call(Put, object=obj, receptacle=target),
    )


@skill(instruction="serve the {mug}", register=False)
def serve(mug: str) -> Node:
    """Fetch a mug and put it on the dining table (fake world)."""
    return fetch_to(mug, "dining_table")


PLACES = ["counter", "sink", "dining_table", "shelf"]


def world(**where: str) -> FakeEnv:
    objects = [
        ("mug_0", "red mug", "mug", where.get("mug_0", "counter"), "shelf"),
        ("mug_1", "blue mug", "mug", where.get("mug_1", "shelf"), "shelf"),
        ("apple_0", "red apple", "apple", where.get("apple_0", "sink"), "counter"),
    ]
    return FakeEnv(fixture_scene(objects, PLACES, robot_at="sink"))


@pytest.fixture(autouse=True)
def _no_failures() -> None:
    FakeSkill.failures = {}


def run(cls: type[Skill], env: FakeEnv, **args: str) -> tuple[Any, list]:
    events: list = []
    result = cls().run(env, args, scene=env.describe(), on_step=events.append)
    return result, events


# ------------------------------------------------------------------- sequence
def test_sequence_derives_strips_composition() -> None:
    # navigate(?from): +robot_at(?from) -robot_at(*); pick: needs in(?mug,?from_2), robot_at(?from_2),
    # unified with robot_at(?from); navigate(dining_table) deletes robot_at(?from); put re-adds hand_empty.
    assert serve.preconditions == (
        "mobile()",
        "place(?from)",
        "hand_empty()",
        "in(?mug, ?from)",
        "place(dining_table)",
        "receptacle(dining_table)",
    )
    assert serve.effects == (
        "robot_at(dining_table)",
        "in(?mug, dining_table)",
        "hand_empty()",
        "not robot_at(?other)",
        "not in(?mug, ?from)",
        "not holding(?mug)",
    )
    assert serve.action_keys == ("arm", "base") and serve.max_steps == 4 * 300
    assert serve.spec().description.startswith("Fetch a mug")


def test_derived_effects_agree_with_running_the_parts_symbolically() -> None:
    env = world()
    facts = env.describe().facts()
    binding = bindings([parse_literal(p) for p in serve.preconditions], facts, {"?mug": "mug_0"})[0]
    composite = apply_effects(facts, [parse_literal(e) for e in serve.effects], binding)
    state = facts
    for cls, b in [
        (Nav, {"?place": "counter"}),
        (Pick, {"?object": "mug_0", "?from": "counter"}),
        (Nav, {"?place": "dining_table"}),
        (Put, {"?object": "mug_0", "?receptacle": "dining_table"}),
    ]:
        state = apply_effects(state, [parse_literal(e) for e in cls.effects], b)
    assert composite == state


def test_sequence_runs_each_part_and_records_segments() -> None:
    env = world()
    result, events = run(serve, env, mug="mug_0")
    assert result.status is SkillStatus.SUCCESS, result.reason
    assert env.scene.object("mug_0").location == "dining_table"
    assert result.steps == env.steps == len(events) == 8
    assert [e.skill for e in events] == ["nav"] * 2 + ["grasp"] * 2 + ["nav"] * 2 + ["put"] * 2
    assert events[2].instruction == "pick up the red mug"
    segs = result.segments
    assert [(s.path, s.skill, s.args) for s in segs] == [
        ("1:nav", "nav", {"place": "counter"}),
        ("2:grasp", "grasp", {"object": "mug_0"}),
        ("3:nav", "nav", {"place": "dining_table"}),
        ("4:put", "put", {"object": "mug_0", "receptacle": "dining_table"}),
    ]
    assert [(s.start_step, s.end_step) for s in segs] == [(0, 2), (2, 4), (4, 6), (6, 8)]


def test_sequence_failure_names_the_part_and_stops() -> None:
    FakeSkill.failures = {"grasp": 1}
    env = world()
    result, _ = run(serve, env, mug="mug_0")
    assert result.status is SkillStatus.FAILURE
    assert result.reason == "2:grasp grasp(object=mug_0) failure: grasp missed"
    assert [(s.path, s.status.value) for s in result.segments] == [
        ("1:nav", "success"),
        ("2:grasp", "failure"),
    ]
    assert env.scene.robot.at == "counter"


def test_sequence_refuses_parts_that_cannot_follow_each_other() -> None:
    with pytest.raises(CompositionError, match="part 2 needs hand_empty.*earlier part removes it"):

        class Twice(CompositeSkill):
            """Pick two things with one hand."""

            name = "twice"

            class Args(BaseModel):
                a: str
                b: str

            tree = sequence(call(Pick, object="?a"), call(Pick, object="?b"))


def test_unbound_variable_is_refused_at_definition() -> None:
    with pytest.raises(CompositionError, match=r"\?where is neither an argument nor bound"):

        @skill(register=False)
        def wander(mug: str) -> Node:
            """Go somewhere nobody said."""
            return sequence(call(Look, place="?where"))


def test_composite_keeps_skill_bookkeeping() -> None:
    env = world()
    bad, _ = run(serve, env, cup="mug_0")
    assert bad.status is SkillStatus.FAILURE and "invalid arguments" in bad.reason
    env = FakeEnv(fixture_scene([("mug_0", "red mug", "mug", None, None)], PLACES, holding="mug_0"))
    refused, _ = run(serve, env, mug="mug_0")
    assert refused.status is SkillStatus.ABORTED and "precondition not met" in refused.reason
    assert env.steps == 0 and refused.segments == []


def test_step_budget_is_shared_by_the_parts() -> None:
    env = world()
    result = serve().run(env, {"mug": "mug_0"}, scene=env.describe(), max_steps=5)
    assert result.status is SkillStatus.ABORTED and result.truncated
    assert result.steps == env.steps == 5
    assert result.segments[-1].path == "3:nav" and "budget" in result.segments[-1].reason


# ---------------------------------------------------------------------- retry
@skill(register=False)
def grasp_hard(object: str) -> Node:
    """Pick an object, trying up to three times."""
    return retry(call(Pick, object=object), attempts=3)


def test_retry_derives_its_part_and_retries_until_success() -> None:
    assert grasp_hard.preconditions == Pick.preconditions and grasp_hard.effects == Pick.effects
    FakeSkill.failures = {"grasp": 2}
    env = world(mug_0="sink")
    result, _ = run(grasp_hard, env, object="mug_0")
    assert result.ok
    assert [(s.path, s.status.value) for s in result.segments] == [
        ("try 1:grasp", "failure"),
        ("try 2:grasp", "failure"),
        ("try 3:grasp", "success"),
    ]


def test_retry_gives_up_after_its_budget_with_the_last_reason() -> None:
    FakeSkill.failures = {"grasp": 5}
    env = world(mug_0="sink")
    result, _ = run(grasp_hard, env, object="mug_0")
    assert result.status is SkillStatus.FAILURE
    assert (
        result.reason
        == "failed after 3 of 3 attempts; last: try 3:grasp grasp(object=mug_0) failure: grasp missed"
    )


# ------------------------------------------------------------------- fallback
@skill(register=False)
def grasp_any_way(object: str) -> Node:
    """Pick with the learned policy; if it fails, with the scripted expert."""
    return fallback(call(LearnedPick, object=object), call(Pick, object=object))


def test_fallback_derives_common_effects_and_uses_the_expert_when_learned_fails() -> None:
    assert grasp_any_way.preconditions == Pick.preconditions
    assert grasp_any_way.effects == Pick.effects
    env = world(mug_0="sink")
    result, _ = run(grasp_any_way, env, object="mug_0")
    assert result.ok and env.scene.robot.holding == "mug_0"
    assert [(s.path, s.skill, s.status.value) for s in result.segments] == [
        ("alt 1:learned_grasp", "learned_grasp", "failure"),
        ("alt 2:grasp", "grasp", "success"),
    ]


def test_fallback_reports_every_alternative_when_all_fail() -> None:
    FakeSkill.failures = {"grasp": 1}
    result, _ = run(grasp_any_way, world(mug_0="sink"), object="mug_0")
    assert result.status is SkillStatus.FAILURE
    assert result.reason == (
        "every alternative failed: alt 1:learned_grasp learned_grasp(object=mug_0) failure: "
        "policy lost the object; alt 2:grasp grasp(object=mug_0) failure: grasp missed"
    )


# ---------------------------------------------------------------- conditional
@skill(register=False)
def ensure_served(mug: str) -> Node:
    """Bring the mug to the dining table unless it is already there."""
    return when("not in(?mug, dining_table)", fetch_to(mug, "dining_table"))


def test_conditional_derives_what_holds_after_either_branch() -> None:
    # Then-branch: the sequence above. Else-branch (no-op) starts knowing in(?mug, dining_table).
    # Both end with the mug on the table; only the then-branch moves the robot.
    assert "in(?mug, dining_table)" in ensure_served.effects
    assert "robot_at(dining_table)" not in ensure_served.effects
    assert "not in(?mug, dining_table)" not in ensure_served.preconditions
    assert "in(?mug, ?from)" in ensure_served.preconditions


def test_conditional_chooses_the_branch_from_the_scene() -> None:
    env = world(mug_0="dining_table")
    result, _ = run(ensure_served, env, mug="mug_0")
    assert result.ok and env.steps == 0 and result.segments == []
    env = world()
    result, _ = run(ensure_served, env, mug="mug_0")
    assert result.ok and env.scene.object("mug_0").location == "dining_table"
    assert [s.path for s in result.segments] == ["then/1:nav", "then/2:grasp", "then/3:nav", "then/4:put"]


def test_conditional_on_a_scene_function_and_its_else_branch() -> None:
    class Wash(CompositeSkill):
        """Put the mug in the sink if the apple is in the sink, else on the shelf."""

        name = "wash"

        class Args(BaseModel):
            mug: str

        tree = when(
            lambda scene: scene.object("apple_0").location == "sink",
            fetch_to("?mug", "sink"),
            fetch_to("?mug", "shelf"),
        )
        effects = ("hand_empty()",)

    env = world(apple_0="counter")
    result, _ = run(Wash, env, mug="mug_0")
    assert result.ok and env.scene.object("mug_0").location == "shelf"
    assert result.segments[0].path == "else/1:nav"


# ------------------------------------------------------------------ iteration
class TidyAll(CompositeSkill):
    """Put every misplaced object back where it belongs."""

    name = "tidy_all"

    class Args(BaseModel):
        pass

    tree = for_each(misplaced_objects, lambda item, home: fetch_to(item, home))
    effects = ("hand_empty()",)


def test_iteration_derives_only_item_independent_preconditions() -> None:
    assert TidyAll.preconditions == ("mobile()", "hand_empty()")
    loop = for_each(misplaced_objects, lambda item, home: fetch_to(item, home))
    assert loop.derive(Names()).effects() == ()


def test_iteration_runs_the_body_per_misplaced_object() -> None:
    env = world()  # mug_0 on the counter (home shelf), apple_0 in the sink (home counter)
    result, _ = run(TidyAll, env)
    assert result.ok, result.reason
    assert not env.describe().misplaced()
    assert [s.path for s in result.segments][:2] == ["1=mug_0/1:nav", "1=mug_0/2:grasp"]
    assert result.segments[4].path == "2=apple_0/1:nav"
    assert result.steps == 16


def test_iteration_failure_names_the_item() -> None:
    env = world()

    class Flaky(Pick):
        """Pick that fails on apples (fake)."""

        name = "flaky_grasp"

        def apply(self) -> None:
            if self.args.object.startswith("apple"):
                raise RuntimeError("slippery")
            super().apply()

    class TidyFlaky(CompositeSkill):
        """Tidy with the flaky pick."""

        name = "tidy_flaky"

        class Args(BaseModel):
            pass

        tree = for_each(
            misplaced_objects,
            lambda item, home: sequence(
                call(Nav, place="?from"),
                call(Flaky, object=item),
                call(Nav, place=home),
                call(Put, object=item, receptacle=home),
            ),
        )
        effects = ("hand_empty()",)

    result, _ = run(TidyFlaky, env)
    assert result.status is SkillStatus.FAILURE
    assert result.reason.startswith(
        "2=apple_0/2:flaky_grasp flaky_grasp(object=apple_0) failure: RuntimeError"
    )
    assert env.scene.object("mug_0").location == "shelf"


# --------------------------------------------------------------------- nesting
def test_nested_composites_flatten_segments_under_their_path() -> None:
    @skill(register=False)
    def serve_carefully(mug: str) -> Node:
        """Serve, retrying the whole thing once."""
        return retry(call(serve, mug=mug), attempts=2)

    assert serve_carefully.effects == serve.effects
    FakeSkill.failures = {"nav": 1}
    env = world()
    result, events = run(serve_carefully, env, mug="mug_0")
    assert result.ok and len(events) == env.steps == result.steps == 10
    paths = [s.path for s in result.segments]
    assert paths == [
        "try 1:serve",
        "try 1:serve/1:nav",
        "try 2:serve",
        "try 2:serve/1:nav",
        "try 2:serve/2:grasp",
        "try 2:serve/3:nav",
        "try 2:serve/4:put",
    ]
    assert result.segments[0].status is SkillStatus.FAILURE
    assert result.segments[2].start_step == result.segments[1].end_step == 2
