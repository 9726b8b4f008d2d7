"""Typed records of an evaluation: its configuration and one result per episode.

These are what ``results.json`` holds (``config`` and ``episodes``); everything in an
:class:`EpisodeResult` except ``wall_time_s`` is a deterministic function of the suite id,
the seed, the :class:`EvalConfig` and the code.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SkillSet = Literal["scripted", "learned"]


class EvalConfig(BaseModel):
    """Everything besides the suite and seeds that determines an evaluation's numbers."""

    model_config = ConfigDict(extra="forbid")

    suite: str = Field(description="registered suite id, e.g. 'kitchen-tidy-v0'")
    describer: str = Field(default="oracle", description="registered scene describer")
    describer_config: dict[str, Any] = Field(default_factory=dict, description="the describer's Config")
    planner: str = Field(default="symbolic", description="registered task planner")
    planner_config: dict[str, Any] = Field(default_factory=dict, description="the planner's Config")
    skills: SkillSet = Field(default="scripted", description="which skill implementations run")
    max_replans: int = Field(default=3, ge=0, description="replans allowed per instruction")
    constitution: bool = Field(
        default=False, description="review each instruction with the default robot constitution first"
    )
    video: bool = Field(
        default=False, description="write each episode's head camera as MP4 (no effect on numbers)"
    )

    def identity(self) -> dict[str, Any]:
        """The fields that change results (``video`` does not), for resume checks."""
        return self.model_dump(mode="json", exclude={"video"})


class SubgoalOutcome(BaseModel):
    """One executed subgoal of a plan."""

    model_config = ConfigDict(extra="forbid")

    skill: str
    args: dict[str, Any] = Field(default_factory=dict)
    instruction: str = ""
    status: str = Field(description="success | failure | aborted | effects_not_met | step_cap")
    reason: str | None = None
    steps: int = Field(default=0, description="10 Hz policy steps it ran")
    disturbed: list[str] = Field(
        default_factory=list,
        description="other objects that were in a place before and no longer there after (knocked off)",
    )

    @property
    def ok(self) -> bool:
        return self.status == "success"


class StageResult(BaseModel):
    """One instruction of an episode (the only one, or one link of a chain)."""

    model_config = ConfigDict(extra="forbid")

    instruction: str
    goal: list[str] = Field(description="the suite's goal literals, checked in the simulator")
    success: bool = Field(description="every goal literal held in the simulator when the stage ended")
    status: str = Field(
        description="success | goal_not_reached | rejected (planner) | step_cap | constitution | error"
    )
    reason: str | None = None
    steps: int = 0
    step_cap: int = 0
    replans: int = 0
    plan_calls: int = Field(default=0, description="plan + replan calls to the planner")
    invalid_plans: int = Field(default=0, description="plans that failed validation")
    planning_errors: int = Field(default=0, description="calls that raised PlanningError")
    plan_repairs: int = Field(
        default=0, description="drafts the planner corrected itself before answering (LLM planner's repairs)"
    )
    planner_goal: list[str] = Field(default_factory=list, description="the goal of the planner's first plan")
    constitution_rule: str | None = Field(default=None, description="the rule that rejected the instruction")
    subgoals: list[SubgoalOutcome] = Field(default_factory=list)


class EpisodeResult(BaseModel):
    """The outcome of one episode of a suite."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(ge=0, description="position in the evaluated seed range")
    seed: int = Field(ge=0)
    suite: str
    tags: dict[str, int | str] = Field(default_factory=dict)
    status: Literal["success", "failure", "error"] = "failure"
    success: bool = Field(default=False, description="every stage succeeded")
    chain_length: int = Field(default=0, description="consecutive stages that succeeded from the first")
    instructions: list[str] = Field(default_factory=list, description="every instruction drawn, given or not")
    stages: list[StageResult] = Field(default_factory=list)
    steps: int = Field(default=0, description="10 Hz policy steps over all stages")
    sim_time_s: float = Field(default=0.0, description="simulated seconds (steps / 10 Hz)")
    wall_time_s: float = Field(default=0.0, description="wall-clock seconds on the worker (not reproducible)")
    metrics: dict[str, float] = Field(default_factory=dict, description="suite-specific scalars")
    error: str | None = Field(default=None, description="why the episode has no outcome (worker fault)")
    video: str | None = Field(default=None, description="head-camera MP4, relative to the results directory")
    code_version: str = ""


__all__ = ["EpisodeResult", "EvalConfig", "SkillSet", "StageResult", "SubgoalOutcome"]
