"""The embedded default planner: language grounding with MiniLM + STRIPS search.

``plan`` reads the instruction (templates, skill templates, encoder fallback), grounds
its noun phrases in the scene (:mod:`planners.symbolic.grounding`), forms goal literals
(:mod:`planners.symbolic.goals`) and searches the skills' grounded schemas with weighted A*
(:mod:`planners.symbolic.search`). It knows no skill by name: any :class:`SkillSpec` with
preconditions and effects over the scene's predicates can appear in its plans.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from pydantic import Field

from agentrt.core.plan import Plan, PlanningError, Subgoal
from agentrt.core.registry import PLANNERS
from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import Atom, format_atom, matches, parse_literal, substitute, variables
from planners.base import Planner, PlannerConfig
from planners.encoder import SentenceEncoder, load_encoder
from planners.symbolic.goals import Goal, build_goal
from planners.symbolic.grounding import Grounder
from planners.symbolic.language import parse_instruction, split_clauses
from planners.symbolic.search import GroundAction, Problem, SearchResult, astar, ground


class SymbolicPlannerConfig(PlannerConfig):
    """Settings of :class:`SymbolicPlanner`."""

    weight: float = Field(default=2.0, ge=1.0, description="A* weight on the heuristic (1 = plain A*)")
    node_budget: int = Field(default=20000, gt=0, description="expansions before search gives up")
    clutter_cost: float = Field(
        default=20.0,
        ge=0.0,
        description="extra cost (in metres of travel) of putting an object beside each one the goal "
        "still takes out of that place (planners.symbolic.search.clutter), more than any reordering's detour "
        "in a room, so a plan crowds a receptacle only where no order avoids it; 0: travel alone",
    )
    use_encoder: bool = Field(
        default=True, description="use MiniLM for inexact words (else exact matches only)"
    )
    encoder_path: str | None = Field(
        default=None, description="sentence encoder folder; bundled MiniLM if None"
    )
    object_threshold: float = Field(default=0.65, description="min cosine similarity for an object word")
    place_threshold: float = Field(default=0.65, description="min cosine similarity for a place word")
    intent_threshold: float = Field(default=0.68, description="min cosine similarity of an unknown verb")
    ambiguity_margin: float = Field(default=0.03, description="similarities this close to the best are ties")


@PLANNERS.register("symbolic")
class SymbolicPlanner(Planner):
    """Instruction -> goal literals -> shortest-travel skill sequence (see module docstring).

    Args:
        config: a :class:`SymbolicPlannerConfig` or a dict of its fields.
        encoder: a loaded sentence encoder to share (default: the process-wide one,
            loaded lazily on first use when ``config.use_encoder``).
    """

    Config = SymbolicPlannerConfig
    name = "symbolic"
    config: SymbolicPlannerConfig

    def __init__(
        self, config: SymbolicPlannerConfig | dict | None = None, *, encoder: SentenceEncoder | None = None
    ) -> None:
        super().__init__(config)
        self._encoder = encoder
        self.last_search: SearchResult | None = None
        """Statistics of the latest search (expansions, cost), for logs and benchmarks."""
        self.last_seconds: float = 0.0

    @property
    def encoder(self) -> SentenceEncoder | None:
        """The sentence encoder, loaded on first use (``None`` when disabled)."""
        if self._encoder is None and self.config.use_encoder:
            self._encoder = load_encoder(self.config.encoder_path)
        return self._encoder

    def plan(self, instruction: str, scene: SceneDescription, skills: Sequence[SkillSpec]) -> Plan:
        start = time.perf_counter()
        _check_skills(skills)
        templates = {s.name: s.instruction for s in skills if s.instruction}
        grounder = Grounder(
            scene,
            self.encoder,
            self.config.object_threshold,
            self.config.place_threshold,
            self.config.ambiguity_margin,
        )
        literals: list[str] = []
        readings: list[str] = []
        for clause in split_clauses(instruction) or [instruction]:
            parsed = parse_instruction(clause, self.encoder, self.config.intent_threshold, templates)
            goal = build_goal(parsed, grounder, scene, skills)
            literals += [lit for lit in goal.literals if lit not in literals]
            how = f" (intent recognised by {parsed.how})" if parsed.how != "template" else ""
            readings.append(goal.explanation + how)
        if len(readings) > 1:
            readings.append("All of these must hold at the end; the search chooses the order.")
        out = self._search(
            instruction, Goal(tuple(literals), " ".join(readings)), scene, skills, " ".join(readings)
        )
        self.last_seconds = time.perf_counter() - start
        return out

    def replan(
        self, previous: Plan, scene: SceneDescription, skills: Sequence[SkillSpec], failure: str
    ) -> Plan:
        start = time.perf_counter()
        _check_skills(skills)
        ids = {o.id for o in scene.objects} | {p.id for p in scene.places}
        for text in previous.goal:
            literal = parse_literal(text)
            gone = [t for t in literal.atom[1:] if t not in ids]
            if gone:
                raise PlanningError(
                    f"cannot replan: {', '.join(gone)} is no longer in the scene (goal {text})"
                )
        goal = Goal(tuple(previous.goal), f"Replanned after failure ({failure}) for the same goal.")
        explanation = goal.explanation + (
            f" Originally: {previous.explanation}" if previous.explanation else ""
        )
        out = self._search(previous.instruction, goal, scene, skills, explanation)
        self.last_seconds = time.perf_counter() - start
        return out

    # ------------------------------------------------------------------ search
    def _search(
        self,
        instruction: str,
        goal: Goal,
        scene: SceneDescription,
        skills: Sequence[SkillSpec],
        explanation: str,
    ) -> Plan:
        problem = _problem(goal, scene, skills)
        problem.clutter_cost = self.config.clutter_cost
        if problem.satisfied(problem.init):
            self.last_search = SearchResult([], 0.0, 0, 0)
            return Plan(
                instruction=instruction,
                goal=list(goal.literals),
                subgoals=[],
                planner=self.name,
                explanation=explanation + " The goal already holds: nothing to do.",
            )
        result = astar(problem, self.config.weight, self.config.node_budget)
        self.last_search = result
        subgoals, state = [], problem.init
        for action in result.actions:
            subgoals.append(_subgoal(action, state, scene))
            state = action.apply(state)
        return Plan(
            instruction=instruction,
            goal=list(goal.literals),
            subgoals=subgoals,
            planner=self.name,
            explanation=explanation,
        )


def _check_skills(skills: Sequence[SkillSpec]) -> None:
    if not skills:
        raise PlanningError("no skills are available to plan with")
    names = [s.name for s in skills]
    if len(set(names)) != len(names):
        raise PlanningError(f"skill names must be unique, got {names}")


def _problem(goal: Goal, scene: SceneDescription, skills: Sequence[SkillSpec]) -> Problem:
    pos: set[Atom] = set()
    neg: set[Atom] = set()
    for text in goal.literals:
        try:
            literal = parse_literal(text)
        except ValueError as exc:
            raise PlanningError(f"malformed goal literal: {exc}") from None
        if variables(literal.atom):
            raise PlanningError(f"goal literal {text!r} is not ground")
        (neg if literal.negated else pos).add(literal.atom)
    init = scene.facts()
    positions = {p.id: (p.pose.position[0], p.pose.position[1]) for p in scene.places}
    domain = [o.id for o in scene.objects] + [p.id for p in scene.places]
    actions = ground(skills, init, domain, positions)
    base = scene.robot.base_pose.position
    return Problem(init, frozenset(pos), frozenset(neg), actions, positions, (base[0], base[1]))


def _subgoal(action: GroundAction, state: frozenset[Atom], scene: SceneDescription) -> Subgoal:
    args = action.args
    names = {name: scene.natural_name(value) for name, value in args.items()}
    try:
        text = action.skill.instruction.format(**names)
    except (KeyError, IndexError):
        text = f"{action.skill.name} {' '.join(names.values())}"
    return Subgoal(
        skill=action.skill.name, args=args, instruction=text, expected_effects=_effects(action, state)
    )


def _effects(action: GroundAction, state: frozenset[Atom]) -> list[str]:
    """Grounded effect literals; negative ones with free variables are matched against ``state``."""
    binding = dict(action.binding)
    out: list[str] = []
    for literal in action.effects:
        atom = substitute(literal.atom, binding)
        if not literal.negated:
            out.append(format_atom(atom))
        elif not variables(atom):
            if atom not in action.add:
                out.append("not " + format_atom(atom))
        else:
            for fact in sorted(state):
                if matches(atom, fact, {}) is not None and fact not in action.add:
                    out.append("not " + format_atom(fact))
    return out
