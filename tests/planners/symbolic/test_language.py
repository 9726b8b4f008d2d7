"""Phrasings on the kitchen fixture: the goal each one yields, and that the plan validates."""

from __future__ import annotations

import pytest

from planners.validate import validate_plan

TIDY_ALL = {
    "in(mug_0, dish_rack)",
    "in(mug_1, dish_rack)",
    "in(bowl_0, dish_rack)",
    "in(apple_0, fruit_bowl)",
    "in(banana_0, fruit_bowl)",
    "in(orange_0, fruit_bowl)",
    "in(bottle_0, shelf)",
    "in(cereal_box_0, shelf)",
    "in(can_0, trash_bin)",
    "in(sponge_0, sink)",
}
DISHES = {"in(mug_0, dish_rack)", "in(mug_1, dish_rack)", "in(bowl_0, dish_rack)"}
FRUIT = {"in(apple_0, fruit_bowl)", "in(banana_0, fruit_bowl)", "in(orange_0, fruit_bowl)"}

PHRASINGS = [
    ("tidy the kitchen", TIDY_ALL),
    ("Tidy up!", TIDY_ALL),
    ("Could you clean up, please?", TIDY_ALL),
    ("put everything away", TIDY_ALL),
    ("please put away everything", TIDY_ALL),
    ("would you mind tidying up the kitchen?", TIDY_ALL),
    ("Put away the dishes.", DISHES),
    ("tidy up the fruit", FRUIT),
    ("put the fruit away", FRUIT),
    ("put the orange back where it belongs", {"in(orange_0, fruit_bowl)"}),
    ("put the red mug in the dish rack", {"in(mug_0, dish_rack)"}),
    ("Place the blue mug on the table.", {"in(mug_1, dining_table)"}),
    ("move the red coffee cup to the sink", {"in(mug_0, sink)"}),
    ("drop the soda into the trash", {"in(can_0, trash_bin)"}),
    ("set the water bottle onto the shelf", {"in(bottle_0, shelf)"}),
    ("put all the mugs in the sink", {"in(mug_0, sink)", "in(mug_1, sink)"}),
    ("put the red mug and the orange on the countertop", {"in(mug_0, counter)", "in(orange_0, counter)"}),
    ("put the apples in the bowl", {"in(apple_0, fruit_bowl)"}),
    ("bring the apple to the fruit bowl", {"in(apple_0, fruit_bowl)"}),
    ("take the cereal to the kitchen table", {"in(cereal_box_0, dining_table)"}),
    ("carry the sponge over to the worktop", {"in(sponge_0, counter)"}),
    ("fetch the white bowl to the sink", {"in(bowl_0, sink)"}),
    ("throw away the can", {"in(can_0, trash_bin)"}),
    ("Throw the tin out.", {"in(can_0, trash_bin)"}),
    ("discard the banana", {"in(banana_0, trash_bin)"}),
    ("get rid of the green bottle", {"in(bottle_0, trash_bin)"}),
    ("clear the table", {"in(mug_0, dish_rack)", "in(apple_0, fruit_bowl)", "in(bottle_0, shelf)"}),
    (
        "clear off the counter please",
        {"in(bowl_0, dish_rack)", "in(orange_0, fruit_bowl)", "in(can_0, trash_bin)"},
    ),
    ("clean up the dining table", {"in(mug_0, dish_rack)", "in(apple_0, fruit_bowl)", "in(bottle_0, shelf)"}),
    ("go to the sink", {"robot_at(sink)"}),
    ("Navigate to the drying rack.", {"robot_at(dish_rack)"}),
    ("drive to the garbage", {"robot_at(trash_bin)"}),
    ("move to the pantry shelf", {"robot_at(shelf)"}),
    ("pick up the red mug", {"holding(mug_0)"}),
    ("grab the banana", {"holding(banana_0)"}),
    ("get the cereal box", {"holding(cereal_box_0)"}),
    ("Could you please take the water bottle?", {"holding(bottle_0)"}),
    ("put the bottle in the sink and then go to the shelf", {"in(bottle_0, sink)", "robot_at(shelf)"}),
]


@pytest.mark.parametrize(("instruction", "goal"), PHRASINGS, ids=[p for p, _ in PHRASINGS])
def test_phrasing_goal_and_valid_plan(planner, kitchen_scene, skills, instruction, goal):
    plan = planner.plan(instruction, kitchen_scene, skills)
    assert set(plan.goal) == goal
    assert validate_plan(plan, kitchen_scene, skills) == []
    assert plan.planner == "symbolic"
    assert plan.explanation.startswith("Understood as")
    assert plan.instruction == instruction


def test_clear_leaves_objects_that_belong_there(planner, kitchen_scene, skills):
    plan = planner.plan("clear the sink", kitchen_scene, skills)  # only the sponge, whose home is the sink
    assert plan.goal == [] and plan.subgoals == []
    assert "stays because it belongs there: yellow sponge" in plan.explanation


def test_subgoal_language_uses_natural_names(planner, kitchen_scene, skills):
    plan = planner.plan("put the red mug in the dish rack", kitchen_scene, skills)
    assert [s.instruction for s in plan.subgoals] == [
        "go to the dining table",
        "pick up the red mug",
        "go to the dish rack",
        "put the red mug in the dish rack",
    ]
    assert plan.subgoals[1].args == {"object": "mug_0"}
    assert plan.subgoals[1].expected_effects == [
        "holding(mug_0)",
        "not hand_empty()",
        "not in(mug_0, dining_table)",
    ]
    assert plan.subgoals[2].expected_effects == ["robot_at(dish_rack)", "not robot_at(dining_table)"]


def test_encoder_fallback_reads_an_unknown_verb(planner, kitchen_scene, skills):
    plan = planner.plan("organise the kitchen", kitchen_scene, skills)
    assert set(plan.goal) == TIDY_ALL


def test_tabletop_put_and_plural(planner, tabletop_scene, skills):
    plan = planner.plan("put the red block on the tray", tabletop_scene, skills)
    assert plan.goal == ["in(block_0, tray)"]
    assert [s.skill for s in plan.subgoals] == ["pick", "place"]  # fixed arm: no navigation
    plan = planner.plan("put all the blocks in the blue bowl", tabletop_scene, skills)
    assert len(plan.goal) == 3 and len(plan.subgoals) == 6
    assert validate_plan(plan, tabletop_scene, skills) == []
