"""Composite skills: skills built from skills, with preconditions and effects the planner can use.

Written here rather than on a behaviour-tree library such as ``py_trees``: a
behaviour tree ticks each node once per control step, but our skills run to the
end inside :meth:`skills.base.Skill.run` (argument check, preconditions, step hook,
budget), and what a composite needs beyond sequencing — STRIPS preconditions and
effects derived from its parts, and per-part segments in the skill result — is
nothing a behaviour-tree library provides. Wrapping every skill as a ticking
behaviour would cost a dependency and an adapter layer for a few dozen lines of
control flow, and would still leave the derivation to write.
"""

from skills.compose.nodes import (
    Call,
    Fallback,
    ForEach,
    Node,
    Retry,
    Sequence,
    When,
    call,
    fallback,
    for_each,
    misplaced_objects,
    objects_in,
    objects_of,
    retry,
    sequence,
    when,
)
from skills.compose.skill import CompositeSkill
from skills.compose.strips import CompositionError

__all__ = [
    "Call",
    "CompositeSkill",
    "CompositionError",
    "Fallback",
    "ForEach",
    "Node",
    "Retry",
    "Sequence",
    "When",
    "call",
    "fallback",
    "for_each",
    "misplaced_objects",
    "objects_in",
    "objects_of",
    "retry",
    "sequence",
    "when",
]
