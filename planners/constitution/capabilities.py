"""What the robot can physically do, as a typed model the embodiment rules read."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec


class RobotCapabilities(BaseModel):
    """The robot's body and skills. Defaults describe ``mobile-panda`` (Franka Panda arm).

    Units: kilograms, metres. Heights are of the surface the gripper works on, in the
    world frame.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    skills: tuple[str, ...] = Field(default=(), description="registered skill names it can run")
    arms: int = Field(default=1, ge=1, description="number of arms (one gripper each)")
    max_payload_kg: float = Field(default=3.0, gt=0, description="heaviest object one arm lifts")
    gripper_max_aperture_m: float = Field(default=0.08, gt=0, description="widest finger opening")
    reach_height_m: tuple[float, float] = Field(
        default=(0.4, 0.8), description="lowest and highest work surface the arm reaches"
    )
    mobile_base: bool = Field(default=True, description="whether the base can drive")

    @model_validator(mode="after")
    def _ordered_reach(self) -> RobotCapabilities:
        low, high = self.reach_height_m
        if not 0 <= low <= high:
            raise ValueError(
                f"reach_height_m must be (low, high) with 0 <= low <= high, got {self.reach_height_m}"
            )
        return self

    @classmethod
    def for_scene(
        cls, scene: SceneDescription, skills: Sequence[SkillSpec] | Sequence[str] = (), **overrides: object
    ) -> RobotCapabilities:
        """Capabilities of the robot in ``scene`` (base mobility from its state) with these skills."""
        names = tuple(s if isinstance(s, str) else s.name for s in skills)
        fields: dict[str, object] = {"skills": names, "mobile_base": scene.robot.mobile}
        fields.update(overrides)
        return cls(**fields)

    def provides(self, words: Sequence[str]) -> str | None:
        """The first skill whose name has one of ``words`` as a ``_``-separated part, else None."""
        wanted = {w.replace(" ", "_") for w in words}
        for skill in self.skills:
            if skill in wanted or set(skill.split("_")) & wanted:
                return skill
        return None
