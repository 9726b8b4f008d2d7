"""One evaluation episode: build the world for a seed, give the suite's instructions in turn,
and judge each by the simulator.

:class:`EvalWorker` builds describer, planner and skills once and runs episodes one
after the other (in this process or inside a Ray actor). Each episode gets a fresh
environment reset to its seed, so an episode's outcome does not depend on which worker
ran it or what ran before.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agentrt.agent import Agent, AgentObserver
from agentrt.core.actions import CONTROL_HZ
from agentrt.core.episode import EpisodeRecord, SubgoalRecord
from agentrt.core.plan import Plan, PlanningError, Subgoal
from agentrt.core.registry import DESCRIBERS, PLANNERS
from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import holds
from agentrt.datasets.episodes import code_version
from agentrt.datasets.video import VideoWriter
from agentrt.skill_sets import SkillSetUnavailable, resolve_skill_set
from evals.results import EpisodeResult, EvalConfig, StageResult, SubgoalOutcome
from evals.suites.base import EpisodeSpec, Suite, Task
from planners.base import Planner
from planners.validate import validate_plan
from scenes.protocol import SceneEnv
from skills.base import Skill, StepEvent

VIDEO_DIR = "videos"
"""Folder of the per-episode MP4s inside a results directory."""


class StepCapReached(BaseException):  # noqa: N818 - a cancellation, like asyncio.CancelledError
    """Raised from the step hook when a task's step cap is spent.

    It derives from ``BaseException`` so that it passes through a skill's own
    ``except Exception`` (which would turn it into a skill failure and a replan) and
    through the agent loop, to the episode runner that set the cap.
    """


def resolve_skills(kind: str, scene: str) -> dict[str, Skill]:
    """Instantiate the skill set ``kind`` (``scripted`` or ``learned``) for ``scene``.

    Raises:
        SkillSetUnavailable: an unknown set, or learned skills without (loadable) checkpoints.
    """
    if kind not in ("scripted", "learned"):
        raise SkillSetUnavailable(f"unknown skill set {kind!r}; known: scripted, learned")
    return resolve_skill_set(kind, scene)[1]


class EvalWorker:
    """Runs episodes of ``suite`` under ``config``; videos go to ``out/videos/`` when asked.

    Args:
        suite: the suite instance.
        config: planner, describer, skills and their settings.
        out: the results directory (needed only for videos).
        skills: the skill instances to use (default: :func:`resolve_skills` of ``config.skills``).
    """

    def __init__(
        self,
        suite: Suite,
        config: EvalConfig,
        out: Path | None = None,
        skills: Mapping[str, Skill] | None = None,
    ) -> None:
        self.suite = suite
        self.config = config
        self.out = out
        if skills is None:
            skills = suite.skills(config.skills) or resolve_skills(config.skills, suite.scene)
        self.skills = dict(skills)
        self.describer = DESCRIBERS.get(config.describer)(config.describer_config)
        self.planner = PLANNERS.get(config.planner)(config.planner_config)
        self.constitution = None
        if config.constitution:
            from planners.constitution import Constitution

            self.constitution = Constitution.default()

    def run(self, index: int, seed: int) -> EpisodeResult:
        """Run the episode with ``seed`` (``index`` is its place in the evaluated range).

        Never raises for a failure inside the episode: an exception becomes a result with
        ``status="error"`` and the message in ``error``.
        """
        start = time.perf_counter()
        spec = self.suite.spec(seed)
        result = EpisodeResult(index=index, seed=seed, suite=spec.suite, tags=dict(spec.tags))
        result.code_version = code_version()
        try:
            self._run(spec, result)
        except Exception as exc:  # a diverged simulation or a broken part: report, do not crash the driver
            result.status, result.success = "error", False
            result.error = f"{type(exc).__name__}: {exc}"
        result.wall_time_s = time.perf_counter() - start
        return result

    def _run(self, spec: EpisodeSpec, result: EpisodeResult) -> None:
        env = self.suite.make_env(spec)
        video = None
        if self.config.video and self.out is not None:
            rel = f"{VIDEO_DIR}/seed-{spec.seed:06d}.mp4"
            video = VideoWriter(self.out / rel, fps=int(env.metadata.get("render_fps", 10)))
            result.video = rel
        try:
            obs = self.suite.reset(env, spec)
            if video is not None:
                video.write(obs["head_rgb"])
            tasks = self.suite.tasks(spec, env.unwrapped.describe())
            result.instructions = [t.instruction for t in tasks]
            for task in tasks:
                stage = self._stage(env, spec, task, video)
                result.stages.append(stage)
                if not stage.success:
                    break
            result.metrics = self.suite.episode_metrics(env, spec)
        finally:
            if video is not None and video.close() == 0:
                result.video = None
            env.close()
        result.chain_length = next(
            (i for i, s in enumerate(result.stages) if not s.success), len(result.stages)
        )
        result.success = bool(tasks) and result.chain_length == len(tasks)
        result.status = "success" if result.success else "failure"
        result.steps = sum(s.steps for s in result.stages)
        result.sim_time_s = result.steps / CONTROL_HZ

    def _stage(self, env: SceneEnv, spec: EpisodeSpec, task: Task, video: VideoWriter | None) -> StageResult:
        stage = StageResult(
            instruction=task.instruction,
            goal=list(task.goal),
            success=False,
            status="running",
            step_cap=task.step_cap,
        )
        if self.constitution is not None:
            review = self.constitution.review(task.instruction, env.unwrapped.describe())
            if not review.accepted:
                stage.status, stage.reason, stage.constitution_rule = (
                    "constitution",
                    review.reason,
                    review.rule,
                )
                return stage
        probe = _StageProbe(task.step_cap, video)
        planner = _PlannerProbe(self.planner)
        agent = Agent(
            env, self.describer, planner, self.skills, max_replans=self.config.max_replans, observers=[probe]
        )
        record = EpisodeRecord(
            episode_id=f"{spec.suite}-s{spec.seed}",
            instruction=task.instruction,
            scene=spec.scene,
            seed=spec.seed,
            code_version=code_version(),
            describer=self.config.describer,
            planner=self.config.planner,
            initial_scene=env.unwrapped.describe(),
        )
        try:
            record = agent.run(task.instruction, record)
            status, reason = record.status, record.reason
        except StepCapReached:
            probe.close_running("step_cap", f"step cap of {task.step_cap} steps reached")
            status, reason = "step_cap", f"step cap of {task.step_cap} steps reached"
        facts = env.unwrapped.facts()
        unmet = [g for g in task.goal if not holds(g, facts)]
        stage.success = not unmet
        if stage.success:
            status, reason = "success", None
        elif status == "success":  # the planner's goal held but the suite's does not: it misread
            status, reason = "goal_not_reached", f"suite goal not reached: {', '.join(unmet)}"
        stage.status, stage.reason = status, reason
        stage.steps, stage.replans, stage.subgoals = probe.steps, record.replans, probe.subgoals
        stage.plan_calls, stage.invalid_plans = planner.calls, planner.invalid
        stage.planning_errors, stage.planner_goal = planner.errors, planner.first_goal
        stage.plan_repairs = planner.repairs
        return stage


class _StageProbe(AgentObserver):
    """Counts one stage's steps, records its subgoals, streams video and enforces the step cap."""

    def __init__(self, cap: int, video: VideoWriter | None) -> None:
        self.cap = cap
        self.video = video
        self.steps = 0
        self.subgoals: list[SubgoalOutcome] = []
        self.running: tuple[Subgoal, int] | None = None
        self.placed: frozenset[tuple[str, ...]] = frozenset()  # in(o, p) facts of the latest description
        self.placed_before: frozenset[tuple[str, ...]] = frozenset()

    def on_scene(self, scene: SceneDescription) -> None:
        self.placed = frozenset(a for a in scene.facts() if a[0] == "in")

    def on_subgoal_start(self, index: int, subgoal: Subgoal) -> None:
        self.running = (subgoal, self.steps)
        self.placed_before = self.placed

    def on_subgoal_end(self, record: SubgoalRecord) -> None:
        # the agent describes the scene after each subgoal before this event: self.placed is "after"
        res = record.result
        status = res.status.value if not res.ok else ("success" if record.effects_ok else "effects_not_met")
        reason = (
            res.reason if not res.ok else (None if record.effects_ok else ", ".join(record.unmet_effects))
        )
        own = {str(v) for v in record.subgoal.args.values()}
        disturbed = sorted({a[1] for a in self.placed_before - self.placed if a[1] not in own})
        self._add(record.subgoal, status, reason, record.end_step - record.start_step, disturbed)

    def on_step(self, event: StepEvent) -> None:
        self.steps += 1
        if self.video is not None:
            self.video.write(event.next_obs["head_rgb"])
        if self.steps >= self.cap:
            raise StepCapReached

    def close_running(self, status: str, reason: str) -> None:
        """Record the subgoal interrupted by the cap."""
        if self.running is not None:
            subgoal, start = self.running
            self._add(subgoal, status, reason, self.steps - start)

    def _add(
        self,
        subgoal: Subgoal,
        status: str,
        reason: str | None,
        steps: int,
        disturbed: list[str] | None = None,
    ) -> None:
        self.subgoals.append(
            SubgoalOutcome(
                skill=subgoal.skill,
                args=dict(subgoal.args),
                instruction=subgoal.instruction,
                status=status,
                reason=reason,
                steps=steps,
                disturbed=disturbed or [],
            )
        )
        self.running = None


class _PlannerProbe(Planner):
    """Wraps a planner to count its calls, planning errors and invalid plans."""

    def __init__(self, inner: Planner) -> None:  # no super().__init__: the inner planner holds the config
        self.inner = inner
        self.config = inner.config
        self.calls = self.invalid = self.errors = self.repairs = 0
        self.first_goal: list[str] = []

    def plan(self, instruction: str, scene: SceneDescription, skills: Sequence[SkillSpec]) -> Plan:
        return self._count(lambda: self.inner.plan(instruction, scene, skills), scene, skills)

    def replan(
        self, previous: Plan, scene: SceneDescription, skills: Sequence[SkillSpec], failure: str
    ) -> Plan:
        return self._count(lambda: self.inner.replan(previous, scene, skills, failure), scene, skills)

    def _count(self, call: Any, scene: SceneDescription, skills: Sequence[SkillSpec]) -> Plan:
        self.calls += 1
        try:
            plan = call()
        except PlanningError:
            self.errors += 1
            raise
        finally:  # a planner that corrects its own drafts (the LLM planner) says how often in `last.repairs`
            self.repairs += int(getattr(getattr(self.inner, "last", None), "repairs", 0) or 0)
        if validate_plan(plan, scene, skills):
            self.invalid += 1
        elif not self.first_goal:
            self.first_goal = list(plan.goal)
        return plan
