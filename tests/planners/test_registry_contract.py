"""Contract over every registered planner and describer, on the symbolic fake world.

Entries that talk to a model get a config from ``CONFIGS``: the language-model ones
replay a cassette (``tests/planners/llm/cassettes/contract/``), so the contract runs
offline through the real client stack. A new entry that needs settings adds them here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentrt.agent import make_skills
from agentrt.core.plan import Plan, PlanningError
from agentrt.core.registry import DESCRIBERS, PLANNERS
from agentrt.core.scene import SceneDescription
from agentrt.testing import FakeEnv, fixture_scene
from planners.validate import validate_plan

SCENE = fixture_scene(
    [("mug_0", "red mug", "mug", "counter", "sink"), ("apple_0", "green apple", "apple", "sink", "counter")],
    ["counter", "sink"],
    robot_at="counter",
)
SPECS = [skill.spec() for skill in make_skills().values()]
_CASSETTES = Path(__file__).parent / "llm" / "cassettes" / "contract"
_REPLAY = {"model": "authored-stand-in", "base_url": "http://authored.invalid/v1", "backoff_s": 0.0}
CONFIGS: dict[str, dict[str, Any]] = {
    "llm": {**_REPLAY, "cassette": _CASSETTES / "planner.json"},
    "llm-goal": {  # recorded from the embedded Qwen2.5-Coder-1.5B, not authored
        "model": "qwen2.5-coder-1.5b-instruct",
        "base_url": "http://recorded.invalid/v1",
        "backoff_s": 0.0,
        "cassette": _CASSETTES / "goal_planner.json",
    },
    "vlm": {**_REPLAY, "cassette": _CASSETTES / "describer.json"},
}


@pytest.mark.parametrize("name", PLANNERS.names())
def test_planner_plans_validly_and_rejects_nonsense(name: str) -> None:
    planner = PLANNERS.get(name)(CONFIGS.get(name))
    plan = planner.plan("put the red mug in the sink", SCENE, SPECS)
    assert isinstance(plan, Plan) and plan.goal and validate_plan(plan, SCENE, SPECS) == []
    with pytest.raises(PlanningError) as info:
        planner.plan("", SCENE, SPECS)
    assert info.value.reason


@pytest.mark.parametrize("name", DESCRIBERS.names())
def test_describer_returns_a_scene_description(name: str) -> None:
    scene = DESCRIBERS.get(name)(CONFIGS.get(name)).describe(FakeEnv(SCENE))
    assert isinstance(scene, SceneDescription)
    assert {o.id for o in scene.objects} == {"mug_0", "apple_0"}
