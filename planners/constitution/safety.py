"""Safety rules: hazards to people, animals, property and the robot, read from task and scene.

Each rule matches its hazard lexicon on the task's lemmatised words (with typo
tolerance), compares the task's unknown noun phrases with exemplars through the
sentence encoder (paraphrases, euphemisms), and checks the scene objects the planner
grounded the task to. A hazard named in the task is enough, even when the scene does
not contain it: "hand the knife to the child" is unsafe, not merely infeasible.
"""

from __future__ import annotations

import re

from pydantic import Field

from planners.constitution import lexicons
from planners.constitution.analysis import TaskAnalysis, find_terms, normalise
from planners.constitution.base import Rule, RuleKind, Verdict, register_rule


class HazardRule(Rule):
    """A safety rule over one hazard lexicon (subclasses set the defaults and the policy)."""

    terms: tuple[str, ...] = Field(description="hazard words and phrases (base forms)")
    exemplars: tuple[str, ...] = Field(default=(), description="phrases for encoder paraphrase matching")
    similarity_threshold: float = Field(default=0.72, ge=0, le=1, description="min cosine to an exemplar")
    policy: str = Field(description="the sentence of the constitution this rule enforces")

    def hazards(self, task: TaskAnalysis) -> list[str]:
        """What in the task or its grounded objects is this hazard."""
        found = task.terms(self.terms)
        found += task.paraphrases(self.exemplars, self.similarity_threshold)
        for obj in task.goal_objects:
            if find_terms(normalise(f"{obj.name} {obj.category}").split(), self.terms, None):
                found.append(f"{obj.id} ({obj.name})")
        return list(dict.fromkeys(found))

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        found = self.hazards(task)
        if not found:
            return None
        return self.reject(f"{self.policy} (the task involves {', '.join(found)})", *found)


@register_rule
class LivingBeingsRule(HazardRule):
    name: str = "living_beings"
    kind: RuleKind = "safety"
    description: str = "No tasks that involve people or animals: handing, throwing, touching, carrying."
    terms: tuple[str, ...] = lexicons.PEOPLE + lexicons.ANIMALS
    exemplars: tuple[str, ...] = lexicons.LIVING_EXEMPLARS
    policy: str = "The robot must not attempt tasks involving humans or animals"

    def hazards(self, task: TaskAnalysis) -> list[str]:
        return task.pattern(lexicons.ME_PATTERN) + super().hazards(task)


@register_rule
class SharpObjectsRule(HazardRule):
    name: str = "sharp_objects"
    kind: RuleKind = "safety"
    description: str = "No handling of knives, scissors, blades, needles or broken glass."
    terms: tuple[str, ...] = lexicons.SHARP
    exemplars: tuple[str, ...] = lexicons.SHARP_EXEMPLARS
    policy: str = "The robot must not interact with sharp objects"


@register_rule
class LiquidsAndElectronicsRule(HazardRule):
    name: str = "liquids_and_electronics"
    kind: RuleKind = "safety"
    description: str = (
        "No interaction with electrical devices, above all with liquids near them, and no spilling liquids."
    )
    terms: tuple[str, ...] = lexicons.ELECTRONICS
    exemplars: tuple[str, ...] = lexicons.ELECTRONICS_EXEMPLARS
    spill_terms: tuple[str, ...] = Field(default=lexicons.SPILL_VERBS, description="spilling words")
    liquid_terms: tuple[str, ...] = Field(
        default=lexicons.LIQUIDS + lexicons.LIQUID_CONTAINERS, description="liquids and their containers"
    )
    policy: str = "The robot must not interact with electrical devices"

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        devices = self.hazards(task)
        liquids = task.terms(self.liquid_terms, fuzzy=False)
        if devices and liquids:
            found = devices + liquids
            return self.reject(
                f"Liquids must never go near electrical devices (the task brings {', '.join(liquids)} "
                f"near {', '.join(devices)})",
                *found,
            )
        if devices:
            return self.reject(f"{self.policy} (the task involves {', '.join(devices)})", *devices)
        spills = [s for s in task.terms(self.spill_terms, fuzzy=False) if s != "pour"]
        if spills:
            return self.reject(
                "The robot must not spill liquids: a wet floor or wet electrics hurts people "
                f"({', '.join(spills)})",
                *spills,
            )
        return None


@register_rule
class HotSurfacesRule(HazardRule):
    name: str = "hot_surfaces"
    kind: RuleKind = "safety"
    description: str = "No stoves, ovens, kettles, boiling liquids, open flames or heating."
    terms: tuple[str, ...] = lexicons.HOT
    exemplars: tuple[str, ...] = lexicons.HOT_EXEMPLARS
    policy: str = "The robot must not work with hot surfaces, heat or fire"


@register_rule
class FragileObjectsRule(HazardRule):
    name: str = "fragile_objects"
    kind: RuleKind = "safety"
    description: str = "No handling of fragile things: glassware, vases, eggs, bulbs, mirrors, china."
    terms: tuple[str, ...] = lexicons.FRAGILE
    exemplars: tuple[str, ...] = lexicons.FRAGILE_EXEMPLARS
    policy: str = "The robot must not interact with fragile objects"


@register_rule
class HazardousSubstancesRule(HazardRule):
    name: str = "hazardous_substances"
    kind: RuleKind = "safety"
    description: str = "No handling of chemicals, poisons, medicines or fuels."
    terms: tuple[str, ...] = lexicons.SUBSTANCES
    exemplars: tuple[str, ...] = lexicons.SUBSTANCE_EXEMPLARS
    policy: str = "The robot must not handle hazardous substances"


@register_rule
class RecklessMotionRule(Rule):
    name: str = "reckless_motion"
    kind: RuleKind = "safety"
    description: str = "No throwing things at or across anything, no fast swinging, smashing or dropping."
    verbs: tuple[str, ...] = Field(default=lexicons.RECKLESS_VERBS, description="throwing verbs")
    markers: tuple[str, ...] = Field(
        default=lexicons.RECKLESS_MARKERS, description="words that make a throw a projectile"
    )
    phrases: tuple[str, ...] = Field(default=lexicons.RECKLESS_PHRASES, description="reckless on their own")

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        found = task.terms(self.phrases, fuzzy=False)
        for clause in task.clauses or (task.text,):
            words = clause.split()
            throws = find_terms(words, self.verbs, None)
            binned = re.search(r"\b(?:away|out)$|\b(?:away|out) (?:the|a|an|all|every|this|that)\b", clause)
            if throws and not binned:
                marks = find_terms(words, self.markers, None)
                if marks:
                    found.append(f"{throws[0]} ... {marks[0]}")
        if not found:
            return None
        return self.reject(
            f"The robot must move objects gently: throwing, smashing or fast swinging endangers people "
            f"and property ({', '.join(found)})",
            *found,
        )
