"""The success detector: effects over facts (known answers), one read a step, the ending rule, a swap."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from agentrt.core.results import SkillStatus
from agentrt.core.symbolic import parse_atom, parse_literal
from skills.learned import LearnedNavigate, LearnedPick, SuccessDetector
from skills.learned.detector import Completion, DetectorConfig, FactReader, FactsDetector, effects_hold
from tests.skills.learned.fakes import SCENE, pick_rows


def test_effects_hold_known_answers() -> None:
    effects = [parse_literal(e) for e in LearnedNavigate.effects]
    at_shelf = frozenset({parse_atom("robot_at(shelf)")})
    assert effects_hold(effects, {"?place": "shelf"}, at_shelf)
    assert not effects_hold(effects, {"?place": "shelf"}, at_shelf | {parse_atom("robot_at(counter)")})
    assert not effects_hold(effects, {"?place": "counter"}, at_shelf)
    pick = [parse_literal(e) for e in LearnedPick.effects]
    held = frozenset({parse_atom("holding(mug_0)")})
    binding = {"?object": "mug_0", "?from": "counter"}
    assert effects_hold(pick, binding, held)
    assert not effects_hold(pick, binding, held | {parse_atom("in(mug_0, counter)")})
    assert not effects_hold(pick, binding, held | {parse_atom("hand_empty()")})


class _CountingEnv:
    def __init__(self) -> None:
        self.reads = 0

    def facts(self) -> frozenset:
        self.reads += 1
        return frozenset({parse_atom(f"robot_at(p{self.reads})")})


def test_the_facts_are_read_once_a_step_however_many_parts_ask() -> None:
    env = _CountingEnv()
    reader = FactReader(env)
    assert reader.at(0) == reader.at(0) == frozenset({parse_atom("robot_at(p1)")})
    assert reader.at(1) == frozenset({parse_atom("robot_at(p2)")}) and env.reads == 2


def test_the_facts_detector_reads_the_effects_in_the_facts() -> None:
    env = _CountingEnv()
    detector = FactsDetector()
    assert isinstance(detector, SuccessDetector)
    detector.reset([parse_literal("robot_at(?place)")], {"?place": "p2"}, FactReader(env))
    assert not detector.holds({}, 0) and detector.holds({}, 1)


def test_completion_waits_for_the_hold_then_for_rest_or_the_longest_hold() -> None:
    rule = Completion(DetectorConfig(min_hold_steps=3, max_hold_steps=6, rest_tol=0.01))
    assert not rule.ended(0, 0.0)  # nothing held yet
    rule.observe(True, 2)
    rule.observe(True, 3)  # still held since 2
    assert rule.held_since == 2
    assert not rule.ended(4, 0.0)  # held 2 < 3 steps
    assert rule.ended(5, 0.0) and not rule.ended(5, 0.5)  # held 3: at rest ends, moving does not
    assert rule.ended(8, 0.5)  # held 6: ends anyway
    rule.observe(False, 9)
    assert rule.held_since is None and not rule.ended(20, 0.0)


class _SaysDoneAt:
    """A :class:`SuccessDetector` reading only the observation: the effects hold from ``step`` on."""

    def __init__(self, step: int) -> None:
        self.step, self.asked = step, 0

    def reset(self, effects, binding, facts) -> None:  # type: ignore[no-untyped-def]
        self.asked = 0

    def holds(self, obs, step: int) -> bool:  # type: ignore[no-untyped-def]
        self.asked += 1
        return int(obs["state"][0]) >= self.step


def test_a_swapped_detector_decides_when_the_call_succeeds(fakes: SimpleNamespace) -> None:
    """The oracle says the mug is never held (the gripper never closes); the swapped detector says
    the effects hold from step 4: held 3 steps (min_hold_steps) at step 7, at rest, success."""
    policy = fakes.ScriptedChunkPolicy(pick_rows(close_at=10_000, still_at=0))
    detector = _SaysDoneAt(4)
    env = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0")
    result = LearnedPick(policy, detector=detector).run(env, {"object": "mug_0"}, scene=SCENE)
    assert result.status is SkillStatus.SUCCESS and result.steps == 7 and detector.asked == 8
    assert env.scene.robot.holding is None
    np.testing.assert_array_equal([a["arm"][6] for a in env.actions], [-1.0] * 7)
