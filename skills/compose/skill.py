"""A skill built from other skills, which the planner sees like any other.

Subclass :class:`CompositeSkill` and set ``tree`` (built from :mod:`skills.compose.nodes`)
instead of implementing ``_reset``/``_act``; ``preconditions``, ``effects``,
``action_keys`` and ``max_steps`` are derived from the parts unless declared::

    class ServeDrink(CompositeSkill):
        \"\"\"Fetch a mug and bring it to the dining table.\"\"\"

        name = "serve_drink"

        class Args(BaseModel):
            mug: str

        instruction = "serve a drink"
        tree = sequence(
            call("navigate_to", place="?from"),
            call("pick", object="?mug"),
            call("navigate_to", place="dining_table"),
            call("place", object="?mug", receptacle="dining_table"),
        )

(:func:`skills.authoring.skill` writes this class for you from a function.)

:meth:`Skill.run` still does the bookkeeping: argument validation, the check of the
derived preconditions, exceptions turned into a failure. Each part runs through its
own ``run()`` with the caller's step hook, so every environment step still reaches
the agent (video, step counts, training frames labelled with the sub-skill that acted).
The result's ``segments`` record each call (path, skill, arguments, steps, status);
a failure's ``reason`` names the part that failed and why.
"""

from __future__ import annotations

import inspect
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel

from agentrt.core.actions import CONTROL_HZ
from agentrt.core.results import SkillResult, SkillStatus
from agentrt.core.scene import SceneDescription
from agentrt.core.symbolic import bindings, parse_literal
from skills.base import Action, Done, Skill, StepHook
from skills.compose.nodes import Context, Node, Outcome
from skills.compose.strips import CompositionError, Names


class CompositeSkill(Skill):
    """Base of skills composed from other skills (see the module docstring)."""

    @property
    @abstractmethod
    def tree(self) -> Node:
        """The parts, with the arguments written as variables (``"?mug"``); a class attribute."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if not inspect.isabstract(cls):
            _derive_declarations(cls)
        super().__init_subclass__(**kwargs)

    def run(
        self,
        env: Any,
        args: Mapping[str, Any] | BaseModel,
        *,
        scene: SceneDescription,
        instruction: str | None = None,
        max_steps: int | None = None,
        on_step: StepHook | None = None,
    ) -> SkillResult:
        """Run the parts in ``env`` (see :meth:`Skill.run`); the result carries their segments."""
        self._on_step = on_step
        self._budget = max_steps or self.max_steps
        self._ctx: Context | None = None
        self._outcome: Outcome | None = None
        result = super().run(
            env, args, scene=scene, instruction=instruction, max_steps=max_steps, on_step=on_step
        )
        if self._ctx is None:  # refused before anything ran
            return result
        update: dict[str, Any] = {
            "steps": self._ctx.steps,
            "sim_time_s": self._ctx.steps / CONTROL_HZ,
            "segments": self._ctx.segments,
        }
        if self._outcome is not None and result.reason == self._outcome.reason:
            update.update(
                status=self._outcome.status,
                truncated=self._outcome.truncated,
                terminated=not self._outcome.truncated,
            )
        return result.model_copy(update=update)

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        given = {f"?{k}": str(v) for k, v in args.model_dump().items()}
        found = bindings([parse_literal(p) for p in self.preconditions], scene.facts(), given)
        binding = min(found, key=lambda b: sorted(b.items())) if found else given
        self._ctx = Context(env, self._on_step, self._budget)
        self._outcome = self.tree.execute(self._ctx, binding, "")

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        out = self._outcome
        assert out is not None
        if out.status is SkillStatus.SUCCESS:
            return Done(True)
        return Done(False, out.reason)


def _derive_declarations(cls: type[CompositeSkill]) -> None:
    tree = cls.tree
    where = f"composite skill {cls.__qualname__}"
    if not isinstance(tree, Node):
        raise TypeError(f"{where}: `tree` must be built from skills.compose (sequence, call, ...)")
    args_model = getattr(cls, "Args", None)
    arg_vars = {f"?{a}" for a in getattr(args_model, "model_fields", {})}
    try:
        derived = tree.derive(Names(arg_vars | tree.variables(), arg_vars))
    except CompositionError as exc:
        raise CompositionError(f"{where}: {exc}") from None
    if "preconditions" not in cls.__dict__:
        cls.preconditions = derived.preconditions()
    if "effects" not in cls.__dict__:
        cls.effects = derived.effects()
    if "action_keys" not in cls.__dict__:
        keys = {k for c in tree.calls() for k in c.skill.action_keys}
        ordered = [k for k in ("arm", "base") if k in keys] + sorted(keys - {"arm", "base"})
        cls.action_keys = tuple(ordered)
    if "max_steps" not in cls.__dict__:
        cls.max_steps = tree.budget()
    bound = arg_vars | {v for p in cls.preconditions for v in _positive_vars(p)}
    free = tree.variables() - bound
    if free:
        raise CompositionError(
            f"{where}: {', '.join(sorted(free))} is neither an argument nor bound by a precondition"
        )


def _positive_vars(text: str) -> set[str]:
    literal = parse_literal(text)
    return set() if literal.negated else {t for t in literal.atom[1:] if t.startswith("?")}
