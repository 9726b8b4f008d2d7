"""One simulator worker of the collection loop: reset, propose, review, plan, execute.

A worker owns one environment and produces whole episodes in memory; only the
driver writes to the dataset, and only complete episodes, so a worker that crashes
or hangs loses nothing but its in-flight episode.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agentrt.agent import Agent, AgentObserver, make_skills
from agentrt.core.episode import EpisodeRecord
from agentrt.core.plan import Subgoal
from agentrt.core.registry import DESCRIBERS, PLANNERS, SCENES
from agentrt.core.scene import SceneDescription
from agentrt.datasets.episodes import code_version
from agentrt.skill_sets import parse_policy, resolve_skill_set
from planners.llm.proposer import make_proposer
from planners.proposer import DiversityTracker, TaskProposal
from skills.base import StepEvent


class WorkerConfig(BaseModel):
    """What every worker builds: the same scene, describer, planner and skills."""

    model_config = ConfigDict(extra="forbid")

    scene: str = Field(default="kitchen-v0", description="registered scene id")
    describer: str = Field(default="oracle", description="registered scene describer")
    planner: str = Field(default="symbolic", description="registered task planner")
    policy: str = Field(
        default="scripted",
        description="skills to run: scripted, learned (the scene's VLA checkpoints) or mix:P (learned with"
        " probability P per episode, drawn from its seed)",
    )
    max_replans: int = Field(default=2, ge=0, description="replans per episode")
    max_proposals: int = Field(default=8, ge=1, description="proposals reviewed per episode before giving up")
    proposer: str = Field(default="template", description="task proposer: template or llm")
    proposer_config: dict[str, Any] = Field(
        default_factory=dict, description="settings for the proposer (e.g. model, base_url for llm)"
    )


class Review(Protocol):
    """What the worker reads from a constitution's review of one task."""

    accepted: bool
    rule: str | None
    kind: str | None
    reason: str | None


class Reviewer(Protocol):
    """A robot constitution: ``review(task, scene) -> Review``."""

    def review(self, task: str, scene: SceneDescription) -> Review: ...


@dataclass
class Frame:
    """One 10 Hz step: the observation *before* the action, the action, and who acted."""

    obs: dict[str, np.ndarray]
    action: dict[str, np.ndarray]
    task: str
    """Language instruction of the skill that produced the action."""
    skill: str
    subgoal_index: int


@dataclass
class ProposalVerdict:
    """A proposed task and what became of it before anything moved."""

    task: str
    accepted: bool
    rule: str | None = None
    kind: str | None = None
    reason: str | None = None


@dataclass
class CollectedEpisode:
    """A finished episode, ready to be committed by the driver."""

    seed: int
    proposal: TaskProposal | None
    frames: list[Frame]
    record: EpisodeRecord | None
    proposals: list[ProposalVerdict] = field(default_factory=list)
    wall_time_s: float = 0.0

    @property
    def success(self) -> bool:
        return self.record is not None and self.record.success

    def provenance(self) -> dict[str, Any]:
        """Everything about the episode other than its frames, as JSON-ready data."""
        return {
            "seed": self.seed,
            "task": self.proposal.instruction if self.proposal else None,
            "task_template": self.proposal.template if self.proposal else None,
            "task_object": self.proposal.object if self.proposal else None,
            "task_place": self.proposal.place if self.proposal else None,
            "proposals": [vars(p) for p in self.proposals],
            "episode": self.record.model_dump(mode="json") if self.record else None,
            "success": self.success,
            "success_decided_by": self.record.success_decided_by if self.record else None,
            "wall_time_s": self.wall_time_s,
        }


class _FrameRecorder(AgentObserver):
    """Collects every step's (obs, action) with the running skill and subgoal index."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.subgoal = -1
        self.diverged = False

    def on_subgoal_start(self, index: int, subgoal: Subgoal) -> None:
        self.subgoal = index

    def on_step(self, event: StepEvent) -> None:
        state = event.next_obs.get("state")
        if state is not None and not np.all(np.isfinite(state)):
            self.diverged = True
        self.frames.append(Frame(event.obs, event.action, event.instruction, event.skill, self.subgoal))


class EpisodeWorker:
    """Builds the parts once, then runs one episode per :meth:`run` call.

    Args:
        config: scene, describer, planner, policy.
        constitution: reviews each proposed task before the planner sees it.
    """

    def __init__(self, config: WorkerConfig, constitution: Reviewer) -> None:
        self.p_learned = parse_policy(config.policy)
        self.config = config
        self.constitution = constitution
        self.env = SCENES.get(config.scene)()
        self.describer = DESCRIBERS.get(config.describer)()
        self.planner = PLANNERS.get(config.planner)()
        self.skill_sets = {"scripted": make_skills()}
        if self.p_learned > 0:
            self.skill_sets["learned"] = resolve_skill_set("learned", config.scene)[1]
        self.skills = self.skill_sets["scripted"]
        specs = [skill.spec() for skill in self.skills.values()]
        self.proposer = make_proposer(config.proposer, config.proposer_config, specs)

    def skill_set_for(self, seed: int) -> str:
        """``learned`` with probability ``p_learned``, else ``scripted``: a pure function of ``seed``."""
        if self.p_learned <= 0.0:
            return "scripted"
        return "learned" if np.random.default_rng([seed, 1]).random() < self.p_learned else "scripted"

    def run(self, seed: int, tracker: DiversityTracker) -> CollectedEpisode:
        """Reset to ``seed``, find an acceptable task, execute it; return the episode.

        An episode whose every proposal is rejected has no frames and no record; the
        driver counts it but writes nothing.
        """
        start = time.perf_counter()
        self.env.reset(seed=seed)
        scene = self.describer.describe(self.env)
        rng = np.random.default_rng(seed)
        self.skills = self.skill_sets[self.skill_set_for(seed)]
        verdicts: list[ProposalVerdict] = []
        for proposal in self.proposer.propose(scene, tracker, rng, k=self.config.max_proposals):
            review = self.constitution.review(proposal.instruction, scene)
            if not review.accepted:
                verdicts.append(
                    ProposalVerdict(proposal.instruction, False, review.rule, review.kind, review.reason)
                )
                continue
            recorder = _FrameRecorder()
            record = self._execute(proposal.instruction, seed, recorder)
            if recorder.diverged:  # never hand a NaN episode to the dataset
                raise FloatingPointError(f"seed {seed}: non-finite robot state, the simulation diverged")
            if record.status == "rejected":  # the planner refused: nothing moved
                verdict = ProposalVerdict(proposal.instruction, False, "planner", "planner", record.reason)
                verdicts.append(verdict)
                continue
            verdicts.append(ProposalVerdict(proposal.instruction, True))
            elapsed = time.perf_counter() - start
            return CollectedEpisode(seed, proposal, recorder.frames, record, verdicts, elapsed)
        return CollectedEpisode(seed, None, [], None, verdicts, time.perf_counter() - start)

    def _execute(self, instruction: str, seed: int, recorder: _FrameRecorder) -> EpisodeRecord:
        agent = Agent(
            self.env,
            self.describer,
            self.planner,
            self.skills,
            max_replans=self.config.max_replans,
            observers=[recorder],
        )
        record = EpisodeRecord(
            episode_id=f"{self.config.scene}-s{seed}",
            instruction=instruction,
            scene=self.config.scene,
            seed=seed,
            code_version=code_version(),
            describer=self.config.describer,
            planner=self.config.planner,
            initial_scene=self.env.describe(),
        )
        return agent.run(instruction, record)

    def close(self) -> None:
        """Release the simulator."""
        self.env.close()
