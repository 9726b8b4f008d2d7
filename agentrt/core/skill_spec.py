"""What the registry publishes about a skill: the planner's whole view of it.

Planners never import skill code; they read :class:`SkillSpec` objects, which carry
the argument schema, the docstring, the STRIPS preconditions and effects, and the
template of the language instruction a learned skill receives.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.symbolic import Literal, parse_literal


class SkillSpec(BaseModel):
    """A skill as the planner sees it.

    ``preconditions`` and ``effects`` are literals over argument variables
    (``?object``) and free variables bound from the state (``?from``);
    ``instruction`` is a template formatted with the arguments' natural names,
    e.g. ``"pick up the {object}"``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    args_schema: dict[str, Any] = Field(description="JSON schema of the arguments")
    arg_names: tuple[str, ...]
    preconditions: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    instruction: str = Field(description="language template, e.g. 'pick up the {object}'")
    action_keys: tuple[str, ...] = Field(default=("arm",), description="action groups it drives")

    def precondition_literals(self) -> list[Literal]:
        """Parsed preconditions."""
        return [parse_literal(p) for p in self.preconditions]

    def effect_literals(self) -> list[Literal]:
        """Parsed effects."""
        return [parse_literal(e) for e in self.effects]
