"""Early failures of the learned arm skills, read from the simulator's facts like the success detector.

- :class:`LostObjectCheck` (``pick``, ``place``): fails once none of the skill's ``keep_any``
  literals (the object is where it was, or in the hand, or in the receptacle) has held for
  ``lost_steps`` steps: the object was knocked off or dropped elsewhere.
- :class:`MissedGraspCheck` (``pick``): fails once the gripper has been commanded closed for
  ``miss_steps`` steps without holding the object: a missed grasp. The policies we trained never
  reopen after one, so the rest of the budget would be spent closed on nothing.

Both read the call's :class:`~skills.learned.detector.FactReader` (``env.facts()``, privileged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.symbolic import format_atom, parse_literal, substitute
from skills.base import Done
from skills.learned.detector import FactReader, effects_hold


class LostObjectConfig(BaseModel):
    """When a learned arm skill has lost track of its object (:class:`LostObjectCheck`)."""

    model_config = ConfigDict(extra="forbid")

    lost_steps: int = Field(
        default=10, ge=1, description="fail once none of the skill's `keep_any` literals held this long"
    )


class LostObjectCheck:
    """Fails a call once none of ``keep_any`` (literals over its variables) has held for ``lost_steps``."""

    def __init__(self, keep_any: Sequence[str], config: LostObjectConfig) -> None:
        self.keep = [parse_literal(k) for k in keep_any]
        self.config = config
        self.lost_since: int | None = None

    def reset(self, binding: Mapping[str, str], facts: FactReader) -> None:
        self.binding, self.facts, self.lost_since = binding, facts, None

    def check(self, step: int) -> Done | None:
        """At a check step: the failure once the object has been lost long enough, else ``None``."""
        if not self.keep or any(effects_hold([k], self.binding, self.facts.at(step)) for k in self.keep):
            self.lost_since = None
            return None
        self.lost_since = step if self.lost_since is None else self.lost_since
        if step - self.lost_since < self.config.lost_steps:
            return None
        ground = ", ".join(format_atom(substitute(k.atom, self.binding)) for k in self.keep)
        return Done(False, f"lost track: none of {ground} holds")


class MissedGraspConfig(BaseModel):
    """When a closed gripper counts as a missed grasp (:class:`MissedGraspCheck`)."""

    model_config = ConfigDict(extra="forbid")

    miss_steps: int = Field(
        default=0,
        ge=0,
        description="fail once the gripper has been commanded closed this long without the skill's "
        "`grasp_literal` holding (a missed grasp; 0: never)",
    )


class MissedGraspCheck:
    """Reports a missed grasp once the gripper has been commanded closed ``miss_steps`` steps without
    ``grasp_literal`` (``holding(?object)``) holding."""

    def __init__(self, grasp_literal: str, config: MissedGraspConfig) -> None:
        self.grasp = parse_literal(grasp_literal)
        self.config = config
        self.closed_since: int | None = None

    def reset(self, binding: Mapping[str, str], facts: FactReader) -> None:
        self.binding, self.facts, self.closed_since = binding, facts, None

    def applied(self, closes: bool, step: int) -> None:
        """Record the gripper command of the row applied at ``step``."""
        if not closes:
            self.closed_since = None
        elif self.closed_since is None:
            self.closed_since = step

    def check(self, step: int) -> str | None:
        """At a check step: why the grasp missed, once it has, else ``None``."""
        if self.closed_since is None or not self.config.miss_steps:
            return None
        if effects_hold([self.grasp], self.binding, self.facts.at(step)):
            self.closed_since = None
            return None
        if step - self.closed_since < self.config.miss_steps:
            return None
        ground = format_atom(substitute(self.grasp.atom, self.binding))
        return (
            f"grasp missed: the gripper closed {self.config.miss_steps} steps ago and {ground} does not hold"
        )


__all__ = ["LostObjectCheck", "LostObjectConfig", "MissedGraspCheck", "MissedGraspConfig"]
