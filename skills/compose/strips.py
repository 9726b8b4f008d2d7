"""Deriving a composite skill's STRIPS preconditions and effects from its parts.

Each part of a composite contributes a :class:`Derived`: lifted preconditions, added
atoms and deleted atoms over the composite's variables (its arguments, ``?mug``, and
free variables bound by its preconditions, ``?from``). A sub-skill's own free variables
are renamed apart (``?from`` -> ``?from_2``) so two parts never capture each other's.

Sequential composition is the classic STRIPS rule: the sequence needs the first
part's preconditions plus every later precondition that no earlier part produced; a
later part's free variable unifies with the most recent atom an earlier part added
(``pick``'s ``robot_at(?from_2)`` after ``navigate_to(place=?from)`` binds
``?from_2 := ?from``); effects accumulate, a delete cancelling an earlier add and an
add an earlier delete. A precondition that an earlier part deletes and none re-adds
makes the composite unusable, and is refused when it is defined.

Atoms are compared syntactically: two different variables are assumed to name
different things. A variable that occurs in a delete but in no positive precondition
deletes every match (as in :func:`agentrt.core.symbolic.apply_effects`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from agentrt.core.symbolic import Atom, Literal, format_atom, substitute, variables


class CompositionError(TypeError):
    """A composite whose parts cannot run in the order given (raised when it is defined)."""


@dataclass
class Names:
    """Hands out variable names not used yet (``?from``, then ``?from_2``, ...)."""

    used: set[str] = field(default_factory=set)
    args: set[str] = field(default_factory=set)
    """The composite's argument variables (never renamed, bound for the whole call)."""

    def fresh(self, var: str) -> str:
        """``var`` itself if unused, else the first unused ``var_k``; marks it used."""
        name, k = var, 1
        while name in self.used:
            k += 1
            name = f"{var}_{k}"
        self.used.add(name)
        return name

    def copy(self) -> Names:
        return Names(set(self.used), self.args)


@dataclass
class Derived:
    """What a part needs and does, over the composite's variables.

    ``pre`` are preconditions (literals); ``add`` and ``delete`` are atoms, in order;
    ``local`` holds the renamed-apart free variables of sub-skills that are still unbound.
    """

    pre: list[Literal] = field(default_factory=list)
    add: list[Atom] = field(default_factory=list)
    delete: list[Atom] = field(default_factory=list)
    local: set[str] = field(default_factory=set)

    def substitute(self, binding: Mapping[str, str]) -> Derived:
        """The same with variables replaced (bound locals stop being local)."""
        return Derived(
            [Literal(lit.negated, substitute(lit.atom, binding)) for lit in self.pre],
            [substitute(a, binding) for a in self.add],
            [substitute(a, binding) for a in self.delete],
            {v for v in self.local if v not in binding},
        )

    def preconditions(self) -> tuple[str, ...]:
        """Preconditions as declaration strings."""
        return tuple(str(lit) for lit in self.pre)

    def effects(self) -> tuple[str, ...]:
        """Effects as declaration strings: adds, then deletes."""
        return tuple([format_atom(a) for a in self.add] + ["not " + format_atom(a) for a in self.delete])

    def positive_pre_vars(self) -> set[str]:
        out: set[str] = set()
        for lit in self.pre:
            if not lit.negated:
                out |= variables(lit.atom)
        return out


def rigid_match(pattern: Atom, atom: Atom, wild: set[str]) -> dict[str, str] | None:
    """Match ``pattern`` to ``atom`` where only the ``wild`` variables of ``pattern`` may bind."""
    if len(pattern) != len(atom) or pattern[0] != atom[0]:
        return None
    out: dict[str, str] = {}
    for term, value in zip(pattern[1:], atom[1:], strict=True):
        if term in wild:
            if out.setdefault(term, value) != value:
                return None
        elif term != value:
            return None
    return out


def _deleted(atom: Atom, deletes: Iterable[Atom], wild: set[str]) -> bool:
    return any(rigid_match(d, atom, wild) is not None for d in deletes)


def _shape(atom: Atom, wild: set[str]) -> Atom:
    return tuple("?" if t in wild else t for t in atom)


def sequence(parts: list[tuple[str, Derived]]) -> Derived:
    """Compose parts run one after another (see the module docstring).

    Args:
        parts: ``(label, derived)`` per part, in order; labels name parts in errors.

    Raises:
        CompositionError: a part needs something an earlier part removed for good.
    """
    out = Derived()
    for label, part in parts:
        part = part.substitute(_unify_with_adds(part, out.add))
        out.local |= part.local
        for lit in part.pre:
            _require(out, lit, label)
        wild = out.local - out.positive_pre_vars()
        for atom in part.delete:
            wild_here = wild & variables(atom)
            out.add = [a for a in out.add if rigid_match(atom, a, wild_here) is None]
            if all(_shape(d, wild) != _shape(atom, wild) for d in out.delete):
                out.delete.append(atom)
        for atom in part.add:
            out.delete = [d for d in out.delete if d != atom]
            if atom not in out.add:
                out.add.append(atom)
    return out


def _unify_with_adds(part: Derived, adds: list[Atom]) -> dict[str, str]:
    """Bind a part's free variables so its positive preconditions reuse earlier adds."""
    binding: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for lit in part.pre:
            if lit.negated:
                continue
            atom = substitute(lit.atom, binding)
            wild = variables(atom) & part.local
            if not wild:
                continue
            for added in reversed(adds):
                match = rigid_match(atom, added, wild)
                if match is not None:
                    binding.update(match)
                    changed = True
                    break
    return binding


def _require(out: Derived, lit: Literal, label: str) -> None:
    wild = out.local - out.positive_pre_vars()
    if lit.negated:
        if lit.atom in out.add:
            raise CompositionError(f"{label} needs {lit}, but an earlier part makes {format_atom(lit.atom)}")
        if _deleted(lit.atom, out.delete, wild):
            return
    else:
        if lit.atom in out.add:
            return
        if _deleted(lit.atom, out.delete, wild):
            raise CompositionError(
                f"{label} needs {format_atom(lit.atom)}, but an earlier part removes it and none puts it back"
            )
    if lit not in out.pre:
        out.pre.append(lit)


def alternatives(parts: list[Derived]) -> Derived:
    """Parts of which exactly one is expected to succeed (fallback, or a conditional's branches).

    Needs every part's preconditions; promises the adds common to all parts and every
    delete of any part (a failed first try may have deleted it).
    """
    out = Derived()
    for part in parts:
        out.local |= part.local
        out.pre += [lit for lit in part.pre if lit not in out.pre]
        out.delete += [a for a in part.delete if a not in out.delete]
    out.add = [a for a in parts[0].add if all(a in p.add for p in parts[1:])] if parts else []
    out.delete = [a for a in out.delete if a not in out.add]
    return out


def branches(pre: list[Literal], known: list[tuple[list[Literal], Derived]]) -> Derived:
    """A conditional: what holds after whichever branch ran, given what each branch knew.

    Args:
        pre: the composite's preconditions (true at the start of every branch).
        known: per branch, the literals its condition guarantees at its start, and the branch.

    An atom is an effect when every branch ends with it true (false for a delete) and
    the preconditions did not already say so.
    """
    ends = []
    for facts, part in known:
        true = {lit.atom for lit in [*pre, *facts] if not lit.negated}
        false = {lit.atom for lit in [*pre, *facts] if lit.negated}
        wild = part.local - part.positive_pre_vars()
        true = {a for a in true if not _deleted(a, part.delete, wild)} | set(part.add)
        false = (false - set(part.add)) | set(part.delete)
        ends.append((true, false))
    first = known[0][1]
    ordered_true = [*first.add] + [lit.atom for lit in [*pre, *known[0][0]] if not lit.negated]
    ordered_false = [*first.delete] + [lit.atom for lit in [*pre, *known[0][0]] if lit.negated]
    add = [a for a in dict.fromkeys(ordered_true) if all(a in t for t, _ in ends)]
    delete = [a for a in dict.fromkeys(ordered_false) if all(a in f for _, f in ends)]
    pre_true = {lit.atom for lit in pre if not lit.negated}
    pre_false = {lit.atom for lit in pre if lit.negated}
    out = Derived(list(pre), [a for a in add if a not in pre_true], [a for a in delete if a not in pre_false])
    for _, part in known:
        out.local |= part.local
    return out
