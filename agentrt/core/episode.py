"""The per-run record written by ``agentrt run`` (the dataset format is its own issue)."""

from __future__ import annotations

from datetime import datetime, timezone

from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.plan import Plan, Subgoal
from agentrt.core.results import SkillResult
from agentrt.core.scene import SceneDescription


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
