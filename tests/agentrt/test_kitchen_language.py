"""The planner reads the kitchen suite's phrasings as their goals on the real scene."""

from __future__ import annotations

import pytest

from agentrt.agent import make_skills
from agentrt.core.plan import PlanningError
from agentrt.core.registry import PLANNERS, SCENES
from agentrt.core.scene import SceneDescription
from evals.phrasings import PHRASINGS, REJECTED, SCENE, SEED
from planners.validate import validate_plan


@pytest.fixture(scope="module")
def kitchen() -> SceneDescription:
    env = SCENES.get(SCENE)()
    env.reset(seed=SEED)
    try:
        return env.describe()
    finally:
        env.close()


@pytest.fixture(scope="module")
def planner():  # type: ignore[no-untyped-def]
    return PLANNERS.get("symbolic")()


SPECS = [skill.spec() for skill in make_skills().values()]


@pytest.mark.parametrize(("instruction", "goal"), PHRASINGS, ids=[p for p, _ in PHRASINGS])
def test_phrasing_means_its_goal_and_plans_validly(kitchen, planner, instruction: str, goal) -> None:  # type: ignore[no-untyped-def]
    plan = planner.plan(instruction, kitchen, SPECS)
    assert sorted(plan.goal) == sorted(goal)
    assert plan.subgoals, "every suite instruction needs the robot to act"
    assert validate_plan(plan, kitchen, SPECS) == []


@pytest.mark.parametrize(("instruction", "word"), REJECTED, ids=[r or "<empty>" for r, _ in REJECTED])
def test_rejections_give_a_reason(kitchen, planner, instruction: str, word: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PlanningError) as info:
        planner.plan(instruction, kitchen, SPECS)
    assert word in info.value.reason.lower()
    assert "\n" not in info.value.reason
