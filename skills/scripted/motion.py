"""Arm motion helpers shared by the scripted experts.

Experts steer the env's *commanded* EE target (privileged :meth:`AgentEnv.ee_target`)
toward a goal with per-step deltas clipped exactly as the env clips them, so the
emitted actions are valid 7-D EE deltas in the robot base frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentrt.core.actions import MAX_EE_STEP_M, MAX_EE_STEP_RAD
from scenes.geometry import matrix_euler, matrix_rotvec, rotvec_matrix, wrap_angle
from scenes.robots.panda import top_down

STALL_TOL_M = 0.06
"""A transit goal counts as reached when the stalled EE is this close (m)."""
MAX_TRAVEL_Z_M = 0.64
"""Highest EE z (m, base frame) the experts travel at: top-down poses above it are out of reach."""
ROT_STEP_RAD = 0.8 * MAX_EE_STEP_RAD
"""Rotation per step used by the experts (rad); below the env's clip on every Euler axis."""


@dataclass
class ArmGoal:
    """One arm waypoint in the robot base frame.

    Attributes:
        pos: EE position (3,) m. yaw: top-down EE yaw (rad). gripper: -1 open .. +1 closed.
        speed: largest translation per step (m), at most ``MAX_EE_STEP_M``.
        tol: the waypoint is reached when the measured EE is within ``tol`` m and
            ``3 * tol`` rad of it.
        settle: steps to hold still once reached (e.g. while fingers close).
        transit: a via point: also reached once the commanded target is there and the
            measured EE, within ``STALL_TOL_M``, has stopped moving (the arm's limit).
    """

    pos: np.ndarray
    yaw: float
    gripper: float
    speed: float = MAX_EE_STEP_M
    tol: float = 0.01
    settle: int = 0
    transit: bool = False


def arm_delta(env, goal: ArmGoal) -> np.ndarray:  # env: scenes.base.AgentEnv
    """The 7-D arm action moving the commanded target toward ``goal``."""
    target_pos, target_rot = env.ee_target()
    dpos = np.clip(goal.pos - target_pos, -goal.speed, goal.speed)
    err = matrix_rotvec(top_down(goal.yaw) @ target_rot.T)
    angle = float(np.linalg.norm(err))
    if angle > ROT_STEP_RAD:
        err = err * (ROT_STEP_RAD / angle)
    drot = matrix_euler(rotvec_matrix(err))
    return np.array([*dpos, *drot, goal.gripper], dtype=np.float32)


def reached(env, goal: ArmGoal) -> bool:
    """Whether the measured EE is at ``goal`` (position and orientation)."""
    pos, rot = env.ee_pose()
    angle = float(np.linalg.norm(matrix_rotvec(top_down(goal.yaw) @ rot.T)))
    target_pos, _ = env.ee_target()
    at_target = float(np.linalg.norm(target_pos - goal.pos)) < 1e-4
    return at_target and float(np.linalg.norm(pos - goal.pos)) < goal.tol and angle < 3 * goal.tol


def closing_yaw(axis_yaw_base: float) -> float:
    """Top-down EE yaw (rad, in ``[-pi/2, pi/2)``) whose fingers close along ``axis_yaw_base``."""
    return wrap_angle(2.0 * (axis_yaw_base - np.pi / 2)) / 2.0


class ArmSequence:
    """Plays a list of :class:`ArmGoal` one after another (one action per call)."""

    def __init__(self, goals: list[ArmGoal], timeout_per_goal: int = 60) -> None:
        self.goals = goals
        self.index = 0
        self.settled = 0
        self.steps_on_goal = 0
        self.timeout = timeout_per_goal
        self.last_pos: np.ndarray | None = None
        self.still = 0

    @property
    def done(self) -> bool:
        return self.index >= len(self.goals)

    @property
    def timed_out(self) -> bool:
        return self.steps_on_goal > self.timeout

    def act(self, env) -> np.ndarray | None:
        """Next arm action, or ``None`` when every goal has been reached."""
        pos, _ = env.ee_pose()
        moved = np.inf if self.last_pos is None else float(np.linalg.norm(pos - self.last_pos))
        self.last_pos = pos
        self.still = self.still + 1 if moved < 0.0015 else 0
        while not self.done:
            goal = self.goals[self.index]
            target, _ = env.ee_target()
            stalled = (
                goal.transit
                and self.still >= 3
                and float(np.linalg.norm(target - goal.pos)) < 1e-4
                and float(np.linalg.norm(pos - goal.pos)) < STALL_TOL_M
            )
            if stalled or reached(env, goal):
                if self.settled >= goal.settle:
                    self.index += 1
                    self.settled = 0
                    self.steps_on_goal = 0
                    continue
                self.settled += 1
            self.steps_on_goal += 1
            return arm_delta(env, goal)
        return None
