"""The scripted experts' declarations are exactly what the planner relies on."""

from __future__ import annotations

from agentrt.core.registry import SKILLS


def test_declarations() -> None:
    nav, pick, place = (SKILLS.get(n).spec() for n in ("navigate_to", "pick", "place"))
    assert nav.arg_names == ("place",) and nav.action_keys == ("base",)
    assert nav.preconditions == ("mobile()", "place(?place)")
    assert nav.effects == ("robot_at(?place)", "not robot_at(?other)")
    assert nav.instruction == "go to the {place}"
    assert pick.arg_names == ("object",) and pick.action_keys == ("arm",)
    assert pick.preconditions == ("hand_empty()", "in(?object, ?from)", "robot_at(?from)")
    assert pick.effects == ("holding(?object)", "not hand_empty()", "not in(?object, ?from)")
    assert pick.instruction == "pick up the {object}"
    assert place.arg_names == ("object", "receptacle") and place.action_keys == ("arm",)
    assert place.preconditions == ("holding(?object)", "receptacle(?receptacle)", "robot_at(?receptacle)")
    assert place.effects == ("in(?object, ?receptacle)", "hand_empty()", "not holding(?object)")
    assert place.instruction == "put the {object} in the {receptacle}"
    for spec in (nav, pick, place):
        assert len(spec.description) > 100, "docstrings are shown to planners"
