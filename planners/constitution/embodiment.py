"""Embodiment rules: what this robot's body and skills can actually do.

The robot is one arm with a parallel gripper on a wheeled base (see
:class:`RobotCapabilities`); its skills are what the registry publishes. A task is
infeasible when the symbolic planner cannot plan it, when it needs a capability no
skill provides (open, pour, wash, cut, cook, fold, climb ...), two hands at once, or
an object heavier, wider, higher or lower than the arm handles. Physical facts come
from optional scene fields (``mass_kg``, ``grasp_width_m``, ``height_m``) when a
describer provides them, else from the words of the task.
"""

from __future__ import annotations

import re

from pydantic import Field

from planners.constitution import lexicons
from planners.constitution.analysis import TaskAnalysis, find_terms, normalise
from planners.constitution.base import Rule, RuleKind, Verdict, register_rule
from planners.symbolic.language import parse_instruction
from planners.validate import validate_plan

_MASS = re.compile(r"(\d+(?:\.\d+)?) ?(kg|kilos?|kilograms?|lbs?|pounds?|tons?|tonnes?)\b")
_TO_KG = {
    "kg": 1.0,
    "kilo": 1.0,
    "kilogram": 1.0,
    "lb": 0.4536,
    "pound": 0.4536,
    "ton": 1000.0,
    "tonne": 1000.0,
}


def object_phrases(task: TaskAnalysis) -> list[str]:
    """The noun phrases each clause acts on ("lift the dining table" -> "the dining table")."""
    out = []
    templates = {s.name: s.instruction for s in task.skills if s.instruction}
    for clause in task.clauses:
        try:
            parsed = parse_instruction(clause, task.encoder, 0.68, templates)
        except Exception:  # unknown verb: everything after it is the object
            out.append(clause.split(" ", 1)[1] if " " in clause else "")
            continue
        if parsed.objects:
            out.append(parsed.objects)
        out.extend(v for _, v in parsed.slots)
    return [p for p in out if p]


@register_rule
class PlannerFeasibilityRule(Rule):
    name: str = "planner_feasibility"
    kind: RuleKind = "embodiment"
    description: str = "The symbolic planner must find a valid plan over the robot's skills in this scene."

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        outcome = task.planning
        if outcome.plan is None:
            return self.reject(f"The planner cannot do this here: {outcome.error}", outcome.error or "")
        errors = validate_plan(outcome.plan, task.scene, task.skills)
        if errors:
            return self.reject(f"The plan for this task is invalid: {errors[0]}", *errors)
        return None


@register_rule
class RequiredCapabilitiesRule(Rule):
    name: str = "required_capabilities"
    kind: RuleKind = "embodiment"
    description: str = (
        "No task needing a capability no skill provides: open/close, pour, wash, cut, cook, fold, "
        "press buttons, reorient, write, climb stairs or leave the room."
    )
    capabilities: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = Field(
        default=lexicons.CAPABILITY_VERBS,
        description="capability -> (verbs that start a clause, words anywhere) that ask for it",
    )

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        for capability, (verbs, words) in self.capabilities.items():
            asked = [v for c in task.clauses for v in verbs if _starts_with(c, v)]
            asked += task.terms(words, stripped=True, fuzzy=False)
            if asked and task.capabilities.provides((capability, *verbs)) is None:
                skills = ", ".join(task.capabilities.skills) or "none"
                return self.reject(
                    f"The robot has no skill to {capability.replace('_', '/')} ('{asked[0]}'); "
                    f"its skills: {skills}",
                    capability,
                    *asked,
                )
        return None


def _starts_with(clause: str, verb: str) -> bool:
    words, verb_words = clause.split(), verb.split()
    if len(words) < len(verb_words):
        return False
    head = words[: len(verb_words)]
    return all(v in {w, *_forms(w)} for v, w in zip(verb_words, head, strict=True))


def _forms(word: str) -> frozenset[str]:
    from planners.constitution.analysis import forms

    return forms(word)


@register_rule
class SingleArmRule(Rule):
    name: str = "single_arm"
    kind: RuleKind = "embodiment"
    description: str = "One arm, one gripper: no two objects held or handled at once."
    markers: tuple[str, ...] = Field(default=lexicons.ONE_ARM_MARKERS, description="'at once' phrases")
    plural: tuple[str, ...] = Field(default=lexicons.PLURAL_MARKERS, description="words naming several")

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        if task.capabilities.arms > 1:
            return None
        marks = task.terms(self.markers, stripped=True, fuzzy=False)
        if not marks:
            return None
        plural = task.terms(self.plural, stripped=True, fuzzy=False)
        plural_nouns = [
            w for w in task.stripped_tokens if w.endswith("s") and len(w) > 3 and w[:-1] in task.known_words
        ]
        if plural or plural_nouns or len(task.goal_objects) > 1 or "both" in marks[0] or "hand" in marks[0]:
            return self.reject(
                f"The robot has {task.capabilities.arms} arm and holds one object at a time ('{marks[0]}')",
                *marks,
            )
        return None


@register_rule
class PayloadRule(Rule):
    name: str = "payload"
    kind: RuleKind = "embodiment"
    description: str = (
        "No object heavier than the arm's payload, nor furniture, appliances or the scene's fixtures."
    )
    heavy: dict[str, float] = Field(default=lexicons.HEAVY, description="heavy things and a rough mass (kg)")

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        limit = task.capabilities.max_payload_kg
        for obj in task.goal_objects:
            mass = getattr(obj, "mass_kg", None)
            if mass is not None and mass > limit:
                return self.reject(
                    f"The {obj.name} weighs {mass:.1f} kg, over the {limit:.1f} kg payload", obj.id
                )
        for value, unit in _MASS.findall(task.stripped):
            kg = (
                float(value)
                * _TO_KG[unit.rstrip("s") if unit not in ("kg", "lbs") else unit.replace("lbs", "lb")]
            )
            if kg > limit:
                return self.reject(f"{value} {unit} is over the {limit:.1f} kg payload", f"{value} {unit}")
        fixtures = _place_labels(task)
        for phrase in object_phrases(task):
            words = normalise(phrase).split()
            heavy = find_terms(words, tuple(self.heavy), None)
            if heavy:
                mass = self.heavy[heavy[0]]
                return self.reject(
                    f"The {heavy[0]} (about {mass:g} kg) is far over the {limit:.1f} kg payload", heavy[0]
                )
            content = " ".join(w for w in words if w not in lexicons.STOPWORDS)
            if content in fixtures:
                return self.reject(
                    f"The {content} is a fixture of the scene, not an object the arm can lift", content
                )
        return None


def _place_labels(task: TaskAnalysis) -> set[str]:
    labels = set()
    for place in task.scene.places:
        labels |= {normalise(x) for x in (place.id, place.name, place.category, *place.synonyms)}
    return labels


@register_rule
class GripperApertureRule(Rule):
    name: str = "gripper_aperture"
    kind: RuleKind = "embodiment"
    description: str = "No object wider across its grasp than the gripper opens."
    bulky: dict[str, float] = Field(default=lexicons.BULKY, description="bulky things and a rough width (m)")

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        limit = task.capabilities.gripper_max_aperture_m
        for obj in task.goal_objects:
            width = getattr(obj, "grasp_width_m", None)
            if width is not None and width > limit:
                return self.reject(
                    f"The {obj.name} is {width * 100:.0f} cm wide; the gripper opens {limit * 100:.0f} cm",
                    obj.id,
                )
        for phrase in object_phrases(task):
            bulky = find_terms(normalise(phrase).split(), tuple(self.bulky), None)
            if bulky:
                width = self.bulky[bulky[0]]
                return self.reject(
                    f"The {bulky[0]} (about {width * 100:.0f} cm) does not fit "
                    f"the {limit * 100:.0f} cm gripper",
                    bulky[0],
                )
        return None


@register_rule
class ReachRule(Rule):
    name: str = "reach"
    kind: RuleKind = "embodiment"
    description: str = "Only surfaces within the arm's reach band (no floor, ceiling or top shelves)."
    high: tuple[str, ...] = Field(default=lexicons.HIGH_PLACES, description="places above the reach band")
    low: tuple[str, ...] = Field(default=lexicons.LOW_PLACES, description="places below the reach band")

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        low_m, high_m = task.capabilities.reach_height_m
        for place in task.goal_places:
            height = getattr(place, "height_m", None)
            if height is not None and not low_m <= height <= high_m:
                return self.reject(
                    f"The {place.name} is {height:.2f} m high, "
                    f"outside the arm's {low_m:.1f}-{high_m:.1f} m reach",
                    place.id,
                )
        for words, where in ((self.high, "above"), (self.low, "below")):
            found = task.terms(words, stripped=True, fuzzy=False)
            if found:
                return self.reject(
                    f"The {found[0]} is {where} the arm's {low_m:.1f}-{high_m:.1f} m reach", *found
                )
        return None
