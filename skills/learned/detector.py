"""Deciding when a learned skill is done: a swappable success detector and the rule that ends a call.

Every ``check_every`` steps the skill asks its :class:`SuccessDetector` whether its own ground
effects (``holding(mug_0)``, ``not in(mug_0, counter)``, ...) hold. Once they have held for
``min_hold_steps`` steps the call ends successfully as soon as the policy's commanded motion is
below ``rest_tol`` (it has finished its retreat) or the effects have held for ``max_hold_steps``
(:class:`Completion`). The policy itself never sees the detector.

Today's detector, :class:`FactsDetector`, reads the simulator's oracle facts (``env.facts()``,
privileged; see DESIGN.md, "What the learned skills may read"). A deployment without an oracle
swaps in another :class:`SuccessDetector` (a VLM, a learned terminate head) reading the observation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.symbolic import Atom, Literal, matches, substitute, variables


class DetectorConfig(BaseModel):
    """When a learned skill's effects count as achieved and the call ends (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    check_every: int = Field(default=1, ge=1, description="steps between checks of the effects")
    min_hold_steps: int = Field(default=3, ge=0, description="steps the effects must hold before ending")
    max_hold_steps: int = Field(default=20, ge=0, description="end after the effects held this long anyway")
    rest_tol: float = Field(
        default=0.004, ge=0.0, description="commanded motion norm (per-step units) counted as at rest"
    )


class FactReader:
    """The simulator's oracle facts of one call's env (``env.facts()``, privileged), read at most once
    a step however many parts ask (the detector, the lost-object and missed-grasp checks)."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self._step: int | None = None
        self._facts: frozenset[Atom] = frozenset()

    def at(self, step: int) -> frozenset[Atom]:
        """The facts at ``step`` (read on the first call for that step)."""
        if self._step != step:
            self._facts, self._step = self.env.facts(), step
        return self._facts


@runtime_checkable
class SuccessDetector(Protocol):
    """Whether a learned skill's ground effects hold now (the part a deployment without an oracle swaps)."""

    def reset(self, effects: Sequence[Literal], binding: Mapping[str, str], facts: FactReader) -> None:
        """Start a call whose ``effects`` hold under ``binding`` once done; ``facts`` reads the
        simulator's privileged facts (a detector that reads the observation ignores it)."""

    def holds(self, obs: Mapping[str, np.ndarray], step: int) -> bool:
        """Whether the effects hold at ``step``, before the action for ``obs`` is chosen."""


class FactsDetector:
    """The :class:`SuccessDetector` that reads the simulator's oracle facts (``env.facts()``)."""

    def reset(self, effects: Sequence[Literal], binding: Mapping[str, str], facts: FactReader) -> None:
        self.effects, self.binding, self.facts = list(effects), binding, facts

    def holds(self, obs: Mapping[str, np.ndarray], step: int) -> bool:
        return effects_hold(self.effects, self.binding, self.facts.at(step))


class Completion:
    """Ends a call once its effects have held ``min_hold_steps`` and the robot is at rest, or have held
    ``max_hold_steps`` (:class:`DetectorConfig`)."""

    def __init__(self, config: DetectorConfig) -> None:
        self.config = config
        self.held_since: int | None = None
        """The step since which the effects have held at every check; ``None`` while they do not."""

    def reset(self) -> None:
        self.held_since = None

    def observe(self, holds: bool, step: int) -> None:
        """Record a check's answer at ``step``."""
        if holds:
            self.held_since = step if self.held_since is None else self.held_since
        else:
            self.held_since = None

    def ended(self, step: int, motion: float) -> bool:
        """Whether the call ends successfully at ``step`` with the last row's ``motion``."""
        if self.held_since is None:
            return False
        held = step - self.held_since
        config = self.config
        return held >= config.min_hold_steps and (motion <= config.rest_tol or held >= config.max_hold_steps)


def effects_hold(effects: list[Literal], binding: Mapping[str, str], facts: frozenset[Atom]) -> bool:
    """Whether every effect literal holds in ``facts`` under ``binding``.

    A negative effect with a variable no binding fixes (``not robot_at(?other)``) holds when
    no fact matches it other than the atoms the positive effects add.
    """
    added = {substitute(lit.atom, binding) for lit in effects if not lit.negated}
    for lit in effects:
        atom = substitute(lit.atom, binding)
        if variables(atom):
            if not lit.negated:
                return False
            if any(matches(atom, fact, {}) is not None and fact not in added for fact in facts):
                return False
        elif (atom in facts) == lit.negated:
            return False
    return True


__all__ = ["Completion", "DetectorConfig", "FactReader", "FactsDetector", "SuccessDetector", "effects_hold"]
