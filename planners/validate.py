"""Check a plan against the scene and the skills before anything moves.

Every planner's output (symbolic or from a language model) passes through
:func:`validate_plan`, which simulates the plan symbolically from the scene's facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentrt.core.plan import Plan, Subgoal
from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import (
    Atom,
    apply_effects,
    bindings,
    format_atom,
    parse_literal,
    substitute,
    variables,
)

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
}


def validate_plan(plan: Plan, scene: SceneDescription, skills: Sequence[SkillSpec]) -> list[str]:
    """Errors in ``plan`` (empty list: valid), each naming the step ("step 2 (pick): ...").

    Checks, per subgoal in order: the skill exists; argument names match the skill's
    ``arg_names`` and values match the JSON types in ``args_schema``; every argument used
    as a variable in a precondition or effect is an object or place id of the scene;
    the preconditions hold in the state reached so far (effects are applied with
    :func:`agentrt.core.symbolic.apply_effects`); the ``expected_effects`` hold after the
    step. Finally, the plan's ``goal`` literals must hold at the end. Simulation stops
    at the first step whose preconditions fail (later steps are still type-checked).
    """
    by_name = {s.name: s for s in skills}
    ids = {o.id for o in scene.objects} | {p.id for p in scene.places}
    errors: list[str] = []
    state: frozenset[Atom] | None = scene.facts()
    for index, subgoal in enumerate(plan.subgoals, start=1):
        where = f"step {index} ({subgoal.skill})"
        spec = by_name.get(subgoal.skill)
        if spec is None:
            known = ", ".join(sorted(by_name)) or "none"
            errors.append(f"{where}: unknown skill {subgoal.skill!r}; known skills: {known}")
            state = None
            continue
        arg_errors = _check_args(spec, subgoal, ids)
        errors.extend(f"{where}: {e}" for e in arg_errors)
        if arg_errors:
            state = None
        if state is None:
            continue
        state, step_errors = _simulate(spec, subgoal, state)
        errors.extend(f"{where}: {e}" for e in step_errors)
    if state is not None:
        for text in plan.goal:
            if not _holds(text, state):
                errors.append(f"the plan ends without reaching the goal literal {text}")
    return errors


def _check_args(spec: SkillSpec, subgoal: Subgoal, ids: set[str]) -> list[str]:
    errors = []
    given, wanted = set(subgoal.args), set(spec.arg_names)
    if given - wanted:
        errors.append(
            f"unexpected argument(s) {sorted(given - wanted)}; {spec.name} takes {list(spec.arg_names)}"
        )
    if wanted - given:
        errors.append(
            f"missing argument(s) {sorted(wanted - given)}; {spec.name} takes {list(spec.arg_names)}"
        )
    properties = spec.args_schema.get("properties", {})
    used = _variables_used(spec)
    for name in sorted(given & wanted):
        value = subgoal.args[name]
        json_type = properties.get(name, {}).get("type")
        if json_type in _JSON_TYPES and not _is_type(value, json_type):
            errors.append(f"argument {name}={value!r} should be of type {json_type}")
        elif f"?{name}" in used and value not in ids:
            errors.append(f"argument {name}={value!r} is not an object or place in this scene")
    return errors


def _is_type(value: Any, json_type: str) -> bool:
    if json_type in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _JSON_TYPES[json_type])


def _variables_used(spec: SkillSpec) -> set[str]:
    out: set[str] = set()
    for literal in [*spec.precondition_literals(), *spec.effect_literals()]:
        out |= variables(literal.atom)
    return out


def _simulate(
    spec: SkillSpec, subgoal: Subgoal, state: frozenset[Atom]
) -> tuple[frozenset[Atom] | None, list[str]]:
    binding = {f"?{k}": str(v) for k, v in subgoal.args.items()}
    preconditions = spec.precondition_literals()
    found = bindings(preconditions, state, binding)
    if not found:
        return None, [f"precondition not met: {_first_unmet(preconditions, state, binding)}"]
    after = apply_effects(state, spec.effect_literals(), found[0])
    errors = [
        f"expected effect {text} does not follow from the skill's effects"
        for text in subgoal.expected_effects
        if not _holds(text, after)
    ]
    return after, errors


def _first_unmet(preconditions: list, state: frozenset[Atom], binding: dict[str, str]) -> str:
    """The first precondition whose addition leaves no binding, grounded as far as the others allow."""
    for n in range(1, len(preconditions) + 1):
        if not bindings(preconditions[:n], state, binding):
            before = bindings(preconditions[: n - 1], state, binding) or [binding]
            literal = preconditions[n - 1]
            return ("not " if literal.negated else "") + format_atom(substitute(literal.atom, before[0]))
    return ", ".join(str(p) for p in preconditions)


def _holds(text: str, state: frozenset[Atom]) -> bool:
    try:
        literal = parse_literal(text)
    except ValueError:
        return False
    if variables(literal.atom):
        return False
    return (literal.atom in state) != literal.negated
