"""What a skill returns. A skill never raises into the planner; it returns one of these."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SkillStatus(str, Enum):
    """How a skill ended."""

    SUCCESS = "success"
    """The skill believes it reached its effect (the runtime still checks it)."""
    FAILURE = "failure"
    """The skill could not do it; ``reason`` says why."""
    ABORTED = "aborted"
    """Stopped from outside (step budget, precondition violated, interlock, user)."""


class SegmentRecord(BaseModel):
    """One part of a composite skill's call: which sub-skill ran, on what, when, and how it ended.

    ``path`` locates the part in the composite (``"2:pick"``: the second step, the
    ``pick`` skill; nested parts are joined with ``/``). ``start_step`` and
    ``end_step`` count 10 Hz policy steps from the start of the enclosing skill call.
    """

    model_config = ConfigDict(extra="forbid")

    path: str
    skill: str
    args: dict[str, Any] = Field(default_factory=dict)
    start_step: int
    end_step: int
    status: SkillStatus
    reason: str | None = None


class SkillResult(BaseModel):
    """The outcome of one skill call.

    ``terminated`` is True when the skill ended on its own (success or a detected
    failure); ``truncated`` when it ran out of its step budget. ``steps`` counts
    policy steps (10 Hz); ``sim_time_s`` is simulated seconds. A composite skill
    lists what each of its parts did in ``segments``.
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
    segments: list[SegmentRecord] = Field(
        default_factory=list, description="per-part records of a composite skill (empty for a leaf skill)"
    )

    @property
    def ok(self) -> bool:
        """True on success."""
        return self.status is SkillStatus.SUCCESS
