"""The lost-object and missed-grasp checks: alone on known fact sequences, and inside the pick."""

from __future__ import annotations

from types import SimpleNamespace

from agentrt.core.results import SkillStatus
from agentrt.core.symbolic import parse_atom
from agentrt.testing import FakeEnv
from skills.learned import LearnedPick, PickDoneConfig
from skills.learned.checks import LostObjectCheck, LostObjectConfig, MissedGraspCheck, MissedGraspConfig
from skills.learned.detector import FactReader
from tests.skills.learned.fakes import SCENE, pick_rows

BINDING = {"?object": "mug_0", "?from": "counter"}


class _Facts:
    """``facts()`` from a list, one entry per read."""

    def __init__(self, *steps: set[str]) -> None:
        self.steps = [frozenset(parse_atom(a) for a in s) for s in steps]

    def facts(self) -> frozenset:
        return self.steps.pop(0)


def test_the_lost_object_check_fails_after_lost_steps_without_any_kept_literal() -> None:
    on, gone = {"in(mug_0, counter)"}, set()
    check = LostObjectCheck(("in(?object, ?from)", "holding(?object)"), LostObjectConfig(lost_steps=2))
    check.reset(BINDING, FactReader(_Facts(on, gone, gone, {"holding(mug_0)"}, gone, gone, gone)))
    assert [check.check(s) for s in range(3)] == [None, None, None]  # lost at 1; 2 - 1 < 2
    assert check.check(3) is None and check.lost_since is None  # back in the hand
    assert check.check(4) is None and check.check(5) is None  # lost again at 4
    failed = check.check(6)
    assert failed is not None and not failed.success
    assert failed.reason == "lost track: none of in(mug_0, counter), holding(mug_0) holds"


def test_the_missed_grasp_check_counts_only_closed_steps_without_the_grasp() -> None:
    check = MissedGraspCheck("holding(?object)", MissedGraspConfig(miss_steps=2))
    check.reset(BINDING, FactReader(_Facts(set(), {"holding(mug_0)"}, set(), set())))
    assert check.check(0) is None  # open: the facts are not even read
    check.applied(True, 0)
    assert check.check(1) is None and check.check(2) is None  # closed since 0, held at the read for 2
    assert check.closed_since is None
    check.applied(True, 3)
    assert check.check(4) is None and check.check(5) == (
        "grasp missed: the gripper closed 2 steps ago and holding(mug_0) does not hold"
    )
    check.applied(False, 6)
    assert check.closed_since is None
    never = MissedGraspCheck("holding(?object)", MissedGraspConfig(miss_steps=0))
    never.reset(BINDING, FactReader(_Facts()))
    never.applied(True, 0)
    assert never.check(100) is None  # 0: never


class _KnockWorld(FakeEnv):
    """Closing the gripper knocks ``mug_0`` onto the floor (neither on the counter nor held)."""

    def step(self, action):  # type: ignore[no-untyped-def]
        out = super().step(action)
        if float(action["arm"][-1]) > 0.5:
            self.move_object("mug_0", None)
        return out


def test_knocked_off_object_fails_early_with_a_reason(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(pick_rows(close_at=3))
    result = LearnedPick(policy).run(
        _KnockWorld(SCENE.model_copy(deep=True)), {"object": "mug_0"}, scene=SCENE
    )
    # knocked during step 3 -> lost from step 4 -> 10 steps later (lost_steps) the call fails
    assert result.status is SkillStatus.FAILURE and result.steps == 14
    assert result.reason == "lost track: none of in(mug_0, counter), holding(mug_0) holds"


def test_a_gripper_closed_on_nothing_fails_as_a_missed_grasp(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(pick_rows(close_at=3))
    never = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0", close_steps=10_000)
    no_retract = PickDoneConfig(miss_steps=15)  # FakeEnv has no arm to retract
    result = LearnedPick(policy, done=no_retract).run(never, {"object": "mug_0"}, scene=SCENE)
    # closed from step 3; 15 steps (miss_steps) later the mug is still not held
    assert result.status is SkillStatus.FAILURE and result.steps == 18
    assert result.reason == "grasp missed: the gripper closed 15 steps ago and holding(mug_0) does not hold"
    slow = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0", close_steps=12)
    assert (
        LearnedPick(fakes.ScriptedChunkPolicy(pick_rows(close_at=3, still_at=20)))
        .run(slow, {"object": "mug_0"}, scene=SCENE)
        .ok
    )  # a grasp that takes 12 closing steps is not a miss
