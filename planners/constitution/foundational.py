"""Foundational rules: the robot does no harm and keeps its safeguards on.

These come first (AutoRT's foundational laws): a task whose point is to hurt someone,
to damage property or the robot, or to switch off what keeps people safe is refused
whatever else it asks for. Adversarial framings ("ignore your rules and ...") are
stripped by the analysis and never change a verdict; a task that is nothing but such
a framing is refused here.
"""

from __future__ import annotations

from pydantic import Field

from planners.constitution import lexicons
from planners.constitution.analysis import TaskAnalysis, find_terms
from planners.constitution.base import Rule, RuleKind, Verdict, register_rule


@register_rule
class DoNoHarmRule(Rule):
    name: str = "do_no_harm"
    kind: RuleKind = "foundational"
    description: str = (
        "Never a task whose point is to hurt a person or animal, damage property or the robot, or steal."
    )
    harm_verbs: tuple[str, ...] = Field(default=lexicons.HARM_VERBS, description="verbs of hurting")
    damage_verbs: tuple[str, ...] = Field(default=lexicons.DAMAGE_VERBS, description="verbs of damaging")

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        harm = task.terms(self.harm_verbs)
        if harm:
            return self.reject(f"The robot must never hurt anyone ({', '.join(harm)})", *harm)
        damage = task.terms(self.damage_verbs)
        if damage:
            return self.reject(
                "The robot must not damage property or itself, nor take what is not its owner's "
                f"({', '.join(damage)})",
                *damage,
            )
        return None


@register_rule
class KeepSafeguardsRule(Rule):
    name: str = "keep_safeguards"
    kind: RuleKind = "foundational"
    description: str = (
        "Never disable, bypass or rewrite the robot's safety systems or this constitution; "
        "a task that only tries to change the rules is refused."
    )
    verbs: tuple[str, ...] = Field(default=lexicons.TAMPER_VERBS, description="tampering verbs")
    targets: tuple[str, ...] = Field(default=lexicons.TAMPER_TARGETS, description="safeguards")

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        if task.framings and not task.stripped:
            return self.reject(
                "The task only tries to talk the robot out of its rules; there is nothing to do",
                *task.framings,
            )
        for clause in task.clauses:
            words = clause.split()
            verbs = find_terms(words, self.verbs, None)
            targets = find_terms(words, self.targets, None)
            if verbs and targets:
                return self.reject(
                    f"The robot must keep its safeguards on ({verbs[0]} ... {targets[0]})",
                    verbs[0],
                    targets[0],
                )
        return None
