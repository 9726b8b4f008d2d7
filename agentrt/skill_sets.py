"""Which implementations run a plan's skills: scripted experts, learned VLAs, or a mix.

A *skill set* names them for a whole run:

- ``scripted``: every registered skill (the scripted experts and user skills).
- ``learned``: the same, with ``navigate_to``, ``pick`` and ``place`` replaced by the
  learned VLA skills of the scene (:func:`skills.vla.catalog.learned_skills`): the
  checkpoints shipped for the scene, or the ones given. No checkpoint: a clear error.
- ``auto`` (what ``agentrt run`` uses by default): ``learned`` when checkpoints for all
  three skills ship for the scene, otherwise ``scripted``.

Autonomous collection also takes ``mix:P``: each episode runs the learned set with
probability ``P`` (drawn from the episode's seed, so a rerun picks the same), else the
scripted one. Learned and scripted twins share names, arguments, preconditions and
effects, so a plan runs unchanged on either.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from agentrt.agent import make_skills
from skills.base import Skill

SKILL_SETS = ("auto", "scripted", "learned")


class SkillSetUnavailable(ValueError):
    """The skill set is unknown, or its checkpoints are missing or unusable."""


def learned_available(scene: str) -> bool:
    """Whether checkpoints for every learned skill ship for ``scene``."""
    from skills.learned import LEARNED_SKILLS
    from skills.vla.catalog import shipped_checkpoints

    return set(LEARNED_SKILLS) <= set(shipped_checkpoints(scene))


def effective_skill_set(kind: str, scene: str) -> str:
    """``scripted`` or ``learned``: what ``kind`` means for ``scene`` (``auto`` resolved)."""
    if kind not in SKILL_SETS:
        raise SkillSetUnavailable(f"unknown skill set {kind!r}; known: {', '.join(SKILL_SETS)}")
    if kind == "auto":
        return "learned" if learned_available(scene) else "scripted"
    return kind


def resolve_skill_set(
    kind: str, scene: str, ckpts: Mapping[str, str | Path] | None = None
) -> tuple[str, dict[str, Skill]]:
    """The effective set name and the skill instances for ``kind`` in ``scene``.

    Args:
        kind: ``auto``, ``scripted`` or ``learned``.
        scene: registered scene id (picks the shipped checkpoints).
        ckpts: learned skill name -> checkpoint, overriding the shipped ones (``learned`` only).

    Raises:
        SkillSetUnavailable: unknown set, no checkpoint for a learned skill, or one that does not load.
    """
    effective = effective_skill_set(kind, scene)
    skills = make_skills()
    if effective == "scripted":
        return effective, skills
    from skills.vla.catalog import CheckpointError, learned_skills

    try:
        learned = learned_skills(scene, ckpts)
    except (CheckpointError, ImportError, ValueError) as exc:
        raise SkillSetUnavailable(str(exc)) from None
    return effective, {**skills, **learned}


def parse_policy(text: str) -> float:
    """Probability of the learned set for a collection ``--policy``.

    ``scripted`` is 0, ``learned`` 1 and ``mix:P`` is P.

    Raises:
        SkillSetUnavailable: anything else, or P outside [0, 1].
    """
    if text == "scripted":
        return 0.0
    if text == "learned":
        return 1.0
    if text.startswith("mix:"):
        try:
            p = float(text.removeprefix("mix:"))
        except ValueError:
            p = -1.0
        if 0.0 <= p <= 1.0:
            return p
    raise SkillSetUnavailable(f"policy must be scripted, learned or mix:P with 0 <= P <= 1, got {text!r}")


__all__ = [
    "SKILL_SETS",
    "SkillSetUnavailable",
    "effective_skill_set",
    "learned_available",
    "parse_policy",
    "resolve_skill_set",
]
