"""The skill interface shared by scripted experts and learned policies.

A skill is a closed-loop policy for one subgoal. Its public :meth:`Skill.run` does the
bookkeeping — argument validation, precondition check, step budget, per-step hook,
turning exceptions into a failure result — and subclasses implement two protected
methods: :meth:`Skill._reset` (once per call) and :meth:`Skill._act` (once per 10 Hz
policy step, returning an action or :class:`Done`).

Declarations live on the class and are checked when the class is defined::

    @SKILLS.register("pick")
    class ScriptedPick(Skill):
        class Args(BaseModel):
            object: str
        preconditions = ("hand_empty()", "in(?object, ?from)", "robot_at(?from)")
        effects = ("holding(?object)", "not hand_empty()", "not in(?object, ?from)")
        instruction = "pick up the {object}"
        action_keys = ("arm",)
"""

from __future__ import annotations

import inspect
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ValidationError

from agentrt.core.actions import CONTROL_HZ
from agentrt.core.results import SkillResult, SkillStatus
from agentrt.core.scene import SceneDescription
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import bindings, parse_literal, variables

Action = dict[str, np.ndarray]
"""``{"arm": (7,) float32, "base": (3,) float32}``; see :mod:`agentrt.core.actions`."""


@dataclass(frozen=True)
class Done:
    """Returned by :meth:`Skill._act` to end the skill: ``success`` and, if not, why."""

    success: bool
    reason: str | None = None


@dataclass(frozen=True)
class StepEvent:
    """What the per-step hook sees after every environment step.

    ``obs`` is the observation *before* ``action`` was applied (the pair a policy is
    trained on); ``next_obs`` the one after.
    """

    skill: str
    instruction: str
    step: int
    obs: dict[str, np.ndarray]
    action: Action
    next_obs: dict[str, np.ndarray]
    info: dict[str, Any]


StepHook = Callable[[StepEvent], None]


class Skill(ABC):
    """Base class of every skill. See the module docstring for the contract."""

    name: ClassVar[str] = ""
    """Registry name; set by the subclass (the registry decorator does not set it)."""
    Args: ClassVar[type[BaseModel]]
    """Pydantic model of the typed arguments (values are scene ids)."""
    preconditions: ClassVar[tuple[str, ...]] = ()
    effects: ClassVar[tuple[str, ...]] = ()
    instruction: ClassVar[str] = ""
    """Language template formatted with the arguments' natural names."""
    action_keys: ClassVar[tuple[str, ...]] = ("arm",)
    max_steps: ClassVar[int] = 300
    """Step budget per call at the 10 Hz policy rate."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if inspect.isabstract(cls):
            return
        _check_declarations(cls)

    # ----------------------------------------------------------------- public API
    @classmethod
    def spec(cls) -> SkillSpec:
        """The planner-facing description of this skill."""
        doc = inspect.getdoc(cls) or cls.__name__
        return SkillSpec(
            name=cls.name,
            description=doc,
            args_schema=cls.Args.model_json_schema(),
            arg_names=tuple(cls.Args.model_fields),
            preconditions=tuple(cls.preconditions),
            effects=tuple(cls.effects),
            instruction=cls.instruction,
            action_keys=tuple(cls.action_keys),
        )

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
        """Execute the skill in ``env`` until it ends, fails or runs out of steps.

        Args:
            env: a scene environment (Gymnasium ``Env`` from ``scenes``), possibly wrapped.
            args: argument values (scene ids), validated against :attr:`Args`.
            scene: the scene description the subgoal was planned on; preconditions
                are checked against its facts before anything moves.
            instruction: the language instruction for this call (logged per step).
            max_steps: overrides :attr:`max_steps`.
            on_step: called after every environment step with a :class:`StepEvent`.

        Returns:
            A :class:`SkillResult`; never raises for a failure of the skill itself.
        """
        start = time.perf_counter()
        budget = max_steps or self.max_steps
        try:
            parsed = args if isinstance(args, self.Args) else self.Args.model_validate(dict(args))
        except ValidationError as exc:
            why = f"invalid arguments for {self.name}: {_first_error(exc)}"
            return _result(SkillStatus.FAILURE, why, start)
        unmet = self.unmet_preconditions(parsed, scene)
        if unmet:
            return _result(SkillStatus.ABORTED, f"precondition not met: {unmet}", start)
        text = instruction or self.instruction.format(**parsed.model_dump())
        steps = 0
        try:
            self._reset(env, parsed, scene)
            obs = env.unwrapped.get_obs()
            while steps < budget:
                out = self._act(obs)
                if isinstance(out, Done):
                    status = SkillStatus.SUCCESS if out.success else SkillStatus.FAILURE
                    return _result(status, out.reason, start, steps=steps)
                next_obs, _, _, _, info = env.step(out)
                steps += 1
                if on_step is not None:
                    on_step(StepEvent(self.name, text, steps, obs, out, next_obs, info))
                obs = next_obs
                if info.get("safety_stop"):
                    why = f"safety stop: {info['safety_stop']}"
                    return _result(SkillStatus.ABORTED, why, start, steps=steps)
        except Exception as exc:  # a skill never raises into the planner
            return _result(SkillStatus.FAILURE, f"{type(exc).__name__}: {exc}", start, steps=steps)
        return _result(
            SkillStatus.ABORTED,
            f"step budget of {budget} steps exhausted",
            start,
            steps=steps,
            terminated=False,
            truncated=True,
        )

    def unmet_preconditions(self, args: BaseModel, scene: SceneDescription) -> str | None:
        """``None`` if the preconditions hold in ``scene`` under ``args``, else the literals."""
        binding = {f"?{k}": str(v) for k, v in args.model_dump().items()}
        literals = [parse_literal(p) for p in self.preconditions]
        if bindings(literals, scene.facts(), binding):
            return None
        return ", ".join(self.preconditions)

    # ------------------------------------------------------------ for subclasses
    @abstractmethod
    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        """Prepare for a new call (read privileged state, plan a trajectory, ...)."""

    @abstractmethod
    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        """One policy step: an action dict for ``env.step`` or :class:`Done`."""


def _check_declarations(cls: type[Skill]) -> None:
    """Reject a malformed subclass when it is defined, not when it first runs."""
    where = f"skill class {cls.__qualname__}"
    if not cls.name:
        raise TypeError(f"{where} must set `name`")
    args_model = getattr(cls, "Args", None)
    if not (isinstance(args_model, type) and issubclass(args_model, BaseModel)):
        raise TypeError(f"{where} must define `Args` as a pydantic BaseModel")
    arg_vars = {f"?{name}" for name in args_model.model_fields}
    bound = set(arg_vars)
    for text in cls.preconditions:
        literal = parse_literal(text)
        if not literal.negated:
            bound |= variables(literal.atom)
    for text in cls.effects:
        literal = parse_literal(text)
        if not literal.negated and variables(literal.atom) - bound:
            raise TypeError(f"{where}: effect {text!r} uses variables bound by no argument or precondition")
    try:
        cls.instruction.format(**{name: name for name in args_model.model_fields})
    except (KeyError, IndexError) as exc:
        raise TypeError(
            f"{where}: instruction template {cls.instruction!r} names unknown argument {exc}"
        ) from None
    if cls.max_steps <= 0:
        raise TypeError(f"{where}: max_steps must be positive")


def _result(
    status: SkillStatus,
    reason: str | None,
    start: float,
    *,
    steps: int = 0,
    terminated: bool = True,
    truncated: bool = False,
) -> SkillResult:
    return SkillResult(
        status=status,
        reason=reason,
        terminated=terminated,
        truncated=truncated,
        steps=steps,
        sim_time_s=steps / CONTROL_HZ,
        wall_time_s=time.perf_counter() - start,
    )


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    return f"{loc}: {err.get('msg', 'invalid')}" if loc else err.get("msg", "invalid")
