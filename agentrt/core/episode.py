"""The per-run record written by ``agentrt run`` (the dataset format is its own issue)."""

from __future__ import annotations

from datetime import datetime, timezone

from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.plan import Plan, Subgoal
from agentrt.core.results import SkillResult
from agentrt.core.scene import SceneDescription


class Handoff(BaseModel):
    """One command a skill handed to a low-level controller."""

    model_config = ConfigDict(extra="forbid")

    time_s: float = Field(description="simulated time since the robot was stood up, s")
    command: tuple[float, ...] = Field(description="(vx, vy, wz): m/s, m/s, rad/s in the trunk heading frame")
    clipped: bool = Field(description="the command was outside the controller's envelope and was clipped")


class HandoffSummary(BaseModel):
    """The hand-offs between one subgoal's skill and the robot's low-level controller."""

    model_config = ConfigDict(extra="forbid")

    controller: str = Field(description="registered controller name, e.g. 'a1-locomotion'")
    count: int = Field(ge=0, description="commands handed over during the subgoal")
    clipped: int = Field(ge=0, description="how many of them were clipped to the envelope")
    first: Handoff | None = None
    last: Handoff | None = None
    fault: str | None = Field(default=None, description="the fall interlock's reason, if it latched")


class SubgoalRecord(BaseModel):
    """One executed subgoal: what was asked, what the skill said, what the scene showed."""

    model_config = ConfigDict(extra="forbid")

    index: int
    subgoal: Subgoal
    skill_impl: str = Field(description="qualified class (or checkpoint) that ran")
    result: SkillResult
    effects_ok: bool
    unmet_effects: list[str] = Field(default_factory=list)
    start_step: int
    end_step: int
    handoffs: HandoffSummary | None = Field(
        default=None, description="commands handed to a low-level controller (legged robots)"
    )


class EpisodeRecord(BaseModel):
    """Provenance and outcome of one run of the agent."""

    model_config = ConfigDict(extra="forbid")

    episode_id: str
    instruction: str
    scene: str
    seed: int
    code_version: str
    started_at: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    describer: str
    planner: str
    robot: str | None = Field(default=None, description="robot model that ran, e.g. 'a1'")
    initial_scene: SceneDescription
    final_scene: SceneDescription | None = None
    plans: list[Plan] = Field(default_factory=list, description="first plan, then each replan")
    subgoals: list[SubgoalRecord] = Field(default_factory=list)
    replans: int = 0
    success: bool = False
    status: str = Field(default="running", description="success | goal_not_reached | rejected")
    reason: str | None = None
    success_decided_by: str = "simulator predicates over the plan's goal literals"
    steps: int = 0
    sim_time_s: float = 0.0
    wall_time_s: float = 0.0
    video: str | None = None
