"""Observation and reward of humanoid balance: shared by the training env and the deployed controller.

Observation, ``(OBS_DIM,)`` float32, in this order (DOF order: :mod:`scenes.robots.humanoid`):

===========  ====  ===================================================================
slice        size  meaning
===========  ====  ===================================================================
gravity      3     unit gravity direction in the trunk frame ((0, 0, -1) upright)
ang_vel      3     trunk angular velocity, trunk frame, rad/s
lin_vel      3     trunk linear velocity, trunk frame, m/s
command      3     posture command minus the nominal posture: (height m, roll rad, pitch rad)
q            28    joint DOF minus the posture prior's reference for the command, rad
dq           28    joint DOF velocities, rad/s
last_action  28    filtered action applied on the previous step, in [-1, 1]
===========  ====  ===================================================================
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pybullet as pb
from pydantic import BaseModel, ConfigDict

from scenes.robots.legged import LeggedState

N_DOF: Final = 28
OBS_DIM: Final = 3 + 3 + 3 + 3 + N_DOF + N_DOF + N_DOF


def observation(
    state: LeggedState,
    reference_q: np.ndarray,
    command: np.ndarray,
    nominal: np.ndarray,
    last_action: np.ndarray,
) -> np.ndarray:
    """Pack one observation (see the module table).

    ``reference_q`` ``(28,)`` is the prior's pose for ``command`` ``(3,)`` = (height m, roll, pitch
    rad); ``nominal`` ``(3,)`` the envelope's nominal posture.
    """
    return np.concatenate(
        [
            state.gravity_b,
            state.ang_vel_b,
            state.lin_vel_b,
            command - nominal,
            state.q - reference_q,
            state.dq,
            last_action,
        ]
    ).astype(np.float32)


def trunk_roll_pitch(state: LeggedState) -> np.ndarray:
    """``(2,)`` trunk roll and pitch (rad), extrinsic about the heading frame's x and y axes."""
    roll, pitch, _ = pb.getEulerFromQuaternion(state.quat.tolist())
    return np.array([roll, pitch])


class RewardWeights(BaseModel):
    """Weights of the reward terms; each term is computed per 50 Hz step."""

    model_config = ConfigDict(extra="forbid")

    alive: float = 1.0
    height: float = 1.0
    orientation: float = 1.0
    lin_vel: float = -0.5
    ang_vel: float = -0.05
    action_rate: float = -0.01
    action: float = -0.005
    torque: float = -1e-6
    height_sigma: float = 0.0025
    """Width of the height kernel, m^2 (5 cm error -> exp(-1))."""
    orientation_sigma: float = 0.02
    """Width of the roll/pitch kernel, rad^2."""


def reward_terms(
    state: LeggedState,
    command: np.ndarray,
    action: np.ndarray,
    last_action: np.ndarray,
    weights: RewardWeights,
) -> dict[str, float]:
    """Weighted reward terms of one step; the reward is their sum.

    ``command`` is (height m, roll rad, pitch rad). Tracking terms are ``exp(-err^2 / sigma)`` of
    the pelvis height error and of the summed squared roll/pitch errors; penalties are the
    squared planar trunk velocity (m/s), squared trunk angular velocity (rad/s), action change,
    action size (distance from the prior) and motor torques (N·m).
    """
    w = weights
    height_err = float((state.pos[2] - command[0]) ** 2)
    angle_err = float(np.sum((trunk_roll_pitch(state) - command[1:]) ** 2))
    return {
        "alive": w.alive,
        "height": w.height * float(np.exp(-height_err / w.height_sigma)),
        "orientation": w.orientation * float(np.exp(-angle_err / w.orientation_sigma)),
        "lin_vel": w.lin_vel * float(np.sum(state.lin_vel_b[:2] ** 2)),
        "ang_vel": w.ang_vel * float(np.sum(state.ang_vel_b**2)),
        "action_rate": w.action_rate * float(np.sum((action - last_action) ** 2)),
        "action": w.action * float(np.sum(action**2)),
        "torque": w.torque * float(np.sum(state.tau**2)),
    }
