"""The agent loop: describe -> plan -> validate -> execute subgoal by subgoal -> replan.

Skills return results and never raise; the agent checks every subgoal's expected
effects against a fresh scene description, and on a failure re-describes and asks the
planner to replan (bounded). Success is decided by the simulator's predicates over the
plan's goal literals, never by the skills' own opinion.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from agentrt.core.actions import CONTROL_HZ
from agentrt.core.episode import EpisodeRecord, SubgoalRecord
from agentrt.core.plan import Plan, PlanningError, Subgoal
from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import holds
from planners.base import Describer, Planner
from planners.validate import validate_plan
from scenes.protocol import SceneEnv
from skills.base import Skill, StepEvent


class AgentObserver:
    """Receives progress events (for displays and loggers); every method is a no-op here."""

    def on_scene(self, scene: SceneDescription) -> None:
        """A scene description was produced."""

    def on_plan(self, plan: Plan, replan: bool) -> None:
        """A plan (or replan) passed validation and is about to run."""

    def on_subgoal_start(self, index: int, subgoal: Subgoal) -> None:
        """A subgoal starts executing."""

    def on_subgoal_end(self, record: SubgoalRecord) -> None:
        """A subgoal finished (its result and effect check are in ``record``)."""

    def on_step(self, event: StepEvent) -> None:
        """One 10 Hz environment step happened inside a skill."""


class Agent:
    """Runs instructions in one environment with one describer, planner and skill set.

    Args:
        env: a scene environment (``scenes.make(...)``), already reset.
        describer: turns the env into a :class:`SceneDescription`.
        planner: turns instruction + scene into a :class:`Plan`.
        skills: registry name -> skill instance; the planner sees their specs.
        max_replans: how many times a failed subgoal may trigger a replan.
        observers: progress callbacks, called in order.
    """

    def __init__(
        self,
        env: SceneEnv,
        describer: Describer,
        planner: Planner,
        skills: Mapping[str, Skill],
        *,
        max_replans: int = 3,
        observers: Sequence[AgentObserver] = (),
    ) -> None:
        self.env = env
        self.describer = describer
        self.planner = planner
        self.skills = dict(skills)
        self.max_replans = max_replans
        self.observers = list(observers)
        self.specs: list[SkillSpec] = [skill.spec() for skill in self.skills.values()]

    def run(self, instruction: str, record: EpisodeRecord) -> EpisodeRecord:
        """Carry out ``instruction``, filling and returning ``record``.

        ``record.status`` ends as ``success``, ``goal_not_reached`` or ``rejected``
        (the instruction could not be planned: nothing moved).
        """
        start = time.perf_counter()
        scene = self._describe()
        record.initial_scene = scene
        try:
            plan = self._checked(self.planner.plan(instruction, scene, self.specs), scene)
        except PlanningError as exc:
            return self._finish(record, scene, start, status="rejected", reason=exc.reason)
        record.plans.append(plan)
        self._emit("on_plan", plan, False)

        queue = list(plan.subgoals)
        while True:
            if queue:
                sub, scene = self._execute(queue.pop(0), scene, record)
                if sub.effects_ok and sub.result.ok:
                    continue
                failure = _failure_text(sub)
            else:  # the plan ran out: done if the world agrees, else something went wrong unseen
                unmet = _unmet(plan.goal, scene)
                if not unmet:
                    break
                failure = f"plan finished but the goal is not reached: {', '.join(unmet)}"
            if record.replans >= self.max_replans:
                reason = f"gave up after {record.replans} replans; last failure: {failure}"
                return self._finish(record, scene, start, status="goal_not_reached", reason=reason, plan=plan)
            record.replans += 1
            try:
                plan = self._checked(self.planner.replan(plan, scene, self.specs, failure), scene)
            except PlanningError as exc:
                reason = f"replanning failed ({exc.reason}) after: {failure}"
                return self._finish(record, scene, start, status="goal_not_reached", reason=reason, plan=plan)
            record.plans.append(plan)
            self._emit("on_plan", plan, True)
            queue = list(plan.subgoals)
        return self._finish(record, scene, start, status=None, reason=None, plan=plan)

    # ------------------------------------------------------------------ helpers
    def _emit(self, event: str, *args: Any) -> None:
        for observer in self.observers:
            getattr(observer, event)(*args)

    def _describe(self) -> SceneDescription:
        scene = self.describer.describe(self.env)
        self._emit("on_scene", scene)
        return scene

    def _checked(self, plan: Plan, scene: SceneDescription) -> Plan:
        errors = validate_plan(plan, scene, self.specs)
        if errors:
            raise PlanningError("invalid plan: " + "; ".join(errors))
        return plan

    def _execute(
        self, subgoal: Subgoal, scene: SceneDescription, record: EpisodeRecord
    ) -> tuple[SubgoalRecord, SceneDescription]:
        index = len(record.subgoals)
        self._emit("on_subgoal_start", index, subgoal)
        skill = self.skills[subgoal.skill]
        start_step = record.steps

        def on_step(event: StepEvent) -> None:
            record.steps += 1
            self._emit("on_step", event)

        result = skill.run(
            self.env, subgoal.args, scene=scene, instruction=subgoal.instruction, on_step=on_step
        )
        scene = self._describe()
        facts = scene.facts()
        unmet = [e for e in subgoal.expected_effects if not holds(e, facts)]
        sub = SubgoalRecord(
            index=index,
            subgoal=subgoal,
            skill_impl=_impl(skill),
            result=result,
            effects_ok=not unmet,
            unmet_effects=unmet,
            start_step=start_step,
            end_step=record.steps,
        )
        record.subgoals.append(sub)
        self._emit("on_subgoal_end", sub)
        return sub, scene

    def _finish(
        self,
        record: EpisodeRecord,
        scene: SceneDescription,
        start: float,
        *,
        status: str | None,
        reason: str | None,
        plan: Plan | None = None,
    ) -> EpisodeRecord:
        record.final_scene = scene
        if status != "rejected" and plan is not None:
            unmet = _unmet(plan.goal, scene)
            record.success = not unmet
            if status is None:
                status = "success" if record.success else "goal_not_reached"
                if unmet:
                    reason = f"goal literals not satisfied: {', '.join(unmet)}"
        record.status = status or "goal_not_reached"
        record.reason = reason
        record.sim_time_s = record.steps / CONTROL_HZ
        record.wall_time_s += time.perf_counter() - start
        return record


def _unmet(goal: Sequence[str], scene: SceneDescription) -> list[str]:
    facts = scene.facts()
    return [literal for literal in goal if not holds(literal, facts)]


def _failure_text(sub: SubgoalRecord) -> str:
    sg = sub.subgoal
    what = f"{sg.skill}({', '.join(f'{k}={v}' for k, v in sg.args.items())})"
    if not sub.result.ok:
        return f"{what} {sub.result.status.value}: {sub.result.reason}"
    return f"{what} reported success but effects not observed: {', '.join(sub.unmet_effects)}"


def _impl(skill: Skill) -> str:
    """Qualified class of ``skill``, and ``@ checkpoint`` for a learned one."""
    name = f"{type(skill).__module__}.{type(skill).__qualname__}"
    checkpoint = getattr(skill, "checkpoint", None)
    return f"{name} @ {checkpoint}" if checkpoint else name


def make_skills(names: Sequence[str] | None = None) -> dict[str, Skill]:
    """Instantiate registered skills (all of them by default)."""
    from agentrt.core.registry import SKILLS

    chosen = names if names is not None else SKILLS.names()
    return {name: SKILLS.get(name)() for name in chosen}


__all__ = ["Agent", "AgentObserver", "make_skills"]
