"""DAgger for ``navigate_to`` (Ross et al., 2011): the learned skill drives, the scripted expert labels.

Behaviour cloning sees only the states the expert visits. A learned ``navigate_to`` that
drifts off the expert's path meets states no demonstration shows (off the path, the base
against furniture) and, in the failures we traced, keeps pushing. Here the learned skill
runs from the evaluation's starts (:func:`skills.vla.evaluate.setup_case` on seeds the
evaluation never uses), and every state it visits is labelled with the command the
scripted expert gives *from that state* (:meth:`ScriptedNavigate.command_from_here`,
A* replanned from the current pose). Each run becomes one dataset episode of
``(what the policy saw, what the expert would have done)`` frames, to train on beside
the demonstrations: one DAgger iteration with the learner's own roll-outs (beta = 0).

Only navigation is relabelled: its expert is a function of the state (a fresh plan
from the current pose is a valid label). The scripted ``pick`` and ``place`` are
phase machines whose label depends on the phase they started in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skills.base import Done, StepEvent
from skills.scripted.navigate import ScriptedNavigate
from skills.vla.ensemble import ExecutionConfig
from skills.vla.evaluate import run_case, setup_case
from skills.vla.protocol import ChunkPolicy
from skills.vla.skills import LEARNED_SKILLS


@dataclass
class RelabelledRun:
    """One learned run: frames with the expert's labels, and how the run itself went.

    ``frames`` are ``(obs, action)`` pairs: ``obs`` as the scene returned it before the
    learned action was applied, ``action`` the expert's ``{"arm": (7,), "base": (3,)}``
    command from that state (m/s and rad/s in the base frame). States where the expert
    finds no way (``Done(False)``) are left out and counted in ``unlabelled``.
    """

    seed: int
    place: str
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


def relabel_navigation(
    env: Any,
    policy: ChunkPolicy,
    seed: int,
    *,
    execution: ExecutionConfig | None = None,
    max_steps: int | None = None,
) -> RelabelledRun | None:
    """Run the learned ``navigate_to`` from ``seed``'s evaluation start; label every visited state.

    Returns ``None`` when the scripted set-up of the seed fails (as the evaluation skips it).
    """
    setup = setup_case(env, "navigate_to", seed)
    if setup is None:
        return None
    case, scene = setup
    place = case.args["place"]
    skill = LEARNED_SKILLS["navigate_to"](policy, execution=execution)
    run = RelabelledRun(seed, place, case.instruction, False, "", 0)
    label = expert_label(env, place, scene)

    def record(event: StepEvent) -> None:
        nonlocal label
        if label is None:
            run.unlabelled += 1
        else:
            run.frames.append((event.obs, label))
        run.blocked_steps += bool(event.info.get("base_blocked"))
        label = expert_label(env, place, scene)

    outcome = run_case(env, skill, case, scene, case.instruction, "dagger", max_steps, on_step=record)
    run.success, run.status, run.steps = outcome.success, outcome.status, outcome.steps
    return run


__all__ = ["RelabelledRun", "expert_label", "relabel_navigation"]
