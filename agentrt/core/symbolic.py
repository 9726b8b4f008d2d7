"""A small STRIPS vocabulary shared by skills (declarations) and planners (search).

An atom is a tuple ``(predicate, arg, ...)``; it is written ``"in(mug_0, sink)"``.
Variables in skill declarations start with ``?`` (``"in(?object, ?from)"``); a leading
``not `` marks a negative literal. The predicates a scene description produces are:

- ``place(p)``, ``receptacle(p)``, ``object(o)`` — static types
- ``in(o, p)`` — object ``o`` rests in/on place ``p``
- ``robot_at(p)`` — the robot's base is at place ``p``
- ``holding(o)`` / ``hand_empty()`` — the gripper's content
- ``mobile()`` — the robot's base can move
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

Atom = tuple[str, ...]
"""A ground or lifted atom: ``("in", "mug_0", "sink")`` or ``("in", "?object", "?from")``."""

_LITERAL = re.compile(r"^\s*(not\s+)?([A-Za-z_][\w]*)\s*\(\s*(.*?)\s*\)\s*$")


class Literal(tuple):
    """``(negated, atom)``: one precondition or effect."""

    __slots__ = ()

    def __new__(cls, negated: bool, atom: Atom) -> Literal:
        return super().__new__(cls, (negated, atom))

    @property
    def negated(self) -> bool:
        return self[0]

    @property
    def atom(self) -> Atom:
        return self[1]

    def __str__(self) -> str:
        return ("not " if self.negated else "") + format_atom(self.atom)


def parse_literal(text: str) -> Literal:
    """Parse ``"not in(?object, ?from)"`` into a :class:`Literal`; raises ``ValueError``."""
    match = _LITERAL.match(text)
    if match is None:
        raise ValueError(f"malformed literal {text!r}; expected e.g. 'in(?object, ?place)'")
    negated, predicate, args = match.groups()
    terms = tuple(a.strip() for a in args.split(",")) if args.strip() else ()
    if any(not t for t in terms):
        raise ValueError(f"malformed literal {text!r}: empty argument")
    return Literal(bool(negated), (predicate, *terms))


def format_atom(atom: Atom) -> str:
    """``("in", "mug_0", "sink")`` -> ``"in(mug_0, sink)"``."""
    return f"{atom[0]}({', '.join(atom[1:])})"


def parse_atom(text: str) -> Atom:
    """Parse a positive ground or lifted atom."""
    literal = parse_literal(text)
    if literal.negated:
        raise ValueError(f"expected a positive atom, got {text!r}")
    return literal.atom


def variables(atom: Atom) -> set[str]:
    """The variable names (with ``?``) appearing in ``atom``."""
    return {t for t in atom[1:] if t.startswith("?")}


def substitute(atom: Atom, binding: Mapping[str, str]) -> Atom:
    """Replace each bound variable; unbound variables stay as they are."""
    return (atom[0], *(binding.get(t, t) if t.startswith("?") else t for t in atom[1:]))


def matches(pattern: Atom, atom: Atom, binding: Mapping[str, str]) -> dict[str, str] | None:
    """Unify a lifted ``pattern`` with a ground ``atom`` under ``binding``; ``None`` if no match."""
    if len(pattern) != len(atom) or pattern[0] != atom[0]:
        return None
    out = dict(binding)
    for term, value in zip(pattern[1:], atom[1:], strict=True):
        if term.startswith("?"):
            if out.setdefault(term, value) != value:
                return None
        elif term != value:
            return None
    return out


def bindings(
    preconditions: Iterable[Literal], state: frozenset[Atom] | set[Atom], binding: Mapping[str, str]
) -> list[dict[str, str]]:
    """All extensions of ``binding`` under which every precondition holds in ``state``.

    Positive literals are joined against the state (binding their variables); negative
    literals are checked after, with every variable bound (closed-world assumption).
    """
    positives = [lit.atom for lit in preconditions if not lit.negated]
    negatives = [lit.atom for lit in preconditions if lit.negated]
    partial = [dict(binding)]
    for pattern in positives:
        nxt: list[dict[str, str]] = []
        for b in partial:
            ground = substitute(pattern, b)
            if not variables(ground):
                if ground in state:
                    nxt.append(b)
                continue
            for atom in sorted(state):  # sorted: bindings come out in the same order in every process
                m = matches(ground, atom, b)
                if m is not None:
                    nxt.append(m)
        partial = nxt
        if not partial:
            return []
    result = []
    for b in partial:
        if all(substitute(neg, b) not in state for neg in negatives if not variables(substitute(neg, b))):
            result.append(b)
    return result


def apply_effects(
    state: frozenset[Atom], effects: Iterable[Literal], binding: Mapping[str, str]
) -> frozenset[Atom]:
    """STRIPS progression: delete negatives (unbound variables delete every match), then add positives."""
    out = set(state)
    effects = list(effects)
    for lit in effects:
        if lit.negated:
            pattern = substitute(lit.atom, binding)
            if variables(pattern):
                out = {a for a in out if matches(pattern, a, {}) is None}
            else:
                out.discard(pattern)
    for lit in effects:
        if not lit.negated:
            atom = substitute(lit.atom, binding)
            if variables(atom):
                raise ValueError(
                    f"positive effect {format_atom(lit.atom)} has unbound variables {variables(atom)}"
                )
            out.add(atom)
    return frozenset(out)


def holds(literal_text: str, state: frozenset[Atom] | set[Atom]) -> bool:
    """Whether a ground literal (``"in(mug_0, sink)"`` or ``"not holding(mug_0)"``) holds in ``state``."""
    literal = parse_literal(literal_text)
    if variables(literal.atom):
        raise ValueError(f"literal {literal_text!r} is not ground")
    return (literal.atom in state) != literal.negated
