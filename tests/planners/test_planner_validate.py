"""validate_plan catches each kind of error, and accepts a correct hand-written plan."""

from __future__ import annotations

from agentrt.core.plan import Plan, Subgoal
from planners.validate import validate_plan


def _plan(*subgoals: Subgoal, goal: list[str] | None = None) -> Plan:
    return Plan(instruction="test", goal=goal or [], subgoals=list(subgoals))


GO_TABLE = Subgoal(skill="navigate_to", args={"place": "dining_table"})
PICK_MUG = Subgoal(skill="pick", args={"object": "mug_0"}, expected_effects=["holding(mug_0)"])
GO_RACK = Subgoal(skill="navigate_to", args={"place": "dish_rack"})
PLACE_MUG = Subgoal(skill="place", args={"object": "mug_0", "receptacle": "dish_rack"})


def test_correct_plan_is_accepted(kitchen_scene, skills):
    plan = _plan(GO_TABLE, PICK_MUG, GO_RACK, PLACE_MUG, goal=["in(mug_0, dish_rack)", "hand_empty()"])
    assert validate_plan(plan, kitchen_scene, skills) == []


def test_unknown_skill(kitchen_scene, skills):
    errors = validate_plan(_plan(Subgoal(skill="fly", args={})), kitchen_scene, skills)
    assert errors == ["step 1 (fly): unknown skill 'fly'; known skills: navigate_to, pick, place"]


def test_wrong_argument_names(kitchen_scene, skills):
    errors = validate_plan(
        _plan(GO_TABLE, Subgoal(skill="pick", args={"obj": "mug_0"})), kitchen_scene, skills
    )
    assert any("unexpected argument(s) ['obj']" in e for e in errors)
    assert any("missing argument(s) ['object']" in e for e in errors)
    assert all(e.startswith("step 2 (pick)") for e in errors)


def test_wrong_argument_type(kitchen_scene, skills):
    errors = validate_plan(_plan(GO_TABLE, Subgoal(skill="pick", args={"object": 3})), kitchen_scene, skills)
    assert errors == ["step 2 (pick): argument object=3 should be of type string"]


def test_argument_not_in_scene(kitchen_scene, skills):
    errors = validate_plan(
        _plan(Subgoal(skill="navigate_to", args={"place": "fridge"})), kitchen_scene, skills
    )
    assert errors == ["step 1 (navigate_to): argument place='fridge' is not an object or place in this scene"]


def test_precondition_fails_in_sequence(kitchen_scene, skills):
    errors = validate_plan(_plan(PICK_MUG), kitchen_scene, skills)  # the robot is not at the table
    assert errors == ["step 1 (pick): precondition not met: robot_at(dining_table)"]
    errors = validate_plan(_plan(GO_TABLE, PICK_MUG, PLACE_MUG), kitchen_scene, skills)  # forgot to drive
    assert errors == ["step 3 (place): precondition not met: robot_at(dish_rack)"]
    errors = validate_plan(
        _plan(GO_TABLE, PICK_MUG, Subgoal(skill="pick", args={"object": "apple_0"})), kitchen_scene, skills
    )
    assert errors == ["step 3 (pick): precondition not met: hand_empty()"]


def test_fixed_robot_cannot_navigate(tabletop_scene, skills):
    errors = validate_plan(
        _plan(Subgoal(skill="navigate_to", args={"place": "tray"})), tabletop_scene, skills
    )
    assert errors == ["step 1 (navigate_to): precondition not met: mobile()"]


def test_wrong_expected_effect_and_unreached_goal(kitchen_scene, skills):
    wrong = Subgoal(skill="pick", args={"object": "mug_0"}, expected_effects=["holding(mug_1)"])
    errors = validate_plan(_plan(GO_TABLE, wrong, goal=["in(mug_0, dish_rack)"]), kitchen_scene, skills)
    assert errors == [
        "step 2 (pick): expected effect holding(mug_1) does not follow from the skill's effects",
        "the plan ends without reaching the goal literal in(mug_0, dish_rack)",
    ]
