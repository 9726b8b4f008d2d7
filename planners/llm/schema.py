"""The plan schema a language model fills in, and its conversion to a checked :class:`Plan`.

:func:`plan_json_schema` builds, from the skills' :class:`SkillSpec` and the scene, the
JSON schema sent to the model: each step is one of the skills (name as a one-value
enum, its arguments typed from ``args_schema``, id arguments limited to the scene's
ids). Servers with constrained decoding (OpenAI structured outputs, llama.cpp grammars)
then cannot even emit an unknown skill. Nothing relies on that: the reply is parsed into
the lenient pydantic :class:`PlanDraft` and every check is repeated by :func:`to_plan`
and :func:`planners.validate.validate_plan`.

The model's text never reaches a skill: a subgoal's language instruction is rebuilt
from the skill's template and the scene's names, its expected effects from the skill's
declared effects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.plan import Plan, Subgoal
from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import (
    Atom,
    apply_effects,
    bindings,
    format_atom,
    matches,
    parse_literal,
    substitute,
    variables,
)
from planners.validate import validate_plan

SCHEMA_NAME = "submit_plan"
MAX_STEPS = 40
"""Longest plan accepted from a model (the full kitchen tidy needs 30 steps)."""
_OBJECT_TYPES = {"object", "holding"}
_PLACE_TYPES = {"place", "receptacle", "robot_at"}


class StepDraft(BaseModel):
    """One step as the model wrote it: a skill name and its arguments (ids)."""

    model_config = ConfigDict(extra="forbid")

    skill: str = Field(max_length=100)
    args: dict[str, Any] = Field(default_factory=dict)


class PlanDraft(BaseModel):
    """The model's whole reply: feasibility, goal literals, steps, a short explanation."""

    model_config = ConfigDict(extra="forbid")

    feasible: bool = True
    reason: str = Field(default="", max_length=2000)
    goal: list[str] = Field(default_factory=list, max_length=64)
    steps: list[StepDraft] = Field(default_factory=list, max_length=MAX_STEPS)
    explanation: str = Field(default="", max_length=4000)


def plan_json_schema(skills: Sequence[SkillSpec], scene: SceneDescription) -> dict[str, Any]:
    """The JSON schema of :class:`PlanDraft`, specialised to ``skills`` and ``scene``."""
    steps = [_step_schema(spec, scene) for spec in skills]
    return {
        "title": SCHEMA_NAME,
        "description": "Submit the plan for the instruction: the goal literals and the ordered skill calls.",
        "type": "object",
        "properties": {
            "feasible": {
                "type": "boolean",
                "description": "false when the instruction cannot or must not be done here",
            },
            "reason": {"type": "string", "description": "why not, when feasible is false; else ''"},
            "goal": {
                "type": "array",
                "items": {"type": "string"},
                "description": "ground literals that hold when done, e.g. 'in(mug_0, sink)'",
            },
            "steps": {"type": "array", "items": {"anyOf": steps}, "description": "skill calls in order"},
            "explanation": {"type": "string", "description": "one sentence: how you read the instruction"},
        },
        "required": ["feasible", "reason", "goal", "steps", "explanation"],
        "additionalProperties": False,
    }


def _step_schema(spec: SkillSpec, scene: SceneDescription) -> dict[str, Any]:
    properties = spec.args_schema.get("properties", {})
    args: dict[str, Any] = {}
    for name in spec.arg_names:
        prop = {k: v for k, v in properties.get(name, {}).items() if k in ("type", "description")}
        domain = arg_domain(spec, name, scene)
        if domain is not None:
            prop["enum"] = domain
        args[name] = prop or {"type": "string"}
    return {
        "type": "object",
        "title": spec.name,
        "properties": {
            "skill": {"type": "string", "enum": [spec.name]},
            "args": {
                "type": "object",
                "properties": args,
                "required": list(spec.arg_names),
                "additionalProperties": False,
            },
        },
        "required": ["skill", "args"],
        "additionalProperties": False,
    }


def arg_domain(spec: SkillSpec, arg: str, scene: SceneDescription) -> list[str] | None:
    """Scene ids an argument can take (objects, places or both); ``None`` if not an id."""
    var = f"?{arg}"
    objects = [o.id for o in scene.objects]
    places = [p.id for p in scene.places]
    used = False
    for literal in [*spec.precondition_literals(), *spec.effect_literals()]:
        atom = literal.atom
        if var not in atom[1:]:
            continue
        used = True
        if atom[0] in _OBJECT_TYPES or (atom[0] == "in" and atom[1] == var):
            return objects
        if atom[0] == "receptacle":
            return [p.id for p in scene.places if p.receptacle]
        if atom[0] in _PLACE_TYPES or (atom[0] == "in" and len(atom) > 2 and atom[2] == var):
            return places
    return objects + places if used else None


def to_plan(
    draft: PlanDraft,
    instruction: str,
    scene: SceneDescription,
    skills: Sequence[SkillSpec],
    planner: str,
    goal: Sequence[str] | None = None,
) -> tuple[Plan, list[str]]:
    """The :class:`Plan` a draft stands for and every error found in it (empty: valid).

    ``goal`` (a replan's fixed goal) overrides the draft's. Errors come from the goal
    literals (malformed, not ground, unknown predicate or id) and from
    :func:`validate_plan` (skills, arguments, preconditions in order, goal reached).
    """
    goal_literals = list(goal) if goal is not None else [g.strip() for g in draft.goal]
    errors = [] if goal is not None else goal_errors(goal_literals, scene, skills)
    if goal is None and not goal_literals:
        errors.append("the plan has no goal literals: say what must hold when it is done")
    by_name = {s.name: s for s in skills}
    subgoals, state = [], scene.facts()
    for step in draft.steps:
        spec = by_name.get(step.skill)
        subgoal, state = _subgoal(step, spec, scene, state)
        subgoals.append(subgoal)
    plan = Plan(
        instruction=instruction,
        goal=goal_literals,
        subgoals=subgoals,
        planner=planner,
        explanation=" ".join(draft.explanation.split())[:500],
    )
    checked = plan if not errors else plan.model_copy(update={"goal": []})  # steps are checked either way
    return plan, errors + validate_plan(checked, scene, skills)


def goal_errors(goal: Sequence[str], scene: SceneDescription, skills: Sequence[SkillSpec]) -> list[str]:
    """Problems with goal literals: syntax, variables, predicates no skill can affect, unknown ids."""
    ids = {o.id for o in scene.objects} | {p.id for p in scene.places}
    predicates = {lit.atom[0] for spec in skills for lit in spec.effect_literals()}
    errors = []
    for text in goal:
        try:
            literal = parse_literal(text)
        except ValueError as exc:
            errors.append(f"goal: {exc}")
            continue
        if variables(literal.atom):
            errors.append(f"goal literal {text!r} has variables; use scene ids")
        elif literal.atom[0] not in predicates:
            errors.append(
                f"goal literal {text!r}: no skill changes {literal.atom[0]}(); use {sorted(predicates)}"
            )
        else:
            unknown = [t for t in literal.atom[1:] if t not in ids]
            if unknown:
                errors.append(f"goal literal {text!r} names {unknown}, which are not in this scene")
    return errors


def _subgoal(
    step: StepDraft, spec: SkillSpec | None, scene: SceneDescription, state: frozenset[Atom] | None
) -> tuple[Subgoal, frozenset[Atom] | None]:
    """A subgoal with instruction and effects derived from the spec (never from the model)."""
    if spec is None or state is None or set(step.args) != set(spec.arg_names):
        return Subgoal(skill=step.skill, args=step.args), None
    args = {k: step.args[k] for k in spec.arg_names}
    binding = {f"?{k}": str(v) for k, v in args.items()}
    found = bindings(spec.precondition_literals(), state, binding)
    names = {k: scene.natural_name(str(v)) for k, v in args.items()}
    try:
        text = spec.instruction.format(**names)
    except (KeyError, IndexError):
        text = f"{spec.name} {' '.join(names.values())}"
    if not found:
        return Subgoal(skill=spec.name, args=args, instruction=text), None
    after = apply_effects(state, spec.effect_literals(), found[0])
    effects = _ground_effects(spec, found[0], state, after)
    return Subgoal(skill=spec.name, args=args, instruction=text, expected_effects=effects), after


def _ground_effects(
    spec: SkillSpec, binding: dict[str, str], before: frozenset[Atom], after: frozenset[Atom]
) -> list[str]:
    out: list[str] = []
    for literal in spec.effect_literals():
        atom = substitute(literal.atom, binding)
        if not literal.negated:
            out.append(format_atom(atom))
            continue
        for fact in sorted(before):
            if matches(atom, fact, {}) is not None and fact not in after:
                out.append("not " + format_atom(fact))
    return list(dict.fromkeys(out))
