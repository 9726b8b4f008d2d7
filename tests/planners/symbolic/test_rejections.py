"""Instructions the planner must refuse, each with a one-line reason for the user."""

from __future__ import annotations

import pytest

from agentrt.core.plan import PlanningError

KITCHEN_REJECTIONS = [
    ("", "empty instruction"),
    ("   please  ", "empty instruction"),
    ("make me a sandwich", "I don't know how to 'make me a sandwich'; I can:"),
    ("asdf qwerty", "I don't know how to 'asdf qwerty'"),
    ("go to the fridge", "no place matching 'fridge' in kitchen-v0; places here: kitchen counter"),
    ("pick up the purple elephant", "no object matching 'purple elephant' in kitchen-v0; objects here:"),
    ("put the sink in the mug", "'sink' is a place, not an object you can pick up"),
    ("pick up the mug", "'the mug' is ambiguous: red mug, blue mug"),
    ("put the coffee cup in the sink", "'the coffee cup' is ambiguous: red mug, blue mug"),
    ("put the red mug in the blue mug", "'blue mug' is an object, not a place"),
    (
        "put the purple mug in the sink",
        "no object matching 'purple mug' in kitchen-v0; mugs here: red mug, blue mug",
    ),
    ("pick up all the fruit", "I can hold only one object at a time"),
    ("put the red mug on the", "names no place"),
]


@pytest.mark.parametrize(
    ("instruction", "reason"), KITCHEN_REJECTIONS, ids=[i or "empty" for i, _ in KITCHEN_REJECTIONS]
)
def test_kitchen_rejections(planner, kitchen_scene, skills, instruction, reason):
    with pytest.raises(PlanningError) as info:
        planner.plan(instruction, kitchen_scene, skills)
    assert reason in info.value.reason
    assert "\n" not in info.value.reason


def test_fixed_robot_cannot_go_anywhere(planner, tabletop_scene, skills):
    with pytest.raises(PlanningError, match="the robot's base is fixed in this scene"):
        planner.plan("go to the tray", tabletop_scene, skills)


def test_tabletop_ambiguity_and_missing_home(planner, tabletop_scene, skills):
    with pytest.raises(PlanningError, match="'the block' is ambiguous: red block, green block, blue block"):
        planner.plan("pick up the block", tabletop_scene, skills)
    with pytest.raises(PlanningError, match="'the bowl' is ambiguous: red bowl, blue bowl"):
        planner.plan("put the green block in the bowl", tabletop_scene, skills)
    with pytest.raises(PlanningError, match="nothing in tabletop-v0 has a home"):
        planner.plan("tidy up", tabletop_scene, skills)


def test_impossible_without_a_skill(planner, kitchen_scene, skills):
    no_driving = [s for s in skills if s.name != "navigate_to"]
    with pytest.raises(PlanningError, match="impossible: no sequence of the available skills"):
        planner.plan("put the red mug in the sink", kitchen_scene, no_driving)
    with pytest.raises(PlanningError, match="no skills"):
        planner.plan("tidy up", kitchen_scene, ())


def test_no_trash_bin_in_scene(planner, tabletop_scene, skills):
    with pytest.raises(PlanningError, match="there is no trash bin in tabletop-v0"):
        planner.plan("throw away the red block", tabletop_scene, skills)
