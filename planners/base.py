"""The two planner-side interfaces: a describer (world -> scene description) and a
planner (instruction + scene + skills -> plan).

Both take a typed config (pydantic, unknown keys rejected) named ``Config`` on the
class; a subclass is registered by name with ``@PLANNERS.register(...)`` or
``@DESCRIBERS.register(...)`` from :mod:`agentrt.core.registry`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from agentrt.core.plan import Plan
from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec


@runtime_checkable
class Describable(Protocol):
    """Anything that can say what is in it: the unwrapped scene environment."""

    def describe(self) -> SceneDescription:
        """The current scene description (simulator ground truth for scene envs)."""
        ...


class PlannerConfig(BaseModel):
    """Settings shared by every planner (none yet); subclasses add theirs."""

    model_config = ConfigDict(extra="forbid")


class DescriberConfig(BaseModel):
    """Settings shared by every describer (none yet); subclasses add theirs."""

    model_config = ConfigDict(extra="forbid")


class Planner(ABC):
    """Turns an instruction into a :class:`Plan` of subgoals over the given skills.

    Contract: :meth:`plan` raises :class:`agentrt.core.plan.PlanningError` with a one-line
    reason for the user when the instruction is unknown, ambiguous, impossible or
    malformed; a goal that already holds gives an empty plan. Plans still go through
    :func:`planners.validate.validate_plan` before anything moves.
    """

    Config: ClassVar[type[PlannerConfig]] = PlannerConfig
    name: ClassVar[str] = ""

    def __init__(self, config: PlannerConfig | dict[str, Any] | None = None) -> None:
        self.config = config if isinstance(config, self.Config) else self.Config.model_validate(config or {})

    @abstractmethod
    def plan(self, instruction: str, scene: SceneDescription, skills: Sequence[SkillSpec]) -> Plan:
        """Subgoals that take ``scene`` to what ``instruction`` asks for, using only ``skills``."""

    @abstractmethod
    def replan(
        self, previous: Plan, scene: SceneDescription, skills: Sequence[SkillSpec], failure: str
    ) -> Plan:
        """A new plan for ``previous.goal`` from the fresh ``scene`` after a step failed with ``failure``.

        Keeps ``previous.instruction`` and ``previous.goal``; raises ``PlanningError`` if
        the goal can no longer be reached.
        """


class Describer(ABC):
    """Says what is in front of the robot as a :class:`SceneDescription`."""

    Config: ClassVar[type[DescriberConfig]] = DescriberConfig
    name: ClassVar[str] = ""

    def __init__(self, config: DescriberConfig | dict[str, Any] | None = None) -> None:
        self.config = config if isinstance(config, self.Config) else self.Config.model_validate(config or {})

    @abstractmethod
    def describe(self, env: Any) -> SceneDescription:
        """Describe ``env`` (a scene environment, possibly wrapped; see :class:`Describable`)."""
