"""Forward search over grounded skill schemas: weighted A* with the FF heuristic.

Skills are grounded once per problem: every binding of their argument and free
variables that :func:`agentrt.core.symbolic.bindings` finds against the facts reachable
under delete relaxation (arguments no positive precondition binds range over all
scene ids). Action cost is 1 plus the distance the base travels (metres, in the
floor plane, between the poses of the ``robot_at`` places before and after), so a plan
visits places in an efficient order, plus ``clutter_cost`` for every object an action puts
something beside that the goal still has to take out (:func:`clutter`), so a plan clears a
receptacle before it fills it. The heuristic is the length-plus-travel of a relaxed plan
(FF), and search stops after ``node_budget`` expansions.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from agentrt.core.plan import PlanningError
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import Atom, apply_effects, bindings, format_atom, substitute, variables

ROBOT_AT = "robot_at"
CONTAINMENT = "in"
"""``in(?object, ?place)``: the predicate :func:`clutter` reads."""


@dataclass(frozen=True, eq=False)
class GroundAction:
    """One skill with every variable bound by its preconditions (``binding`` keys start with ``?``)."""

    skill: SkillSpec
    binding: tuple[tuple[str, str], ...]
    pre: frozenset[Atom]
    pre_not: frozenset[Atom]
    add: frozenset[Atom]
    delete: tuple[Atom, ...]
    """Ground or lifted atoms (lifted ones delete every match)."""
    effects: tuple = ()
    """Parsed effect literals of the skill."""
    target: str | None = None
    """The place this action moves the base to (it adds ``robot_at(target)``), if any."""
    h_cost: float = 1.0

    @property
    def args(self) -> dict[str, str]:
        """Argument values by argument name."""
        b = dict(self.binding)
        return {name: b[f"?{name}"] for name in self.skill.arg_names}

    def applicable(self, state: frozenset[Atom]) -> bool:
        return self.pre <= state and not (self.pre_not & state)

    def apply(self, state: frozenset[Atom]) -> frozenset[Atom]:
        return apply_effects(state, self.effects, dict(self.binding))

    def __str__(self) -> str:
        return f"{self.skill.name}({', '.join(self.args.values())})"


@dataclass
class Problem:
    """A grounded planning problem."""

    init: frozenset[Atom]
    goal_pos: frozenset[Atom]
    goal_neg: frozenset[Atom]
    actions: list[GroundAction]
    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    """Floor-plane ``(x, y)`` of each place, metres (world frame)."""
    start_position: tuple[float, float] | None = None
    """Where the base is when it is at no place."""
    clutter_cost: float = 0.0
    """Added to an action's cost per object :func:`clutter` counts (0: order by travel alone)."""

    def satisfied(self, state: frozenset[Atom]) -> bool:
        return self.goal_pos <= state and not (self.goal_neg & state)


def ground(
    skills: Sequence[SkillSpec],
    init: frozenset[Atom],
    domain: Sequence[str],
    positions: Mapping[str, tuple[float, float]],
) -> list[GroundAction]:
    """All ground actions whose positive preconditions can ever hold (delete-relaxed reachability)."""
    reached = set(init)
    while True:
        before = len(reached)
        for spec in skills:
            for b in _bindings(spec, frozenset(reached), domain):
                for lit in spec.effect_literals():
                    atom = substitute(lit.atom, b)
                    if not lit.negated and not variables(atom):
                        reached.add(atom)
        if len(reached) == before:
            break
    nearest = _nearest_distances(positions)
    actions = []
    for spec in skills:
        for b in _bindings(spec, frozenset(reached), domain):
            actions.append(_make_action(spec, b, nearest))
    return actions


def _bindings(spec: SkillSpec, state: frozenset[Atom], domain: Sequence[str]) -> list[dict[str, str]]:
    out = []
    for b in bindings(spec.precondition_literals(), state, {}):
        free = [f"?{a}" for a in spec.arg_names if f"?{a}" not in b]
        for values in itertools.product(domain, repeat=len(free)):
            full = {**b, **dict(zip(free, values, strict=False))}
            if all(
                substitute(lit.atom, full) not in state
                for lit in spec.precondition_literals()
                if lit.negated and not variables(substitute(lit.atom, full))
            ):
                out.append(full)
    return out


def _make_action(spec: SkillSpec, b: dict[str, str], nearest: Mapping[str, float]) -> GroundAction:
    pre = [lit for lit in spec.precondition_literals()]
    effects = spec.effect_literals()
    add = frozenset(substitute(e.atom, b) for e in effects if not e.negated)
    targets = [a[1] for a in add if a[0] == ROBOT_AT and len(a) == 2]
    target = targets[0] if targets else None
    return GroundAction(
        skill=spec,
        binding=tuple(sorted(b.items())),
        pre=frozenset(substitute(p.atom, b) for p in pre if not p.negated),
        pre_not=frozenset(a for p in pre if p.negated and not variables(a := substitute(p.atom, b))),
        add=add,
        delete=tuple(substitute(e.atom, b) for e in effects if e.negated),
        effects=tuple(effects),
        target=target,
        h_cost=1.0 + (nearest.get(target, 0.0) if target else 0.0),
    )


def _nearest_distances(positions: Mapping[str, tuple[float, float]]) -> dict[str, float]:
    out = {}
    for name, pos in positions.items():
        others = [math.dist(pos, q) for other, q in positions.items() if other != name]
        out[name] = min(others) if others else 0.0
    return out


def ff_heuristic(problem: Problem, state: frozenset[Atom]) -> float:
    """Cost of a relaxed plan (ignoring deletes) from ``state``; ``inf`` if the goal is unreachable."""
    level: dict[Atom, int] = dict.fromkeys(state, 0)
    achiever: dict[Atom, GroundAction] = {}
    remaining = [a for a in problem.actions if not (a.pre_not & state)]
    open_goals = set(problem.goal_pos)
    neg_pending = problem.goal_neg & state
    depth = 0
    while not open_goals <= level.keys() or neg_pending:
        depth += 1
        fired, rest = [], []
        for a in remaining:
            (fired if a.pre <= level.keys() else rest).append(a)
        if not fired:
            return math.inf
        new = False
        for a in fired:
            for atom in a.add:
                if atom not in level:
                    level[atom], achiever[atom] = depth, a
                    new = True
            for atom in list(neg_pending):
                if _deletes(a, atom):
                    neg_pending.discard(atom)
                    achiever[("not", *atom)] = a
                    open_goals |= a.pre
                    new = True
        remaining = rest
        if not new and not open_goals <= level.keys():
            return math.inf
    chosen: set[GroundAction] = {achiever[("not", *atom)] for atom in problem.goal_neg & state}
    stack = list(open_goals)
    seen: set[Atom] = set()
    while stack:
        atom = stack.pop()
        if atom in seen or level[atom] == 0:
            continue
        seen.add(atom)
        action = achiever[atom]
        if action not in chosen:
            chosen.add(action)
            stack.extend(action.pre)
    return sum(a.h_cost for a in chosen)


def _deletes(action: GroundAction, atom: Atom) -> bool:
    for pattern in action.delete:
        if (
            len(pattern) == len(atom)
            and pattern[0] == atom[0]
            and all(p.startswith("?") or p == v for p, v in zip(pattern[1:], atom[1:], strict=False))
        ):
            return atom not in action.add
    return False


def step_cost(problem: Problem, state: frozenset[Atom], action: GroundAction) -> float:
    """1, plus the base's travel in metres if the action moves it to another place, plus
    ``problem.clutter_cost`` per object :func:`clutter` counts."""
    cost = 1.0
    if problem.clutter_cost:
        cost += problem.clutter_cost * clutter(problem, state, action)
    if action.target is None or action.target not in problem.positions:
        return cost
    here = [a[1] for a in state if a[0] == ROBOT_AT and len(a) == 2]
    if len(here) == 1 and here[0] in problem.positions:
        start = problem.positions[here[0]]
    elif not here and problem.start_position is not None:
        start = problem.start_position
    else:
        return cost
    return cost + math.dist(start, problem.positions[action.target])


def clutter(problem: Problem, state: frozenset[Atom], action: GroundAction) -> int:
    """How many objects lie where ``action`` puts something (it adds ``in(x, R)``) that the goal
    takes out of ``R`` (it wants them in another place, or not in ``R``). Putting an object down
    beside one that must leave crowds both: a learned place lowered a sponge onto a bowl waiting
    in the sink and tipped it over, and the bowl could not be picked on its side."""
    count = 0
    for atom in action.add:
        if atom[0] != CONTAINMENT or len(atom) != 3 or atom in state:
            continue
        for fact in state:
            if fact[0] != CONTAINMENT or len(fact) != 3 or fact[2] != atom[2] or fact[1] == atom[1]:
                continue
            if fact in problem.goal_neg or any(
                g[0] == CONTAINMENT and len(g) == 3 and g[1] == fact[1] and g[2] != fact[2]
                for g in problem.goal_pos
            ):
                count += 1
    return count


@dataclass
class SearchResult:
    """A plan (ground actions in order), its cost and how much searching it took."""

    actions: list[GroundAction]
    cost: float
    expanded: int
    generated: int


def astar(problem: Problem, weight: float = 2.0, node_budget: int = 20000) -> SearchResult:
    """Weighted A* (``f = g + weight * h``); raises :class:`PlanningError` if no plan is found."""
    init = problem.init
    h0 = ff_heuristic(problem, init)
    if math.isinf(h0):
        missing = [format_atom(a) for a in problem.goal_pos if a not in _relaxed_reach(problem)]
        what = ", ".join(missing) if missing else "the goal"
        names = ", ".join(sorted({a.skill.name for a in problem.actions})) or "none"
        raise PlanningError(f"impossible: no sequence of the available skills ({names}) can reach {what}")
    counter = itertools.count()
    frontier: list[tuple[float, float, int, frozenset[Atom]]] = [(weight * h0, h0, next(counter), init)]
    best_g: dict[frozenset[Atom], float] = {init: 0.0}
    parent: dict[frozenset[Atom], tuple[frozenset[Atom], GroundAction]] = {}
    closed: set[frozenset[Atom]] = set()
    expanded = generated = 0
    while frontier:
        _, _, _, state = heapq.heappop(frontier)
        if state in closed:
            continue
        if problem.satisfied(state):
            return SearchResult(_path(parent, state), best_g[state], expanded, generated)
        closed.add(state)
        expanded += 1
        if expanded > node_budget:
            raise PlanningError(
                f"search gave up after expanding {node_budget} nodes without reaching the goal"
            )
        g = best_g[state]
        for action in problem.actions:
            if not action.applicable(state):
                continue
            child = action.apply(state)
            if child in closed:
                continue
            child_g = g + step_cost(problem, state, action)
            if child_g >= best_g.get(child, math.inf):
                continue
            h = ff_heuristic(problem, child)
            generated += 1
            if math.isinf(h):
                continue
            best_g[child] = child_g
            parent[child] = (state, action)
            heapq.heappush(frontier, (child_g + weight * h, h, next(counter), child))
    raise PlanningError(
        "impossible: every sequence of the available skills was tried and none reaches the goal"
    )


def _relaxed_reach(problem: Problem) -> set[Atom]:
    reached = set(problem.init)
    changed = True
    while changed:
        changed = False
        for a in problem.actions:
            if a.pre <= reached and not a.add <= reached:
                reached |= a.add
                changed = True
    return reached


def _path(
    parent: Mapping[frozenset[Atom], tuple[frozenset[Atom], GroundAction]], state: frozenset[Atom]
) -> list[GroundAction]:
    out = []
    while state in parent:
        state, action = parent[state]
        out.append(action)
    return out[::-1]
