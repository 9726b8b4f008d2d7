"""The plan schema from skill specs and scene ids, and the draft -> plan conversion (known answers)."""

from __future__ import annotations

from planners.llm.schema import PlanDraft, StepDraft, arg_domain, goal_errors, plan_json_schema, to_plan

from .cases import contract_scene


def test_schema_has_one_variant_per_skill_with_id_enums(specs) -> None:  # type: ignore[no-untyped-def]
    scene = contract_scene()
    schema = plan_json_schema(specs, scene)
    variants = {v["title"]: v for v in schema["properties"]["steps"]["items"]["anyOf"]}
    assert set(variants) == {"navigate_to", "pick", "place"}
    place_args = variants["place"]["properties"]["args"]
    assert place_args["required"] == ["object", "receptacle"] and place_args["additionalProperties"] is False
    assert place_args["properties"]["object"]["enum"] == ["mug_0", "apple_0"]
    assert place_args["properties"]["receptacle"]["enum"] == ["counter", "sink"]
    assert schema["additionalProperties"] is False and schema["title"] == "submit_plan"


def test_arg_domain_known_answers(specs) -> None:  # type: ignore[no-untyped-def]
    scene = contract_scene()
    by_name = {s.name: s for s in specs}
    assert arg_domain(by_name["pick"], "object", scene) == ["mug_0", "apple_0"]
    assert arg_domain(by_name["navigate_to"], "place", scene) == ["counter", "sink"]


def test_goal_errors_known_answers(specs) -> None:  # type: ignore[no-untyped-def]
    scene = contract_scene()
    assert goal_errors(["in(mug_0, sink)", "robot_at(counter)"], scene, specs) == []
    errors = goal_errors(["in(mug_0", "in(?x, sink)", "on_fire(mug_0)", "in(mug_9, sink)"], scene, specs)
    assert len(errors) == 4
    assert "malformed" in errors[0] and "variables" in errors[1] and "no skill changes on_fire" in errors[2]
    assert "['mug_9']" in errors[3]


def test_to_plan_derives_instructions_and_effects_from_specs(specs) -> None:  # type: ignore[no-untyped-def]
    scene = contract_scene()
    draft = PlanDraft(
        goal=["in(mug_0, sink)"],
        steps=[
            StepDraft(skill="pick", args={"object": "mug_0"}),
            StepDraft(skill="navigate_to", args={"place": "sink"}),
            StepDraft(skill="place", args={"object": "mug_0", "receptacle": "sink"}),
        ],
        explanation="  move\n the mug  ",
    )
    plan, errors = to_plan(draft, "put the red mug in the sink", scene, specs, "llm")
    assert errors == [] and plan.explanation == "move the mug"
    assert plan.subgoals[0].instruction == "pick up the red mug"
    assert plan.subgoals[0].expected_effects == [
        "holding(mug_0)",
        "not hand_empty()",
        "not in(mug_0, counter)",
    ]
    assert plan.subgoals[1].expected_effects == ["robot_at(sink)", "not robot_at(counter)"]


def test_to_plan_reports_goal_and_step_errors_together(specs) -> None:  # type: ignore[no-untyped-def]
    draft = PlanDraft(goal=["in(mug_0, oven)"], steps=[StepDraft(skill="grasp", args={"object": "mug_0"})])
    _, errors = to_plan(draft, "x", contract_scene(), specs, "llm")
    assert any("oven" in e for e in errors) and any("unknown skill 'grasp'" in e for e in errors)
