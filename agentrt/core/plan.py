"""Plans: ordered subgoals, each a registered skill with typed arguments."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PlanningError(Exception):
    """The planner cannot produce a plan; ``reason`` says why in one line for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Subgoal(BaseModel):
    """One step of a plan.

    ``args`` maps argument names to scene ids (validated by the skill's pydantic
    argument model before execution). ``instruction`` is what a learned skill would
    be told ("pick up the red mug"). ``expected_effects`` are ground literals that must
    hold in the scene afterwards (``"in(mug_0, sink)"``, ``"not holding(mug_0)"``).
    """

    model_config = ConfigDict(extra="forbid")

    skill: str
    args: dict[str, Any] = Field(default_factory=dict)
    instruction: str = ""
    expected_effects: list[str] = Field(default_factory=list)


class Plan(BaseModel):
    """An instruction turned into subgoals, and the goal they are meant to reach."""

    model_config = ConfigDict(extra="forbid")

    instruction: str
    goal: list[str] = Field(default_factory=list, description="ground literals that define success")
    subgoals: list[Subgoal] = Field(default_factory=list)
    planner: str = ""
    explanation: str = Field(default="", description="how the instruction was understood")
