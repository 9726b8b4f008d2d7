"""Instruction understanding, step three: intent + grounded phrases -> goal literals.

A goal is a list of ground literals over the scene's symbolic state
(``"in(mug_0, dish_rack)"``, ``"robot_at(sink)"``, ``"not in(sponge_0, dining_table)"``)
and a sentence saying how the instruction was understood.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agentrt.core.plan import PlanningError
from agentrt.core.scene import ObjectInfo, PlaceInfo, SceneDescription
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import format_atom, holds, parse_literal, substitute, variables
from planners.symbolic.grounding import Grounder, strip_determiners
from planners.symbolic.language import Intent, ParsedInstruction
from planners.symbolic.lexicon import ALL_OBJECTS_WORDS, ROOM_WORDS


@dataclass(frozen=True)
class Goal:
    """Ground goal literals and the planner's reading of the instruction."""

    literals: tuple[str, ...]
    explanation: str


def build_goal(
    parsed: ParsedInstruction, grounder: Grounder, scene: SceneDescription, skills: Sequence[SkillSpec]
) -> Goal:
    """The goal the instruction asks for; raises :class:`PlanningError` if it cannot be formed."""
    if parsed.intent is Intent.TIDY:
        return _tidy(parsed, grounder, scene)
    if parsed.intent is Intent.CLEAR:
        return _clear(grounder.place(parsed.place or ""), scene)
    if parsed.intent is Intent.PUT:
        selection = grounder.objects(parsed.objects or "")
        place = grounder.place(parsed.place or "")
        return _put(selection.objects, place, scene, "put")
    if parsed.intent is Intent.DISCARD:
        selection = grounder.objects(parsed.objects or "")
        return _put(selection.objects, grounder.trash(), scene, "throw away")
    if parsed.intent is Intent.GOTO:
        return _goto(grounder.place(parsed.place or ""), scene)
    if parsed.intent is Intent.PICK:
        return _pick(grounder.objects(parsed.objects or "").objects, parsed, grounder)
    return _skill_goal(parsed, grounder, skills)


def _tidy(parsed: ParsedInstruction, grounder: Grounder, scene: SceneDescription) -> Goal:
    text, _ = strip_determiners(parsed.objects or "")
    if not text or text in ROOM_WORDS or text in ALL_OBJECTS_WORDS:
        objects = [o for o in scene.objects if o.home is not None]
        if not objects:
            raise PlanningError(f"nothing in {scene.scene} has a home to put it back to")
        return _to_homes(objects, scene, "put every object where it belongs")
    try:
        selection = grounder.objects(parsed.objects or "")
    except PlanningError as not_objects:
        try:
            place = grounder.place(parsed.objects or "")
        except PlanningError:
            raise not_objects from None
        return _clear(place, scene)
    homeless = [o.name for o in selection.objects if o.home is None]
    if homeless:
        raise PlanningError(
            f"I don't know where {', '.join(homeless)} belongs: it has no home in {scene.scene}"
        )
    where = "where they belong" if len(selection.objects) > 1 else "where it belongs"
    return _to_homes(list(selection.objects), scene, f"put the {text} back {where}")


def _to_homes(objects: list[ObjectInfo], scene: SceneDescription, reading: str) -> Goal:
    literals = tuple(f"in({o.id}, {o.home})" for o in objects)
    moves = [f"{o.name} -> {scene.place(o.home).name}" for o in objects if o.misplaced and o.home]
    done = [o.name for o in objects if not o.misplaced]
    parts = [f"Understood as: {reading}"]
    parts.append(f"to move: {', '.join(moves)}" if moves else "everything is already in place")
    if done and moves:
        parts.append(f"already in place: {', '.join(done)}")
    return Goal(literals, "; ".join(parts) + ".")


def _clear(place: PlaceInfo, scene: SceneDescription) -> Goal:
    if not place.receptacle:
        raise PlanningError(f"the {place.name} holds no objects, so there is nothing to clear")
    on_it = [o for o in scene.objects if o.location == place.id and not o.held]
    to_move = [o for o in on_it if o.home != place.id]
    stays = [o.name for o in on_it if o.home == place.id]
    literals = [f"in({o.id}, {o.home})" for o in to_move if o.home is not None]
    homeless = [o for o in to_move if o.home is None]
    literals += [f"not in({o.id}, {place.id})" for o in homeless]
    if homeless:
        literals.append("hand_empty()")
    moves = [f"{o.name} -> {scene.place(o.home).name if o.home else 'anywhere else'}" for o in to_move]
    text = f"Understood as: clear the {place.name} by putting what is on it where it belongs"
    text += f"; to move: {', '.join(moves)}" if moves else f"; nothing on the {place.name} needs moving"
    if stays:
        text += f"; stays because it belongs there: {', '.join(stays)}"
    return Goal(tuple(literals), text + ".")


def _put(objects: Sequence[ObjectInfo], place: PlaceInfo, scene: SceneDescription, verb: str) -> Goal:
    if not place.receptacle:
        raise PlanningError(f"I can't put things in the {place.name}: it is not a receptacle")
    literals = tuple(f"in({o.id}, {place.id})" for o in objects)
    names = ", ".join(o.name for o in objects)
    return Goal(literals, f"Understood as: {verb} {names} -> {place.name} ({scene.scene}).")


def _goto(place: PlaceInfo, scene: SceneDescription) -> Goal:
    if not scene.robot.mobile:
        raise PlanningError(
            f"the robot's base is fixed in this scene, so it cannot go to the {place.name} "
            "(it already reaches every place of its workspace)"
        )
    return Goal((f"robot_at({place.id})",), f"Understood as: drive the base to the {place.name}.")


def _pick(objects: Sequence[ObjectInfo], parsed: ParsedInstruction, grounder: Grounder) -> Goal:
    if len(objects) != 1:
        names = ", ".join(o.name for o in objects) or "nothing"
        raise PlanningError(
            f"I can hold only one object at a time, but '{parsed.objects}' names {len(objects)}: {names}"
        )
    obj = objects[0]
    return Goal((f"holding({obj.id})",), f"Understood as: pick up the {obj.name} and hold it.")


def _skill_goal(parsed: ParsedInstruction, grounder: Grounder, skills: Sequence[SkillSpec]) -> Goal:
    spec = next(s for s in skills if s.name == parsed.skill)
    binding: dict[str, str] = {}
    names = []
    for arg, phrase in parsed.slots:
        try:
            chosen = grounder.objects(phrase).objects
            if len(chosen) != 1:
                raise PlanningError(f"'{phrase}' must name one thing for {spec.name}")
            binding[f"?{arg}"], name = chosen[0].id, chosen[0].name
        except PlanningError as not_object:
            try:
                place = grounder.place(phrase)
            except PlanningError:
                raise not_object from None
            binding[f"?{arg}"], name = place.id, place.name
        names.append(name)
    for arg in spec.arg_names:
        if f"?{arg}" not in binding:  # "serve a drink" names no mug: any one the effects change
            binding[f"?{arg}"], name = _open_argument(arg, spec, binding, grounder)
            names.append(name)
    literals = _ground_effects(spec, binding)
    if not literals:
        raise PlanningError(f"the skill {spec.name} declares no effect to aim for with these arguments")
    return Goal(tuple(literals), f"Understood as: reach the effects of {spec.name} on {', '.join(names)}.")


def _ground_effects(spec: SkillSpec, binding: dict[str, str]) -> list[str]:
    literals = []
    for effect in spec.effects:
        literal = parse_literal(effect)
        atom = substitute(literal.atom, binding)
        if not variables(atom):
            literals.append(("not " if literal.negated else "") + format_atom(atom))
    return literals


def _open_argument(arg: str, spec: SkillSpec, binding: dict[str, str], grounder: Grounder) -> tuple[str, str]:
    """An argument the instruction leaves open, read as "a <argument name>" ("mug" -> any mug).

    Among the objects the name fits, the first for which the effects about it do not
    all hold yet is chosen (a mug already on the table is not served again); otherwise
    the one place the name fits. Raises :class:`PlanningError` if none.
    """
    phrase = arg.replace("_", " ")
    facts = grounder.scene.facts()
    try:
        candidates = grounder.objects(f"all {phrase}").objects
    except PlanningError:
        candidates = ()
    about = [e for e in spec.effects if f"?{arg}" in parse_literal(e).atom]
    for obj in candidates:
        own = spec.model_copy(update={"effects": tuple(about)})
        trial = _ground_effects(own, {**binding, f"?{arg}": obj.id})
        if not all(holds(lit, facts) for lit in trial):
            return obj.id, obj.name
    if candidates:
        return candidates[0].id, candidates[0].name
    try:
        place = grounder.place(phrase)
    except PlanningError:
        raise PlanningError(
            f"the instruction does not say which {phrase} {spec.name} should use, "
            f"and nothing in {grounder.scene.scene} is a {phrase}"
        ) from None
    return place.id, place.name
