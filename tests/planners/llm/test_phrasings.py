"""Replayed cassettes: the LLM planner gives valid plans for the kitchen-v0 phrasing set.

The cassettes are ``authored`` (see ``tests/planners/llm/record_cassettes.py``): the replies stand in
for a capable model; every reply still goes through the real openai client, LangChain's
structured-output parsing, the plan schema and ``validate_plan``.
"""

from __future__ import annotations

import pytest

from planners.llm.planner import LLMPlanner
from planners.validate import validate_plan

from .cases import PHRASING_CASES, cassette_meta, kitchen, replay_config, transport_of


def test_the_phrasing_set_is_large_and_multi_step() -> None:
    assert len(PHRASING_CASES) >= 15
    assert sum(len(c.goal) > 1 for c in PHRASING_CASES) >= 3
    assert all(cassette_meta(c.path)["kind"] in ("authored", "recorded") for c in PHRASING_CASES)


@pytest.mark.parametrize("case", PHRASING_CASES, ids=lambda c: c.name)
def test_phrasing_gives_a_valid_plan_for_its_goal(case, specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    scene = kitchen()
    planner = LLMPlanner(replay_config(case), sleep=fake_sleep)
    plan = planner.plan(case.instruction, scene, specs)
    assert validate_plan(plan, scene, specs) == []
    assert set(plan.goal) == set(case.goal)
    assert plan.planner == "llm" and plan.subgoals
    assert planner.last.repairs == case.repairs and planner.last.valid
    assert transport_of(planner).remaining == 0
    # instructions and expected effects come from the skill specs, not from the model's text
    for subgoal in plan.subgoals:
        assert subgoal.instruction and subgoal.expected_effects


def test_multi_step_tidy_plan_reaches_every_home(specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    case = PHRASING_CASES[0]
    plan = LLMPlanner(replay_config(case), sleep=fake_sleep).plan(case.instruction, kitchen(), specs)
    assert len(plan.subgoals) >= 15
    assert [s.skill for s in plan.subgoals[:3]] == ["navigate_to", "pick", "navigate_to"]


def test_request_carries_registry_skills_scene_ids_and_instruction(specs, fake_sleep) -> None:  # type: ignore[no-untyped-def]
    case = PHRASING_CASES[4]
    planner = LLMPlanner(replay_config(case), sleep=fake_sleep)
    planner.plan(case.instruction, kitchen(), specs)
    body = transport_of(planner).sent[0]["body"]
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    for spec in specs:
        assert f"- {spec.name}(" in system and ", ".join(spec.preconditions) in system
    assert '"mug_0"' in user and case.instruction in user and "<scene>" in user
    schema = body["response_format"]["json_schema"]["schema"]
    variants = schema["properties"]["steps"]["items"]["anyOf"]
    assert sorted(v["properties"]["skill"]["enum"][0] for v in variants) == sorted(s.name for s in specs)


def test_scene_fixture_is_kitchen_v0_at_seed_0() -> None:
    from agentrt.core.registry import SCENES

    env = SCENES.get("kitchen-v0")()
    try:
        env.reset(seed=0)
        live = env.describe()
    finally:
        env.close()
    stored = kitchen()
    assert [(o.id, o.name, o.location, o.home) for o in live.objects] == [
        (o.id, o.name, o.location, o.home) for o in stored.objects
    ]
    assert [(p.id, p.name, p.synonyms) for p in live.places] == [
        (p.id, p.name, p.synonyms) for p in stored.places
    ]
