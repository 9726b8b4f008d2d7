"""The rule contract: a typed, configurable, deterministic check that returns a verdict.

A rule looks at one task (already analysed: normalised text, lemmas, the symbolic
planner's reading) and either has nothing to say (``None``) or returns a
:class:`Verdict` with a human-readable reason. Rules are pydantic models: their
configuration is validated on construction and unknown keys are rejected. Concrete
rules register by name with :func:`register_rule`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentrt.core.registry import Registry

if TYPE_CHECKING:  # pragma: no cover
    from planners.constitution.analysis import TaskAnalysis

RuleKind = Literal["foundational", "safety", "embodiment", "guidance"]
"""AutoRT's four kinds of rule, in priority order."""

KIND_PRIORITY: dict[str, int] = {"foundational": 0, "safety": 1, "embodiment": 2, "guidance": 3, "critic": 4}
"""Lower is more important: the first rejection reported is the most important one."""

RULES: Registry = Registry("constitution_rule")
"""Constitution rules by name, e.g. ``sharp_objects``; filled by :func:`register_rule`."""


class Verdict(BaseModel):
    """One rule's opinion of one task.

    ``accepted`` is False for a rejection; ``reason`` is one sentence for a person;
    ``evidence`` lists what triggered it (matched words, object ids, planner messages).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(description="name of the rule that decided")
    kind: Literal["foundational", "safety", "embodiment", "guidance", "critic"]
    accepted: bool
    reason: str = Field(min_length=1)
    evidence: tuple[str, ...] = ()


class Rule(BaseModel):
    """Base of every constitution rule.

    Subclasses give ``name``, ``kind`` and ``description`` defaults (which a config file
    may repeat but not change), add their own config fields, and implement
    :meth:`_check`. Call :meth:`check`, which analyses a raw task string if needed and
    stamps the verdict with the rule's name and kind.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: RuleKind
    description: str = ""
    enabled: bool = Field(default=True, description="a disabled rule is skipped")

    _abstract: ClassVar[bool] = True

    @model_validator(mode="after")
    def _identity_is_fixed(self) -> Rule:
        for field in ("name", "kind"):
            default = type(self).model_fields[field].default
            if getattr(self, field) != default:
                raise ValueError(f"{type(self).__name__}.{field} is {default!r}; config may not change it")
        return self

    def check(self, task: str | TaskAnalysis, scene: Any = None, capabilities: Any = None) -> Verdict | None:
        """This rule's verdict on ``task`` in ``scene``, or ``None`` when it does not apply.

        ``task`` is a raw instruction (then ``scene`` is required and ``capabilities``
        defaults to :meth:`RobotCapabilities.for_scene`) or a ready :class:`TaskAnalysis`.
        """
        from planners.constitution.analysis import TaskAnalysis

        if not self.enabled:
            return None
        analysis = task if isinstance(task, TaskAnalysis) else TaskAnalysis(task, scene, capabilities)
        return self._check(analysis)

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        raise NotImplementedError

    def reject(self, reason: str, *evidence: str) -> Verdict:
        """A rejection by this rule."""
        return Verdict(rule=self.name, kind=self.kind, accepted=False, reason=reason, evidence=evidence)

    def accept(self, reason: str, *evidence: str) -> Verdict:
        """An explicit acceptance note by this rule (most rules return ``None`` instead)."""
        return Verdict(rule=self.name, kind=self.kind, accepted=True, reason=reason, evidence=evidence)


def register_rule(cls: type[Rule]) -> type[Rule]:
    """Class decorator: check the rule declares its identity, then add it to :data:`RULES`."""
    name = cls.model_fields["name"].default
    kind = cls.model_fields["kind"].default
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__name__} must give `name` a default")
    if kind not in KIND_PRIORITY or kind == "critic":
        raise TypeError(f"{cls.__name__} must give `kind` one of foundational/safety/embodiment/guidance")
    if not cls.model_fields["description"].default:
        raise TypeError(f"{cls.__name__} must describe itself in `description`")
    if cls._check is Rule._check:
        raise TypeError(f"{cls.__name__} must implement _check")
    RULES.add(name, cls)
    return cls
