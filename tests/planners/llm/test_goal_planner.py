"""Goal translation (``llm-goal``): the model writes goal literals, the symbolic search plans.

A scripted stand-in for the chat model returns the replies each test needs; the real embedded
model is measured by ``scripts/bench_llm_planner.py --embedded goal``.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage

from agentrt.core.plan import PlanningError
from agentrt.core.registry import PLANNERS
from planners.llm.goal_planner import LLMGoalPlanner, contradictions, goal_json_schema, scene_lines
from planners.validate import validate_plan

from .cases import kitchen


class ScriptedGoals:
    """A chat model that answers each structured request with the next scripted reply (a dict)."""

    def __init__(self, *replies: dict[str, Any]) -> None:
        self.replies, self.requests = list(replies), []

    def with_structured_output(self, schema: dict, method: str, include_raw: bool) -> ScriptedGoals:
        self.schema = schema
        return self

    def invoke(self, messages: list) -> dict[str, Any]:
        self.requests.append(list(messages))
        reply = self.replies.pop(0)
        return {"raw": AIMessage(content=str(reply)), "parsed": reply, "parsing_error": None}


def _planner(*replies: dict[str, Any]) -> tuple[LLMGoalPlanner, ScriptedGoals]:
    model = ScriptedGoals(*replies)
    return LLMGoalPlanner({"model": "scripted", "max_repairs": 1}, chat_model=model), model


def _reply(*goal: str, feasible: bool = True, reason: str = "") -> dict[str, Any]:
    return {"reasoning": "r", "feasible": feasible, "reason": reason, "goal": list(goal)}


def test_the_models_goal_is_planned_by_the_search_and_checked(specs) -> None:  # type: ignore[no-untyped-def]
    planner, model = _planner(_reply("in(mug_0, sink)"))
    scene = kitchen()
    plan = planner.plan("put the yellow mug in the sink", scene, specs)
    assert plan.goal == ["in(mug_0, sink)"] and plan.planner == "llm-goal"
    assert [s.skill for s in plan.subgoals] == ["navigate_to", "pick", "navigate_to", "place"]
    assert validate_plan(plan, scene, specs) == [] and len(model.requests) == 1
    assert PLANNERS.get("llm-goal") is LLMGoalPlanner


def test_an_unknown_or_contradictory_goal_goes_back_to_the_model_once(specs) -> None:  # type: ignore[no-untyped-def]
    planner, model = _planner(_reply("in(mug_0, sink)", "holding(mug_0)"), _reply("in(mug_0, sink)"))
    plan = planner.plan("put the yellow mug in the sink", kitchen(), specs)
    assert plan.goal == ["in(mug_0, sink)"] and planner.last.repairs == 1
    assert "cannot be both held and in sink" in str(model.requests[1][-1].content)
    planner, _ = _planner(_reply("in(mug_9, sink)"), _reply("in(mug_9, sink)"))
    with pytest.raises(PlanningError, match=r"no usable goal after 2 replies.*mug_9"):
        planner.plan("put the purple mug in the sink", kitchen(), specs)


def test_a_declined_instruction_is_a_planning_error_with_the_models_reason(specs) -> None:  # type: ignore[no-untyped-def]
    planner, _ = _planner(_reply(feasible=False, reason="there is no fridge"))
    with pytest.raises(PlanningError, match="declined: there is no fridge"):
        planner.plan("put the milk in the fridge", kitchen(), specs)


def test_replanning_keeps_the_goal_and_asks_no_model(specs) -> None:  # type: ignore[no-untyped-def]
    planner, model = _planner(_reply("robot_at(sink)"))
    first = planner.plan("go to the sink", kitchen(), specs)
    again = planner.replan(first, kitchen(), specs, "navigate_to failed")
    assert again.goal == first.goal and again.planner == "llm-goal" and len(model.requests) == 1


def test_the_schema_enumerates_exactly_the_scenes_literals_and_the_prompt_marks_misplaced(specs) -> None:  # type: ignore[no-untyped-def]
    scene = kitchen()
    allowed = goal_json_schema(scene, specs)["properties"]["goal"]["items"]["enum"]
    receptacles = [p for p in scene.places if p.receptacle]
    assert len(allowed) == len(scene.objects) * len(receptacles) + len(scene.places) + len(scene.objects)
    assert "in(apple_0, fruit_bowl)" in allowed and "robot_at(sink)" in allowed
    lines = scene_lines(scene)
    assert 'apple_0 "red apple" in dining_table, home fruit_bowl, MISPLACED' in lines
    assert "mug_0" in lines and "MISPLACED" not in lines.split("mug_0")[1].split("\n")[0]


def test_contradictions_by_hand() -> None:
    assert contradictions(["in(a, x)", "in(b, x)", "robot_at(x)"]) == []
    assert contradictions(["in(a, x)", "in(a, y)"]) == ["a cannot be in x and y at once"]
    assert contradictions(["holding(a)", "holding(b)"]) == ["the robot holds one object at a time, not a, b"]
    assert contradictions(["robot_at(x)", "robot_at(y)"]) == ["the robot cannot be at x and y at once"]
