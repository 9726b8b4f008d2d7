"""Action spaces shared by scenes, skills and learned policies.

An action is a ``dict[str, np.ndarray]`` with one entry per actuated group:

- ``"arm"``: shape ``(7,)``, float32 — ``(dx, dy, dz, droll, dpitch, dyaw, gripper)``.
  Translation in metres and rotation in radians per policy step, expressed in the
  robot **base frame** (x forward, y left, z up); rotations are applied extrinsically
  in the base frame. ``gripper`` in ``[-1, 1]``: ``+1`` closes, ``-1`` opens.
- ``"base"``: shape ``(3,)``, float32 — ``(vx, vy, wz)``: linear velocity in m/s
  and yaw rate in rad/s, in the robot base frame, held for one policy step.

Policies run at :data:`CONTROL_HZ`; physics steps at :data:`PHYSICS_HZ`.
"""

from __future__ import annotations

from typing import Final

import numpy as np

CONTROL_HZ: Final = 10
"""Policy (skill) rate in Hz."""
PHYSICS_HZ: Final = 240
"""Physics rate in Hz."""
ARM_KEY: Final = "arm"
BASE_KEY: Final = "base"
ARM_ACTION_DIM: Final = 7
BASE_ACTION_DIM: Final = 3
ARM_ACTION_NAMES: Final = ("dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper")
BASE_ACTION_NAMES: Final = ("vx", "vy", "wz")
MAX_EE_STEP_M: Final = 0.05
"""Largest translation per policy step (m); larger commands are clipped."""
MAX_EE_STEP_RAD: Final = 0.25
"""Largest rotation per policy step (rad)."""
MAX_BASE_LIN_MPS: Final = 0.8
"""Largest base linear speed (m/s)."""
MAX_BASE_ANG_RPS: Final = 1.5
"""Largest base yaw rate (rad/s)."""


def drive_action(velocity: np.ndarray, holding: bool) -> dict[str, np.ndarray]:
    """A mobile robot's action that moves only the base: ``velocity`` ``(vx, vy, wz)`` (m/s, rad/s,
    base frame), the arm still with its gripper closed if it ``holding`` something, else open (so
    it keeps what it holds)."""
    arm = np.zeros(ARM_ACTION_DIM, dtype=np.float32)
    arm[-1] = 1.0 if holding else -1.0
    return {ARM_KEY: arm, BASE_KEY: np.asarray(velocity, dtype=np.float32).reshape(BASE_ACTION_DIM)}
