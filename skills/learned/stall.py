"""The stall recovery of the learned ``navigate_to``: back up and turn when the drive stops short.

A drive whose base has not moved (odometry, the ``state``'s ``base_x, base_y, base_yaw``) for
``stall_steps`` steps short of the place backs up :data:`RECOVERY_BACK_M` and turns
:data:`RECOVERY_TURN_RAD` (left on the first recovery, right on the second, ...), as a navigation
stack's recovery behaviour does, then the policy starts afresh from the new view.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.actions import CONTROL_HZ
from scenes.base import STATE_NAMES
from scenes.geometry import wrap_angle

STALL_M, STALL_RAD = 0.02, 0.05
"""A drive has stalled while the base stays this close (m, rad) to where it is (``stall_steps``)."""
RECOVERY_BACK_M, RECOVERY_SPEED_MPS = 0.3, 0.3
"""The stall recovery first backs up this far (m) at this speed (m/s) ..."""
RECOVERY_TURN_RAD, RECOVERY_TURN_RPS = 0.6, 0.6
"""... then turns this far (rad) at this rate (rad/s), alternately left and right."""
BASE_STATE = slice(STATE_NAMES.index("base_x"), STATE_NAMES.index("base_yaw") + 1)
"""Where the base odometry ``(x, y, yaw)`` (m, rad, world) sits in the ``state`` observation."""


class StallConfig(BaseModel):
    """When a learned drive counts as stalled and how often it recovers (:class:`StallRecovery`)."""

    model_config = ConfigDict(extra="forbid")

    stall_steps: int = Field(
        default=0,
        ge=0,
        description="navigation: once the base (odometry) has stayed within 2 cm and 0.05 rad for this "
        "many steps with the effects unmet, back up and turn (a scripted recovery) and resume the "
        "policy (0: never)",
    )
    max_recoveries: int = Field(default=2, ge=0, description="most stall recoveries in one call")


class StallRecovery:
    """Watches the odometry for a stall and, once started, hands out the recovery's base commands."""

    def __init__(self, config: StallConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self.odometry: list[np.ndarray] = []
        self.commands: list[np.ndarray] = []
        """Base commands ``(3,)`` (vx, vy m/s; wz rad/s) of the recovery still to send (popped from
        the end)."""
        self.recoveries = 0

    @property
    def recovering(self) -> bool:
        return bool(self.commands)

    def next_command(self) -> np.ndarray:
        """The next base command of the running recovery."""
        return self.commands.pop()

    def stalled(self, obs: Mapping[str, np.ndarray], effects_held: bool) -> bool:
        """Whether the base (odometry: the state's ``base_x, base_y, base_yaw``) has stayed within
        :data:`STALL_M` and :data:`STALL_RAD` over the last ``stall_steps`` steps, with the skill's
        effects unmet (``effects_held`` false) and recoveries left. Call once per step."""
        n = self.config.stall_steps
        state = obs.get("state")
        if not n or state is None or state.shape[-1] != len(STATE_NAMES):
            return False
        if self.recoveries >= self.config.max_recoveries:
            return False
        self.odometry.append(np.asarray(state[BASE_STATE], np.float64))
        if len(self.odometry) <= n or effects_held:
            return False
        self.odometry = self.odometry[-(n + 1) :]
        track = np.stack(self.odometry)
        moved = float(np.max(np.hypot(*(track[:, :2] - track[-1, :2]).T)))
        turned = float(np.max(np.abs(wrap_angle(track[:, 2] - track[-1, 2]))))
        return moved < STALL_M and turned < STALL_RAD

    def start(self) -> None:
        """Begin a recovery: back up first, then turn (left on odd recoveries, right on even ones)."""
        self.recoveries += 1
        self.odometry.clear()
        sign = 1.0 if self.recoveries % 2 else -1.0
        back = np.array([-RECOVERY_SPEED_MPS, 0.0, 0.0], np.float32)
        turn = np.array([0.0, 0.0, sign * RECOVERY_TURN_RPS], np.float32)
        n_back = round(RECOVERY_BACK_M / RECOVERY_SPEED_MPS * CONTROL_HZ)
        n_turn = round(RECOVERY_TURN_RAD / RECOVERY_TURN_RPS * CONTROL_HZ)
        self.commands = [turn] * n_turn + [back] * n_back  # popped from the end: back first


__all__ = [
    "BASE_STATE",
    "RECOVERY_BACK_M",
    "RECOVERY_SPEED_MPS",
    "RECOVERY_TURN_RAD",
    "RECOVERY_TURN_RPS",
    "STALL_M",
    "STALL_RAD",
    "StallConfig",
    "StallRecovery",
]
