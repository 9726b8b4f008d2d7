"""The parts a composite skill is built from: a call of a skill, and five ways to combine parts.

=================  ===========================================================
``call``           run one skill (registered name or class) with arguments
``sequence``       run parts in order; stop at the first that fails
``retry``          run a part again after a failure, up to a budget of attempts
``fallback``       try alternatives in order until one succeeds
``when``           choose a branch by a condition on the scene
``for_each``       run a part once per object a selector picks from the scene
=================  ===========================================================

Argument values are scene ids (``"dining_table"``) or variables of the composite
(``"?mug"``, an argument; ``"?from"``, a free variable bound by the composite's
derived preconditions when it starts: there, the place the mug is in). Every part
can :meth:`Node.derive` its preconditions and effects (see :mod:`skills.compose.strips`)
and :meth:`Node.execute` itself; execution records one segment per skill call.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agentrt.core.results import SegmentRecord, SkillStatus
from agentrt.core.scene import SceneDescription
from agentrt.core.symbolic import Literal, bindings, holds, parse_literal, substitute, variables
from skills.base import Skill, StepEvent, StepHook
from skills.compose import strips
from skills.compose.strips import CompositionError, Derived, Names


@dataclass
class Outcome:
    """How a part ended; ``reason`` names the failed part (``"2:pick failed: grasp missed"``)."""

    status: SkillStatus
    reason: str | None = None
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.status is SkillStatus.SUCCESS


class Context:
    """One execution of a composite: the env, the step hook, the budget and the record so far."""

    def __init__(self, env: Any, on_step: StepHook | None, budget: int) -> None:
        self.env = env
        self.on_step = on_step
        self.budget = budget
        self.steps = 0
        self.segments: list[SegmentRecord] = []

    def describe(self) -> SceneDescription:
        """A fresh description of the scene (privileged state, as the scripted skills read)."""
        return self.env.unwrapped.describe()

    def hook(self, event: StepEvent) -> None:
        self.steps += 1
        if self.on_step is not None:
            self.on_step(event)


class Node(ABC):
    """A part of a composite skill."""

    @abstractmethod
    def derive(self, names: Names) -> Derived:
        """Preconditions and effects over the composite's variables; raises :class:`CompositionError`."""

    @abstractmethod
    def execute(self, ctx: Context, binding: dict[str, str], path: str) -> Outcome:
        """Run in ``ctx.env``; ``binding`` maps the composite's variables to scene ids."""

    @abstractmethod
    def calls(self) -> list[Call]:
        """Every skill call inside, in order."""

    @abstractmethod
    def budget(self) -> int:
        """Policy steps this part may need at most (the composite's default ``max_steps``)."""

    def variables(self) -> set[str]:
        """Variables the calls' arguments use."""
        return {v for c in self.calls() for v in c.args.values() if isinstance(v, str) and v.startswith("?")}


def _join(path: str, part: str) -> str:
    return f"{path}/{part}" if path else part


class Call(Node):
    """Run one skill. Build with :func:`call`."""

    def __init__(self, skill: type[Skill] | str, args: Mapping[str, Any]) -> None:
        self._skill = skill
        self.args = dict(args)

    @property
    def skill(self) -> type[Skill]:
        """The skill class (a registered name is looked up when first needed)."""
        if isinstance(self._skill, str):
            from agentrt.core.registry import SKILLS

            self._skill = SKILLS.get(self._skill)
        return self._skill

    def calls(self) -> list[Call]:
        return [self]

    def budget(self) -> int:
        return self.skill.max_steps

    def derive(self, names: Names) -> Derived:
        spec = self.skill.spec()
        fields = self.skill.Args.model_fields
        unknown = set(self.args) - set(fields)
        if unknown:
            raise CompositionError(f"call of {spec.name} has unknown arguments {sorted(unknown)}")
        missing = [a for a, f in fields.items() if a not in self.args and f.is_required()]
        if missing:
            raise CompositionError(f"call of {spec.name} is missing arguments {missing}")
        renaming = {f"?{a}": str(self.args.get(a, fields[a].default)) for a in fields}
        literals = [*spec.precondition_literals(), *spec.effect_literals()]
        own = sorted({v for lit in literals for v in variables(lit.atom)} - set(renaming))
        local = {v: names.fresh(v) for v in own}
        renaming.update(local)
        pre = [Literal(lit.negated, substitute(lit.atom, renaming)) for lit in spec.precondition_literals()]
        effects = spec.effect_literals()
        add = [substitute(e.atom, renaming) for e in effects if not e.negated]
        delete = [substitute(e.atom, renaming) for e in effects if e.negated]
        return Derived(pre, add, delete, set(local.values()))

    def label(self, args: Mapping[str, Any] | None = None) -> str:
        shown = args if args is not None else self.args
        return f"{self.skill.name}({', '.join(f'{k}={v}' for k, v in shown.items())})"

    def execute(self, ctx: Context, binding: dict[str, str], path: str) -> Outcome:
        where = f"{path}:{self.skill.name}" if path else self.skill.name
        args = {k: binding.get(v, v) if isinstance(v, str) else v for k, v in self.args.items()}
        unbound = [v for v in args.values() if isinstance(v, str) and v.startswith("?")]
        if unbound:
            return Outcome(SkillStatus.FAILURE, f"{where}: variables {unbound} are bound by nothing")
        remaining = ctx.budget - ctx.steps
        if remaining <= 0:
            return Outcome(SkillStatus.ABORTED, f"{where}: step budget exhausted before it ran", True)
        skill = self.skill()
        scene = ctx.describe()
        names = {o.id: o.name for o in scene.objects} | {p.id: p.name for p in scene.places}
        text = skill.instruction.format(**{k: names.get(str(v), v) for k, v in args.items()})
        start, index = ctx.steps, len(ctx.segments)
        result = skill.run(
            ctx.env,
            args,
            scene=scene,
            instruction=text,
            max_steps=min(skill.max_steps, remaining),
            on_step=ctx.hook,
        )
        nested = [
            s.model_copy(
                update={
                    "path": _join(where, s.path),
                    "start_step": s.start_step + start,
                    "end_step": s.end_step + start,
                }
            )
            for s in result.segments
        ]
        record = SegmentRecord(
            path=where,
            skill=skill.name,
            args=args,
            start_step=start,
            end_step=ctx.steps,
            status=result.status,
            reason=result.reason,
        )
        ctx.segments[index:index] = [record, *nested]
        if result.ok:
            return Outcome(SkillStatus.SUCCESS)
        why = f"{where} {self.label(args)} {result.status.value}: {result.reason}"
        return Outcome(result.status, why, result.truncated)


def call(skill: type[Skill] | str, **args: Any) -> Call:
    """A call of ``skill`` (a registered name or a skill class): ``call("pick", object="?mug")``."""
    return Call(skill, args)


class Sequence(Node):
    """Run parts in order; stop at the first that fails. Build with :func:`sequence`."""

    def __init__(self, parts: Iterable[Node]) -> None:
        self.parts = list(parts)
        if not self.parts:
            raise CompositionError("a sequence needs at least one part")

    def budget(self) -> int:
        return sum(p.budget() for p in self.parts)

    def calls(self) -> list[Call]:
        return [c for p in self.parts for c in p.calls()]

    def derive(self, names: Names) -> Derived:
        return strips.sequence([(f"part {i}", p.derive(names)) for i, p in enumerate(self.parts, 1)])

    def execute(self, ctx: Context, binding: dict[str, str], path: str) -> Outcome:
        for i, part in enumerate(self.parts, 1):
            out = part.execute(ctx, binding, _join(path, str(i)))
            if not out.ok:
                return out
        return Outcome(SkillStatus.SUCCESS)


def sequence(*parts: Node) -> Sequence:
    """Run ``parts`` one after another: ``sequence(call("pick", ...), call("place", ...))``."""
    return Sequence(parts)


class Retry(Node):
    """Run a part again after a failure. Build with :func:`retry`."""

    def __init__(self, part: Node, attempts: int, max_steps: int | None) -> None:
        if attempts < 1:
            raise CompositionError(f"retry needs at least one attempt, got {attempts}")
        self.part, self.attempts, self.max_steps = part, attempts, max_steps

    def budget(self) -> int:
        return self.max_steps or self.attempts * self.part.budget()

    def calls(self) -> list[Call]:
        return self.part.calls()

    def derive(self, names: Names) -> Derived:
        return self.part.derive(names)

    def execute(self, ctx: Context, binding: dict[str, str], path: str) -> Outcome:
        start, out = ctx.steps, Outcome(SkillStatus.FAILURE, "never tried")
        outer = ctx.budget
        if self.max_steps is not None:
            ctx.budget = min(outer, start + self.max_steps)
        try:
            for attempt in range(1, self.attempts + 1):
                out = self.part.execute(ctx, binding, _join(path, f"try {attempt}"))
                if out.ok or ctx.steps >= ctx.budget:
                    break
        finally:
            ctx.budget = outer
        if out.ok:
            return out
        return Outcome(out.status, f"failed after {attempt} of {self.attempts} attempts; last: {out.reason}")


def retry(part: Node, attempts: int = 3, *, max_steps: int | None = None) -> Retry:
    """Run ``part`` up to ``attempts`` times until it succeeds, within ``max_steps`` steps in all."""
    return Retry(part, attempts, max_steps)


class Fallback(Node):
    """Try alternatives in order until one succeeds. Build with :func:`fallback`."""

    def __init__(self, parts: Iterable[Node]) -> None:
        self.parts = list(parts)
        if len(self.parts) < 2:
            raise CompositionError("a fallback needs at least two alternatives")

    def budget(self) -> int:
        return sum(p.budget() for p in self.parts)

    def calls(self) -> list[Call]:
        return [c for p in self.parts for c in p.calls()]

    def derive(self, names: Names) -> Derived:
        start, derived = names.copy(), []
        for part in self.parts:  # each from the same names: equal parts derive equal literals
            own = start.copy()
            derived.append(part.derive(own))
            names.used |= own.used
        return strips.alternatives(derived)

    def execute(self, ctx: Context, binding: dict[str, str], path: str) -> Outcome:
        failures = []
        for i, part in enumerate(self.parts, 1):
            out = part.execute(ctx, binding, _join(path, f"alt {i}"))
            if out.ok:
                return out
            failures.append(out)
        reasons = "; ".join(str(f.reason) for f in failures)
        return Outcome(failures[-1].status, f"every alternative failed: {reasons}", failures[-1].truncated)


def fallback(*parts: Node) -> Fallback:
    """Try ``parts`` in order until one succeeds (e.g. a learned skill, then a scripted expert)."""
    return Fallback(parts)


Condition = str | Callable[[SceneDescription], bool]


class When(Node):
    """Choose a branch by a condition on the scene. Build with :func:`when`."""

    def __init__(self, condition: Condition, then: Node, otherwise: Node | None) -> None:
        self.condition, self.then, self.otherwise = condition, then, otherwise
        self.literal = parse_literal(condition) if isinstance(condition, str) else None

    def budget(self) -> int:
        return max(self.then.budget(), self.otherwise.budget() if self.otherwise else 0)

    def calls(self) -> list[Call]:
        return self.then.calls() + (self.otherwise.calls() if self.otherwise else [])

    def derive(self, names: Names) -> Derived:
        start = names.copy()
        own = start.copy()
        then = self.then.derive(own)
        names.used |= own.used
        own = start.copy()
        otherwise = self.otherwise.derive(own) if self.otherwise else Derived()
        names.used |= own.used
        if_true = [self.literal] if self.literal else []
        if_false = [Literal(not self.literal.negated, self.literal.atom)] if self.literal else []
        pre = [lit for lit in then.pre if lit not in if_true]
        pre += [lit for lit in otherwise.pre if lit not in if_false and lit not in pre]
        return strips.branches(pre, [(if_true, then), (if_false, otherwise)])

    def execute(self, ctx: Context, binding: dict[str, str], path: str) -> Outcome:
        scene = ctx.describe()
        if self.literal is not None:
            text = str(Literal(self.literal.negated, substitute(self.literal.atom, binding)))
            try:
                chosen = holds(text, scene.facts())
            except ValueError:
                return Outcome(SkillStatus.FAILURE, f"{path or 'when'}: condition {text!r} is not ground")
        else:
            chosen = bool(self.condition(scene))  # type: ignore[operator]
        if chosen:
            return self.then.execute(ctx, binding, _join(path, "then"))
        if self.otherwise is None:
            return Outcome(SkillStatus.SUCCESS)
        return self.otherwise.execute(ctx, binding, _join(path, "else"))


def when(condition: Condition, then: Node, otherwise: Node | None = None) -> When:
    """Run ``then`` if ``condition`` holds in the scene when this part starts, else ``otherwise``.

    ``condition`` is a literal over the composite's variables (``"not in(?mug, dining_table)"``),
    which the planner can reason about, or any ``scene -> bool`` function, which it cannot.
    """
    return When(condition, then, otherwise)


LOOP_BUDGET_ITEMS = 10
"""A ``for_each`` part's default step budget covers this many items (set ``max_steps`` for more)."""

Selector = Callable[[SceneDescription], Iterable[str | tuple[str, ...]]]


class ForEach(Node):
    """Run a part once per item a selector picks from the scene. Build with :func:`for_each`."""

    def __init__(self, select: Selector, body: Callable[..., Node]) -> None:
        self.select = select
        params = list(inspect.signature(body).parameters)
        if not params:
            raise CompositionError("a for_each body takes the item (or its fields) as arguments")
        self.vars = [f"?{p}" for p in params]
        self.body = body(*self.vars)
        self.body_pre: list[Literal] = []

    def budget(self) -> int:
        return LOOP_BUDGET_ITEMS * self.body.budget()

    def calls(self) -> list[Call]:
        return self.body.calls()

    def variables(self) -> set[str]:
        return set()  # the body's variables are bound per item (checked in derive)

    def derive(self, names: Names) -> Derived:
        clash = set(self.vars) & names.used
        if clash:
            raise CompositionError(f"for_each variables {sorted(clash)} reuse names of the composite")
        names.used |= set(self.vars) | self.body.variables()
        body = self.body.derive(names)
        self.body_pre = body.pre
        free = self.body.variables() - names.args - set(self.vars) - body.positive_pre_vars()
        if free:
            raise CompositionError(f"for_each body uses {', '.join(sorted(free))}, bound by nothing")
        pre = [lit for lit in body.pre if variables(lit.atom) <= names.args]
        return Derived(pre, [], [], set())

    def execute(self, ctx: Context, binding: dict[str, str], path: str) -> Outcome:
        scene = ctx.describe()
        items = [(i,) if isinstance(i, str) else tuple(i) for i in self.select(scene)]
        for n, item in enumerate(items, 1):
            if len(item) != len(self.vars):
                why = f"{path or 'for_each'}: selector gave {item}, expected {len(self.vars)} values"
                return Outcome(SkillStatus.FAILURE, why)
            inner = {**binding, **dict(zip(self.vars, item, strict=True))}
            found = bindings(self.body_pre, ctx.describe().facts(), inner)  # per item: its own ?from
            inner = min(found, key=lambda b: sorted(b.items())) if found else inner
            out = self.body.execute(ctx, inner, _join(path, f"{n}={item[0]}"))
            if not out.ok:
                return out
        return Outcome(SkillStatus.SUCCESS)


def for_each(select: Selector, body: Callable[..., Node]) -> ForEach:
    """Run ``body(item)`` for each item ``select(scene)`` returns when this part starts.

    ``select`` returns ids (``"mug_0"``) or tuples (``("mug_0", "dish_rack")``), one value
    per parameter of ``body``; ``body`` is called once, when the composite is defined,
    with a variable per parameter. The planner cannot see through the loop: it derives
    only the body's preconditions that do not depend on the item, and no effects.
    """
    return ForEach(select, body)


def misplaced_objects(scene: SceneDescription) -> list[tuple[str, str]]:
    """Selector: ``(object id, home place id)`` of every misplaced object, in scene order."""
    return [(o.id, o.home) for o in scene.misplaced() if o.home is not None and not o.held]


def objects_in(place: str) -> Selector:
    """Selector: ids of the objects in or on ``place``."""
    return lambda scene: [o.id for o in scene.objects if o.location == place and not o.held]


def objects_of(category: str) -> Selector:
    """Selector: ids of the objects of one category (``"mug"``)."""
    return lambda scene: [o.id for o in scene.objects if o.category == category]
