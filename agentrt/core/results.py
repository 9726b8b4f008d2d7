"""What a skill returns. A skill never raises into the planner; it returns one of these."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class SkillStatus(str, Enum):
    """How a skill ended."""

    SUCCESS = "success"
    """The skill believes it reached its effect (the runtime still checks it)."""
    FAILURE = "failure"
    """The skill could not do it; ``reason`` says why."""
    ABORTED = "aborted"
    """Stopped from outside (step budget, precondition violated, interlock, user)."""


class SkillResult(BaseModel):
    """The outcome of one skill call.

    ``terminated`` is True when the skill ended on its own (success or a detected
    failure); ``truncated`` when it ran out of its step budget. ``steps`` counts
    policy steps (10 Hz); ``sim_time_s`` is simulated seconds.
    """

    model_config = ConfigDict(extra="forbid")

    status: SkillStatus
    reason: str | None = None
    terminated: bool = True
    truncated: bool = False
    steps: int = 0
    sim_time_s: float = 0.0
    wall_time_s: float = 0.0
    metrics: dict[str, float] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True on success."""
        return self.status is SkillStatus.SUCCESS
