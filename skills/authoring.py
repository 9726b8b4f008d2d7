"""``@skill``: register a typed Python function or class as a skill.

The decorated object's parameters (or annotated fields) become the skill's pydantic
``Args``; its docstring becomes the description the planner reads; preconditions,
effects and the instruction template are declared beside it in the decorator. The
result is an ordinary :class:`skills.base.Skill` subclass, registered in ``SKILLS``
(so ``agentrt skills list`` shows it and the planners can use it) and returned in
place of the function or class. Three shapes are accepted:

**A composite** — a plain function that returns parts from :mod:`skills.compose`.
It is called once, when it is decorated, with each argument standing for its
variable (``mug="?mug"``), so build the parts from the arguments rather than
computing with them; preconditions and effects are derived from the parts unless
given::

    @skill(instruction="serve a drink")
    def serve_drink(mug: str) -> Node:
        \"\"\"Fetch a mug and bring it to the dining table.\"\"\"
        return sequence(call("navigate_to", place="?from"), call("pick", object=mug), ...)

**A primitive as a generator** — its first parameter receives a :class:`SkillContext`
(``env``, ``scene``, ``obs``); each ``yield`` sends one action to ``env.step`` and
receives the next observation; returning ends the skill (``None``/``True``: success,
``False`` or ``Done(False, reason)``: failure)::

    @skill(preconditions=["hand_empty()"], effects=["gripper_tested()"])
    def test_gripper(ctx: SkillContext, times: int = 2) -> Iterator[Action]:
        \"\"\"Open and close the gripper a few times.\"\"\"
        for _ in range(times):
            obs = yield {"arm": CLOSE}
            obs = yield {"arm": OPEN}

**A primitive as a class** — a plain class whose annotated fields are the arguments,
with ``reset(self, env, scene)`` and ``act(self, obs) -> Action | Done``; a fresh
instance is made for every call, with the fields set from the arguments.
"""

from __future__ import annotations

import inspect
import re
from abc import abstractmethod
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, get_args, get_origin, get_type_hints

import numpy as np
from pydantic import BaseModel, ConfigDict, create_model

from agentrt.core.registry import SKILLS
from agentrt.core.scene import SceneDescription
from skills.base import Action, Done, Skill
from skills.compose.nodes import Node
from skills.compose.skill import CompositeSkill


@dataclass
class SkillContext:
    """What a generator skill sees: the env (privileged state via ``env.unwrapped``), the
    scene description it was called on, and the latest observation (updated every step)."""

    env: Any
    scene: SceneDescription
    obs: dict[str, np.ndarray] = field(default_factory=dict)


def skill(
    target: Callable[..., Any] | type | None = None,
    *,
    name: str | None = None,
    preconditions: Iterable[str] | None = None,
    effects: Iterable[str] | None = None,
    instruction: str | None = None,
    action_keys: Iterable[str] | None = None,
    max_steps: int | None = None,
    register: bool = True,
) -> Any:
    """Make a skill from a function or class (see the module docstring); ``@skill`` or ``@skill(...)``.

    Args:
        name: registry name (default: the function's name, or the class's in snake_case).
        preconditions: literals over ``?argument`` variables; derived for a composite if omitted.
        effects: literals over ``?argument`` variables; derived for a composite if omitted.
        instruction: language template (default: the name in words, then ``{argument}`` slots).
        action_keys: action groups the skill drives (default ``("arm",)``; derived for a composite).
        max_steps: step budget per call (default 300; derived for a composite).
        register: add it to ``SKILLS`` (a clash with a registered name raises ``RegistryError``).

    Returns:
        The :class:`skills.base.Skill` subclass, which also works in ``call(...)``.
    """

    def decorate(obj: Callable[..., Any] | type) -> type[Skill]:
        declared = {
            "preconditions": tuple(preconditions) if preconditions is not None else None,
            "effects": tuple(effects) if effects is not None else None,
            "action_keys": tuple(action_keys) if action_keys is not None else None,
            "max_steps": max_steps,
        }
        declared = {k: v for k, v in declared.items() if v is not None}
        cls = _build(obj, name, instruction, declared)
        if register:
            SKILLS.add(cls.name, cls)
        return cls

    return decorate(target) if target is not None else decorate


def _build(
    obj: Callable[..., Any] | type, name: str | None, instruction: str | None, declared: dict[str, Any]
) -> type[Skill]:
    where = f"@skill {getattr(obj, '__qualname__', obj)!r}"
    doc = inspect.getdoc(obj)
    if not doc:
        raise TypeError(f"{where} needs a docstring: it is the description planners read")
    if isinstance(obj, type):
        if issubclass(obj, Skill):
            raise TypeError(f"{where} is already a Skill; register it with @SKILLS.register(name)")
        fields = _class_fields(obj)
        base: type[Skill] = _ClassSkill
        extra: dict[str, Any] = {"impl": obj}
        skill_name = name or _snake(obj.__name__)
    else:
        params = list(inspect.signature(obj).parameters.values())
        generator = inspect.isgeneratorfunction(obj)
        if generator:
            if not params:
                raise TypeError(f"{where}: a generator skill's first parameter receives the SkillContext")
            params = params[1:]
        hints = get_type_hints(obj, include_extras=True)
        fields = {p.name: (_hint(hints, p.name, where), _default(p)) for p in params}
        skill_name = name or obj.__name__
        if generator:
            base, extra = _GeneratorSkill, {"impl": staticmethod(obj)}
        else:
            _only_ids(fields, where)
            tree = obj(**{p: f"?{p}" for p in fields})
            if not isinstance(tree, Node):
                got = type(tree).__name__
                raise TypeError(f"{where} must return parts built with skills.compose, got {got}")
            base, extra = CompositeSkill, {"tree": tree}
    args = create_model(
        f"{_camel(skill_name)}Args",
        __config__=ConfigDict(extra="forbid"),
        **fields,  # type: ignore[call-overload]
    )
    namespace = {
        "__doc__": doc,
        "__module__": obj.__module__,
        "__qualname__": obj.__qualname__,
        "name": skill_name,
        "Args": args,
        "instruction": instruction if instruction is not None else _default_instruction(skill_name, fields),
        **extra,
        **declared,
    }
    return type(obj.__name__, (base,), namespace)


class _GeneratorSkill(Skill):
    """Runs a generator function: each yielded action is one step; ``obs`` is sent back."""

    @property
    @abstractmethod
    def impl(self) -> Callable[..., Generator[Action, Any, Any]]:
        """The generator function (a static method of the generated class)."""

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        self.ctx = SkillContext(env, scene)
        self.gen = type(self).impl(self.ctx, **args.model_dump())
        self.started = False

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        self.ctx.obs = obs
        try:
            action = self.gen.send(obs) if self.started else next(self.gen)
        except StopIteration as stop:
            return _done(stop.value)
        self.started = True
        return action


class _ClassSkill(Skill):
    """Runs a plain class with ``reset(env, scene)`` and ``act(obs)``; a fresh instance per call."""

    @property
    @abstractmethod
    def impl(self) -> type:
        """The user's class (a class attribute of the generated class)."""

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        self.instance = type(self).impl.__new__(type(self).impl)
        for key, value in args.model_dump().items():
            setattr(self.instance, key, value)
        reset = getattr(self.instance, "reset", None)
        if reset is not None:
            reset(env, scene)

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        out = self.instance.act(obs)
        return out if isinstance(out, dict) else _done(out)


def _done(value: Any) -> Done:
    if isinstance(value, Done):
        return value
    if value is None or value is True:
        return Done(True)
    if value is False:
        return Done(False, "the skill returned False")
    raise TypeError(f"a skill must end with None, True, False or Done(...), got {value!r}")


def _hint(hints: dict[str, Any], param: str, where: str) -> Any:
    if param not in hints:
        raise TypeError(f"{where}: argument {param!r} needs a type hint (e.g. `{param}: str`)")
    return hints[param]


def _default(param: inspect.Parameter) -> Any:
    return ... if param.default is inspect.Parameter.empty else param.default


def _class_fields(cls: type) -> dict[str, tuple[Any, Any]]:
    hints = get_type_hints(cls, include_extras=True)
    if not callable(getattr(cls, "act", None)):
        raise TypeError(f"@skill class {cls.__qualname__} must define act(self, obs) -> Action | Done")
    return {
        k: (v, getattr(cls, k, ...))
        for k, v in hints.items()
        if get_origin(v) is not ClassVar and not k.startswith("_")
    }


def _only_ids(fields: dict[str, tuple[Any, Any]], where: str) -> None:
    for key, (hint, _) in fields.items():
        base = get_args(hint)[0] if get_origin(hint) is Annotated else hint
        if base is not str:
            raise TypeError(f"{where}: a composite's arguments are scene ids (str); {key!r} is {hint!r}")


def _default_instruction(name: str, fields: dict[str, Any]) -> str:
    return " ".join([name.replace("_", " "), *(f"{{{k}}}" for k in fields)])


def _snake(text: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", text).lower()


def _camel(text: str) -> str:
    return "".join(part.capitalize() for part in text.split("_"))


__all__ = ["SkillContext", "skill"]
