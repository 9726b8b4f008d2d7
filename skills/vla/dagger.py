"""DAgger (Ross et al., 2011) for ``navigate_to`` and ``pick``: the learned skill drives, the expert labels.

Behaviour cloning sees only the states the expert visits. A learned skill that drifts off
the expert's path meets states no demonstration shows (a base off the path or against
furniture; a hand beside the object, low) and, in the failures we traced, does not recover.
Here the learned skill runs from the evaluation's starts (:func:`skills.vla.evaluate.setup_case`
on seeds the evaluation never uses), and every state it visits is labelled with the command the
scripted expert gives *from that state*. Each run becomes one dataset episode of
``(what the policy saw, what the expert would have done)`` frames, to train on beside
the demonstrations: one DAgger iteration with the learner's own roll-outs (beta = 0).

- ``navigate_to``: :meth:`ScriptedNavigate.command_from_here`, A* replanned from the current pose.
- ``pick``: :class:`skills.scripted.pick.PickRelabeller`, the scripted pick's waypoints planned at
  the call's start, answered by rule from the current hand pose and gripper.

``place`` is not relabelled: its learned skill already clears its bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agentrt.core.scene import SceneDescription
from skills.base import Done, StepEvent
from skills.learned import LEARNED_SKILLS
from skills.scripted.navigate import ScriptedNavigate
from skills.scripted.pick import PickRelabeller
from skills.vla.ensemble import ExecutionConfig
from skills.vla.evaluate import run_case, setup_case
from skills.vla.protocol import ChunkPolicy


@dataclass
class RelabelledRun:
    """One learned run: frames with the expert's labels, and how the run itself went.

    ``frames`` are ``(obs, action)`` pairs: ``obs`` as the scene returned it before the
    learned action was applied, ``action`` the expert's ``{"arm": (7,), "base": (3,)}``
    command from that state (m/s and rad/s in the base frame). States where the expert
    finds no way (``Done(False)``) are left out and counted in ``unlabelled``. ``target`` is
    the skill's argument: the place to go to, or the object to pick.
    """

    seed: int
    target: str
    instruction: str
    success: bool
    status: str
    steps: int
    frames: list[tuple[dict[str, np.ndarray], dict[str, np.ndarray]]] = field(default_factory=list)
    unlabelled: int = 0
    blocked_steps: int = 0


def expert_label(env: Any, place: str, scene: Any) -> dict[str, np.ndarray] | None:
    """The scripted expert's action in ``env``'s current state, or ``None`` if it sees no way.

    Arrival (``Done(True)``) is labelled "stand still": the expert would stop here.
    """
    command = ScriptedNavigate().command_from_here(env, place, scene)
    if isinstance(command, Done):
        if not command.success:
            return None
        closed = env.unwrapped.held_object() is not None
        arm = np.array([0, 0, 0, 0, 0, 0, 1.0 if closed else -1.0], dtype=np.float32)
        return {"arm": arm, "base": np.zeros(3, dtype=np.float32)}
    return {k: np.asarray(v, dtype=np.float32).copy() for k, v in command.items()}


LabelAfter = Callable[[StepEvent | None], "dict[str, np.ndarray] | None"]
"""The expert's label of the state after ``event`` (``None``: the start state); ``None`` if it has none."""


def relabel_navigation(
    env: Any,
    policy: ChunkPolicy,
    seed: int,
    *,
    execution: ExecutionConfig | None = None,
    max_steps: int | None = None,
    carry: bool = False,
    wander: bool = False,
) -> RelabelledRun | None:
    """Run the learned ``navigate_to`` from ``seed``'s evaluation start; label every visited state
    with :func:`expert_label`. With ``carry`` the run starts holding an object, as tidying's drives
    to an object's home do (``setup_case(..., carry=True)``); with ``wander`` from where the base
    wandered off to (``setup_case(..., wander=True)``).

    Returns ``None`` when the scripted set-up of the seed fails (as the evaluation skips it).
    """

    def labels(env: Any, place: str, scene: SceneDescription) -> LabelAfter:
        return lambda event: expert_label(env, place, scene)

    return _relabel(
        env, policy, seed, "navigate_to", "place", labels, execution, max_steps, carry=carry, wander=wander
    )


def relabel_pick(
    env: Any,
    policy: ChunkPolicy,
    seed: int,
    *,
    execution: ExecutionConfig | None = None,
    max_steps: int | None = None,
) -> RelabelledRun | None:
    """Run the learned ``pick`` from ``seed``'s evaluation start; label every visited state with
    :class:`PickRelabeller` (gripper closed: the learner's last command). Once the expert's lift
    is complete, states are labelled "stand still, closed".

    Returns ``None`` when the scripted set-up of the seed fails (as the evaluation skips it).
    """

    def labels(env: Any, target: str, scene: SceneDescription) -> LabelAfter:
        labeller = PickRelabeller(env, target, scene)

        def label_after(event: StepEvent | None) -> dict[str, np.ndarray] | None:
            arm = labeller.label(event is not None and float(event.action["arm"][-1]) > 0)
            if isinstance(arm, Done):
                if not arm.success:
                    return None
                arm = np.array([0, 0, 0, 0, 0, 0, 1.0], dtype=np.float32)
            return {"arm": arm, "base": np.zeros(3, dtype=np.float32)}

        return label_after

    return _relabel(env, policy, seed, "pick", "object", labels, execution, max_steps)


def _relabel(
    env: Any,
    policy: ChunkPolicy,
    seed: int,
    skill_name: str,
    arg: str,
    labels: Callable[[Any, str, SceneDescription], LabelAfter],
    execution: ExecutionConfig | None,
    max_steps: int | None,
    *,
    carry: bool = False,
    wander: bool = False,
) -> RelabelledRun | None:
    """Set up ``seed``'s case of ``skill_name``, run its learned skill and pair every observation
    with ``labels(env, case.args[arg], scene)``'s label of that state."""
    setup = setup_case(env, skill_name, seed, carry=carry, wander=wander)
    if setup is None:
        return None
    case, scene = setup
    label_after = labels(env, case.args[arg], scene)
    skill = LEARNED_SKILLS[skill_name](policy, execution=execution)
    run = RelabelledRun(seed, case.args[arg], case.instruction, False, "", 0)
    label = label_after(None)

    def record(event: StepEvent) -> None:
        nonlocal label
        if label is None:
            run.unlabelled += 1
        else:
            run.frames.append((event.obs, label))
        run.blocked_steps += bool(event.info.get("base_blocked"))
        label = label_after(event)

    outcome = run_case(env, skill, case, scene, case.instruction, "dagger", max_steps, on_step=record)
    run.success, run.status, run.steps = outcome.success, outcome.status, outcome.steps
    return run


RELABELLERS = {"navigate_to": relabel_navigation, "pick": relabel_pick}
"""Skill name -> the function that runs its learned skill from a seed and relabels the run."""

__all__ = ["RELABELLERS", "RelabelledRun", "expert_label", "relabel_navigation", "relabel_pick"]
