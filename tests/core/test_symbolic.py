"""Known answers for the STRIPS helpers skills and planners share."""

from __future__ import annotations

import pytest

from agentrt.core.symbolic import (
    apply_effects,
    bindings,
    format_atom,
    holds,
    matches,
    parse_atom,
    parse_literal,
)

STATE = frozenset(
    {
        ("place", "sink"),
        ("place", "counter"),
        ("receptacle", "sink"),
        ("receptacle", "counter"),
        ("object", "mug_0"),
        ("object", "apple_0"),
        ("in", "mug_0", "counter"),
        ("in", "apple_0", "sink"),
        ("robot_at", "counter"),
        ("hand_empty",),
    }
)
PICK_PRE = [parse_literal(t) for t in ("hand_empty()", "in(?object, ?from)", "robot_at(?from)")]
PICK_EFF = [parse_literal(t) for t in ("holding(?object)", "not hand_empty()", "not in(?object, ?from)")]


def test_parse_and_format_round_trip() -> None:
    lit = parse_literal("not in(?object, ?from)")
    assert lit.negated and lit.atom == ("in", "?object", "?from")
    assert str(lit) == "not in(?object, ?from)"
    assert parse_atom("hand_empty()") == ("hand_empty",)
    assert format_atom(("in", "mug_0", "sink")) == "in(mug_0, sink)"


@pytest.mark.parametrize("bad", ["in(mug_0", "in mug_0 sink", "(mug)", "in(a,,b)", ""])
def test_malformed_literals_raise(bad: str) -> None:
    with pytest.raises(ValueError, match="malformed"):
        parse_literal(bad)


def test_matches_respects_existing_binding() -> None:
    assert matches(("in", "?o", "?p"), ("in", "mug_0", "sink"), {}) == {"?o": "mug_0", "?p": "sink"}
    assert matches(("in", "?o", "?p"), ("in", "mug_0", "sink"), {"?o": "apple_0"}) is None
    assert matches(("in", "?o", "?o"), ("in", "mug_0", "sink"), {}) is None


def test_bindings_join_free_variables_against_state() -> None:
    # Only the mug is reachable: the robot is at the counter, the apple is in the sink.
    assert bindings(PICK_PRE, STATE, {}) == [{"?object": "mug_0", "?from": "counter"}]
    assert bindings(PICK_PRE, STATE, {"?object": "apple_0"}) == []


def test_negative_precondition_is_closed_world() -> None:
    pre = [parse_literal("object(?o)"), parse_literal("not in(?o, sink)")]
    assert bindings(pre, STATE, {}) == [{"?o": "mug_0"}]


def test_apply_effects_known_answer() -> None:
    after = apply_effects(STATE, PICK_EFF, {"?object": "mug_0", "?from": "counter"})
    assert ("holding", "mug_0") in after
    assert ("hand_empty",) not in after
    assert ("in", "mug_0", "counter") not in after
    assert len(after) == len(STATE) - 1  # +holding, -hand_empty, -in


def test_negative_effect_with_unbound_variable_deletes_every_match() -> None:
    nav = [parse_literal("robot_at(?place)"), parse_literal("not robot_at(?other)")]
    after = apply_effects(STATE | {("robot_at", "sink")}, nav, {"?place": "sink"})
    assert {a for a in after if a[0] == "robot_at"} == {("robot_at", "sink")}


def test_holds_checks_ground_literals() -> None:
    assert holds("in(mug_0, counter)", STATE)
    assert holds("not holding(mug_0)", STATE)
    assert not holds("robot_at(sink)", STATE)
    with pytest.raises(ValueError, match="not ground"):
        holds("in(?x, sink)", STATE)
