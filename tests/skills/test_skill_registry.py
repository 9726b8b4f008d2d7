"""Contract over every registered skill: what the planner reads must be complete and consistent."""

from __future__ import annotations

import pytest

from agentrt.core.registry import SKILLS
from agentrt.core.symbolic import parse_literal
from skills.base import Skill


@pytest.mark.parametrize("name", SKILLS.names())
def test_registered_skill_publishes_a_consistent_spec(name: str) -> None:
    cls = SKILLS.get(name)
    assert issubclass(cls, Skill)
    spec = cls.spec()
    assert spec.name == name, "the registry name and the class's `name` must agree"
    assert len(spec.description) > 20, "the docstring is what an LLM planner reads"
    assert set(spec.arg_names) == set(spec.args_schema.get("properties", {}))
    for literal in (*spec.preconditions, *spec.effects):
        parse_literal(literal)
    assert spec.effects, "a skill with no effects can never be planned"
    spec.instruction.format(**{a: "x" for a in spec.arg_names})
    assert set(spec.action_keys) <= {"arm", "base"}
