"""Observation and reward of velocity-tracking locomotion: shared by the training env and
the deployed controller, so both see exactly the same numbers.

Observation, ``(OBS_DIM,)`` float32, in this order:

==========  ====  ====================================================================
slice       size  meaning
==========  ====  ====================================================================
gravity     3     unit gravity direction in the base frame ((0, 0, -1) upright)
ang_vel     3     base angular velocity, base frame, rad/s
lin_vel     3     base linear velocity, base frame, m/s
command     3     commanded (vx, vy, wz), m/s and rad/s
q           12    joint angles minus the default pose, rad
dq          12    joint velocities, rad/s
last_action 12    previous policy action, in [-1, 1]
phase       2     (sin, cos) of the gait phase
==========  ====  ====================================================================
"""

from __future__ import annotations

from typing import Final

import numpy as np
from pydantic import BaseModel, ConfigDict

from scenes.robots.legged import LeggedState

OBS_DIM: Final = 3 + 3 + 3 + 3 + 12 + 12 + 12 + 2


def observation(
    state: LeggedState, default_q: np.ndarray, command: np.ndarray, last_action: np.ndarray, phase: float
) -> np.ndarray:
    """Pack one observation (see the module table); ``phase`` in [0, 1)."""
    angle = 2.0 * np.pi * phase
    return np.concatenate(
        [
            state.gravity_b,
            state.ang_vel_b,
            state.lin_vel_b,
            command,
            state.q - default_q,
            state.dq,
            last_action,
            [np.sin(angle), np.cos(angle)],
        ]
    ).astype(np.float32)


class RewardWeights(BaseModel):
    """Weights of the reward terms; each term is computed per 50 Hz step."""

    model_config = ConfigDict(extra="forbid")

    track_lin: float = 1.0
    track_ang: float = 0.5
    lin_vel_z: float = -2.0
    ang_vel_xy: float = -0.05
    orientation: float = -2.0
    action_rate: float = -0.02
    torque: float = -2e-5
    tracking_sigma: float = 0.25
    """Width of the exponential tracking kernels, (m/s)^2 and (rad/s)^2."""


def reward_terms(
    state: LeggedState,
    command: np.ndarray,
    action: np.ndarray,
    last_action: np.ndarray,
    weights: RewardWeights,
) -> dict[str, float]:
    """Weighted reward terms of one step; the reward is their sum.

    Tracking terms are ``exp(-err^2 / sigma)`` of the planar velocity error (m/s) and
    the yaw-rate error (rad/s), both in the base frame; penalties are squared vertical
    velocity, roll/pitch rates, trunk tilt (planar part of the gravity direction),
    action change and joint torques.
    """
    lin_err = float(np.sum((command[:2] - state.lin_vel_b[:2]) ** 2))
    ang_err = float((command[2] - state.ang_vel_b[2]) ** 2)
    w = weights
    return {
        "track_lin": w.track_lin * float(np.exp(-lin_err / w.tracking_sigma)),
        "track_ang": w.track_ang * float(np.exp(-ang_err / w.tracking_sigma)),
        "lin_vel_z": w.lin_vel_z * float(state.lin_vel_b[2] ** 2),
        "ang_vel_xy": w.ang_vel_xy * float(np.sum(state.ang_vel_b[:2] ** 2)),
        "orientation": w.orientation * float(np.sum(state.gravity_b[:2] ** 2)),
        "action_rate": w.action_rate * float(np.sum((action - last_action) ** 2)),
        "torque": w.torque * float(np.sum(state.tau**2)),
    }
