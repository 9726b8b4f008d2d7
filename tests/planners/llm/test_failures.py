"""Bad replies, rate limits, timeouts and server errors: repaired, retried, or a clear PlanningError."""

from __future__ import annotations

import pytest

from agentrt.core.plan import PlanningError
from planners.llm.planner import LLMPlanner
from planners.validate import validate_plan

from .cases import (
    FAILURE_CASES,
    REPLAN_CASE,
    REPLAN_FAILURE,
    kitchen,
    replan_scene,
    replay_config,
    transport_of,
)

BY_NAME = {c.name: c for c in FAILURE_CASES}


@pytest.mark.parametrize("case", FAILURE_CASES, ids=lambda c: c.name)
def test_failure_case_outcome(case, specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    scene = kitchen()
    planner = LLMPlanner(replay_config(case), sleep=fake_sleep)
    if case.expect == "valid":
        plan = planner.plan(case.instruction, scene, specs)
        assert validate_plan(plan, scene, specs) == [] and set(plan.goal) == set(case.goal)
    else:
        with pytest.raises(PlanningError) as info:
            planner.plan(case.instruction, scene, specs)
        assert case.expect.removeprefix("error:") in info.value.reason
        assert "\n" not in info.value.reason
    assert planner.last.repairs == case.repairs
    assert transport_of(planner).remaining == 0


def test_repair_feeds_the_checker_errors_back(specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    planner = LLMPlanner(replay_config(BY_NAME["unknown-skill"]), sleep=fake_sleep)
    planner.plan(BY_NAME["unknown-skill"].instruction, kitchen(), specs)
    second = transport_of(planner).sent[1]["body"]["messages"]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert "unknown skill 'grasp'" in second[-1]["content"]
    assert planner.last.errors[0] and "grasp" in planner.last.errors[0][0]


def test_tool_calling_repair_goes_back_as_a_tool_message(specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    case = BY_NAME["tool-calling-repair"]
    planner = LLMPlanner(replay_config(case), sleep=fake_sleep)
    planner.plan(case.instruction, kitchen(), specs)
    first, second = (r["body"] for r in transport_of(planner).sent)
    assert first["tool_choice"]["function"]["name"] == "submit_plan"
    assert (
        second["messages"][-1]["role"] == "tool"
        and "precondition not met" in second["messages"][-1]["content"]
    )


def test_rate_limit_and_timeouts_back_off_exponentially(specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    planner = LLMPlanner(replay_config(BY_NAME["timeouts-exhausted"]), sleep=fake_sleep)
    with pytest.raises(PlanningError):
        planner.plan(BY_NAME["timeouts-exhausted"].instruction, kitchen(), specs)
    assert fake_sleep.delays == [1.0, 2.0]  # backoff_s * 2**k, two retries
    slow = LLMPlanner(replay_config(BY_NAME["rate-limited"], backoff_s=0.001), sleep=fake_sleep)
    slow.plan(_instruction("rate-limited"), kitchen(), specs)
    assert fake_sleep.delays[-1] == pytest.approx(0.02)  # the server's retry-after-ms wins over 1 ms


def test_no_retries_means_one_attempt(specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    planner = LLMPlanner(replay_config(BY_NAME["timeout-then-ok"], max_retries=0), sleep=fake_sleep)
    with pytest.raises(PlanningError, match="after 1 attempts: timed out"):
        planner.plan(_instruction("timeout-then-ok"), kitchen(), specs)
    assert fake_sleep.delays == [] and transport_of(planner).remaining == 1


def test_replan_uses_failure_and_fresh_scene_and_keeps_the_goal(specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    planner = LLMPlanner(replay_config(REPLAN_CASE), sleep=fake_sleep)
    first = planner.plan(REPLAN_CASE.instruction, kitchen(), specs)
    fresh = replan_scene()
    again = planner.replan(first, fresh, specs, REPLAN_FAILURE)
    assert again.goal == first.goal and validate_plan(again, fresh, specs) == []
    assert again.subgoals[0].args == {"place": "counter"}  # the mug is on the counter now
    prompt = transport_of(planner).sent[1]["body"]["messages"][1]["content"]
    assert REPLAN_FAILURE in prompt and '"in": "counter"' in prompt and "<previous_plan>" in prompt


def test_replan_refuses_when_a_goal_object_is_gone(specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    planner = LLMPlanner(replay_config(REPLAN_CASE), sleep=fake_sleep)
    first = planner.plan(REPLAN_CASE.instruction, kitchen(), specs)
    gone = replan_scene()
    gone.objects = [o for o in gone.objects if o.id != "mug_0"]
    with pytest.raises(PlanningError, match="mug_0 is no longer in the scene"):
        planner.replan(first, gone, specs, REPLAN_FAILURE)


@pytest.mark.parametrize("instruction", ["", "   ", "x" * 3000])
def test_bad_instructions_are_rejected_before_any_request(instruction, specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    planner = LLMPlanner(replay_config(BY_NAME["json-mode"]), sleep=fake_sleep)
    with pytest.raises(PlanningError):
        planner.plan(instruction, kitchen(), specs)
    assert transport_of(planner).sent == []


def _instruction(name: str) -> str:
    return BY_NAME[name].instruction
