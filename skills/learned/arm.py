"""What the learned arm skills (``pick``, ``place``) share: 7-D arm rows and the scripted way home.

A policy with position targets (:class:`~skills.vla.protocol.PositionTargeting`) predicts each row's
xyz as where the arm's commanded end effector should be after that step, relative to where it is
commanded when the chunk is predicted (training sums the demonstration's steps, which move exactly
that setpoint). The chunk is moved into the base frame (plus the setpoint,
:meth:`scenes.base.AgentEnv.ee_target`, the arm controller's own state, not a fact about the world)
before ensembling, so the executor averages positions, and each applied row is the step from the
setpoint to the ensembled position (the arm clips each step to its largest). Anchoring on the
measured hand instead fails during fast moves: the setpoint runs ahead of the hand, so steps
measured from the hand carry it past the target.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agentrt.core.actions import ARM_ACTION_DIM, ARM_KEY
from skills.base import Action

RETRACT_RISE_M = 0.1
"""How far (m) the hand rises straight up before it goes home (:func:`home_motion`)."""


def setpoint_yaw(env: Any) -> float:
    """The yaw (rad, base frame) of the commanded top-down hand: its x axis's heading."""
    rot = env.ee_target()[1]
    return float(np.arctan2(rot[1, 0], rot[0, 0]))


def home_motion(env: Any, gripper: float = -1.0) -> Any:
    """The ``skills.scripted.motion.ArmSequence`` that commands the gripper (``-1`` open, ``+1``
    closed) where the hand is (the setpoint brought back to it; 3 steps), rises
    :data:`RETRACT_RISE_M` (at least to the home height), then goes home at that height and down to
    the home pose, as the scripted pick's lift does. Steers the arm controller's setpoint like the
    scripted experts (a reflex, not the policy)."""
    from skills.scripted.motion import MAX_TRAVEL_Z_M, ArmGoal, ArmSequence

    hand = np.asarray(env.ee_pose()[0], np.float64)  # the setpoint may press into something
    yaw = setpoint_yaw(env)
    home = np.asarray(env.robot.arm.home_pos, np.float64)
    high = min(max(float(hand[2]) + RETRACT_RISE_M, float(home[2])), MAX_TRAVEL_Z_M)
    return ArmSequence(
        [
            ArmGoal(hand, yaw, gripper, tol=0.02, settle=3, transit=True),
            ArmGoal(np.array([hand[0], hand[1], high]), yaw, gripper, tol=0.03, transit=True),
            ArmGoal(np.array([home[0], home[1], high]), 0.0, gripper, tol=0.03, transit=True),
            ArmGoal(home, 0.0, gripper, tol=0.02, transit=True),
        ],
        timeout_per_goal=30,
    )


class ArmRows:
    """Mixin for arm skills: rows are 7-D arm actions (dx, dy, dz m; droll, dpitch, dyaw rad; gripper).

    Position targets are relative to :meth:`_setpoint` (see the module docstring).
    """

    accepts_position_targets = True
    env: Any

    def _setpoint(self) -> np.ndarray:
        """The arm's commanded end-effector position ``(3,)`` (m, base frame)."""
        return np.asarray(self.env.ee_target()[0], np.float32)

    def _setpoint_yaw(self) -> float:
        """The yaw (rad, base frame) of the commanded top-down hand: its x axis's heading."""
        return setpoint_yaw(self.env)

    def _to_action(self, row: np.ndarray) -> Action:
        if row.shape != (ARM_ACTION_DIM,):
            raise ValueError(f"arm policy rows must have {ARM_ACTION_DIM} values, got {row.shape}")
        return {ARM_KEY: row.astype(np.float32)}

    def _motion(self, row: np.ndarray) -> float:
        """Translation per step (m) plus rotation per step (rad) scaled by 0.1 m/rad."""
        return float(np.linalg.norm(row[:3]) + 0.1 * np.linalg.norm(row[3:6]))

    def _closes(self, row: np.ndarray) -> bool:
        return bool(row[ARM_ACTION_DIM - 1] > 0)


__all__ = ["RETRACT_RISE_M", "ArmRows", "home_motion", "setpoint_yaw"]
