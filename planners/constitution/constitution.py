"""The constitution: ordered rules + config, reviewing a task in a scene.

Every enabled rule is evaluated; the review reports the first rejection in priority
order foundational > safety > embodiment > guidance (constitution order within a
kind). An optional critique layer (e.g. an LLM) may add rejections after the hard
rules; it can never accept what a hard rule rejected.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, field_validator

from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec
from planners.constitution.analysis import TaskAnalysis
from planners.constitution.base import KIND_PRIORITY, RULES, Rule, Verdict
from planners.constitution.capabilities import RobotCapabilities

DEFAULT_RULES: tuple[str, ...] = (
    "do_no_harm",
    "keep_safeguards",
    "living_beings",
    "sharp_objects",
    "liquids_and_electronics",
    "hot_surfaces",
    "fragile_objects",
    "hazardous_substances",
    "reckless_motion",
    "required_capabilities",
    "single_arm",
    "payload",
    "gripper_aperture",
    "reach",
    "planner_feasibility",
    "user_preferences",
)
"""The default constitution's rules, in order (kind priority is applied on top)."""


@runtime_checkable
class Critic(Protocol):
    """A critique layer (e.g. an LLM): returns extra rejections for a task, never acceptances.

    Verdicts it returns with ``accepted=True`` are ignored; a critic that raises counts
    as a rejection (the layer fails closed).
    """

    def __call__(self, task: str, scene: SceneDescription) -> Sequence[Verdict]: ...


class Review(BaseModel):
    """The constitution's decision on one task."""

    model_config = ConfigDict(extra="forbid")

    task: str
    accepted: bool
    rule: str | None = Field(default=None, description="the deciding rejection's rule")
    kind: str | None = Field(default=None, description="that rule's kind")
    reason: str = Field(description="why it was rejected, or 'accepted'")
    verdicts: list[Verdict] = Field(
        default_factory=list, description="every verdict, hard rules then critics"
    )

    @property
    def rejections(self) -> list[Verdict]:
        """Every rejecting verdict, most important first."""
        return sorted((v for v in self.verdicts if not v.accepted), key=lambda v: KIND_PRIORITY[v.kind])

    def summary(self) -> dict[str, Any]:
        """``{accepted, rule, kind, reason}`` for JSON output."""
        return {"accepted": self.accepted, "rule": self.rule, "kind": self.kind, "reason": self.reason}


class Constitution(BaseModel):
    """Ordered rules and their config. Build with :meth:`default` or :meth:`load`."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(default="robot-constitution-v0", description="bump when verdicts change")
    rules: list[SerializeAsAny[Rule]] = Field(description="rules in evaluation order")
    use_encoder: bool = Field(default=True, description="MiniLM for paraphrases and planner grounding")

    @field_validator("rules", mode="before")
    @classmethod
    def _build_rules(cls, value: Any) -> list[Rule]:
        rules = []
        for item in value:
            if isinstance(item, Rule):
                rules.append(item)
                continue
            name = item if isinstance(item, str) else item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                raise ValueError(f"a rule is a name or a mapping with a 'name', got {item!r}")
            try:
                cls = RULES.get(name)
            except KeyError as exc:  # RegistryError lists the known rules
                raise ValueError(str(exc)) from None
            rules.append(cls.model_validate(item if isinstance(item, dict) else {}))
        names = [r.name for r in rules]
        if len(set(names)) != len(names):
            raise ValueError(f"rule names must be unique, got {names}")
        return rules

    @classmethod
    def default(cls, **overrides: Any) -> Constitution:
        """Every built-in rule with its default config (``overrides`` set constitution fields)."""
        return cls(rules=list(DEFAULT_RULES), **overrides)

    @classmethod
    def load(cls, path: str | Path) -> Constitution:
        """Read a constitution from JSON or YAML (by suffix); unknown keys are rejected."""
        path = Path(path)
        text = path.read_text()
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
        return cls.model_validate(data)

    def rule(self, name: str) -> Rule:
        """The rule called ``name``; raises ``KeyError`` listing the known ones."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(f"no rule {name!r}; rules: {', '.join(r.name for r in self.rules)}")

    def review(
        self,
        task: str,
        scene: SceneDescription,
        skills: Sequence[SkillSpec] | None = None,
        capabilities: RobotCapabilities | None = None,
        critics: Sequence[Critic] = (),
        encoder: Any = None,
    ) -> Review:
        """Review ``task`` in ``scene`` (skills default to every registered skill's spec)."""
        specs = tuple(registered_skill_specs() if skills is None else skills)
        if encoder is None and self.use_encoder:
            from planners.encoder import load_encoder

            encoder = load_encoder()
        analysis = TaskAnalysis(task, scene, capabilities, specs, encoder)
        verdicts = [v for rule in self.rules if (v := rule.check(analysis)) is not None]
        order = {r.name: i for i, r in enumerate(self.rules)}
        verdicts.sort(key=lambda v: (KIND_PRIORITY[v.kind], order.get(v.rule, len(order))))
        if not any(not v.accepted for v in verdicts):
            verdicts += _critique(task, scene, critics)
        first = next((v for v in verdicts if not v.accepted), None)
        if first is None:
            return Review(task=task, accepted=True, reason="accepted", verdicts=verdicts)
        return Review(
            task=task,
            accepted=False,
            rule=first.rule,
            kind=first.kind,
            reason=first.reason,
            verdicts=verdicts,
        )


def _critique(task: str, scene: SceneDescription, critics: Sequence[Critic]) -> list[Verdict]:
    """Rejections from the critique layer only (acceptances dropped, failures reject)."""
    out: list[Verdict] = []
    for critic in critics:
        name = getattr(critic, "name", type(critic).__name__)
        try:
            extra = list(critic(task, scene))
        except Exception as exc:  # the layer fails closed
            out.append(
                Verdict(rule=f"critic:{name}", kind="critic", accepted=False, reason=f"critic failed: {exc}")
            )
            continue
        for verdict in extra:
            if not verdict.accepted:
                out.append(verdict.model_copy(update={"kind": "critic", "rule": f"critic:{verdict.rule}"}))
    return out


def registered_skill_specs() -> list[SkillSpec]:
    """The spec of every registered skill (what the registry publishes; no skill code imported here)."""
    from agentrt.core.registry import SKILLS

    return [SKILLS.get(name).spec() for name in SKILLS.names()]
