"""Navigation for a legged robot: A* over the known map, then path following with velocity commands.

The scripted ``navigate_to`` skill hands off to :class:`LeggedNavigator` when the scene's
robot walks on a controller (``env.legged``). Each 10 Hz step emits one base command
``(vx, 0, wz)`` (m/s, rad/s, trunk heading frame) that the scene hands to the
locomotion controller: the robot walks forward, never sideways, and turns in place
when the heading error is large. Commands stay inside the controller's envelope
(:data:`CRUISE_MPS`, :data:`MAX_TURN_RPS`), so none is clipped.

Goals: a room's stand point (reached within :data:`ROOM_TOL_M`, any heading) or a piece
of furniture's approach pose (within :data:`POSE_TOL_M` and :data:`YAW_TOL_RAD`, inside
the ``robot_at`` tolerances of 0.2 m / 0.35 rad). A fall ends the skill with the fall
interlock's reason; so does no progress for :data:`STALL_STEPS` steps.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scenes.geometry import wrap_angle
from skills.base import Action, Done

CRUISE_MPS = 0.5
"""Forward speed on straight stretches (m/s); the a1-locomotion envelope goes to 0.8."""
MIN_MPS = 0.15
"""Slowest forward speed while approaching the goal (m/s)."""
MAX_TURN_RPS = 0.7
"""Largest yaw rate (rad/s); the envelope goes to 0.8."""
TURN_IN_PLACE_RAD = 0.6
"""Heading error above which the robot stops walking and turns in place (rad)."""
LOOKAHEAD_M = 0.35
"""A waypoint (not the last) counts as passed within this distance (m)."""
ROOM_TOL_M = 0.3
POSE_TOL_M = 0.12
YAW_TOL_RAD = 0.2
STALL_STEPS = 80
"""Steps (8 s) without getting 0.1 m closer to the goal before the skill gives up."""
MAX_STEPS = 1200
"""Step budget (120 s) for one walk; the longest house path is about 12 m."""


class LeggedNavigator:
    """Walks a legged robot to one place of the scene (see the module docstring).

    Args:
        env: the unwrapped scene (``place``, ``plan_path``, ``base_pose``, ``drive``).
        place_id: the place to go to.
    """

    def __init__(self, env: Any, place_id: str) -> None:
        self.env = env
        self.failure: str | None = None
        place = env.place(place_id)
        if place.approach is None:
            self.failure = f"the {place.name} has no pose to walk to"
            return
        self.room = not place.receptacle
        self.goal = np.array(place.approach[:2], dtype=float)
        self.goal_yaw = None if self.room else float(place.approach[2])
        path = env.plan_path(self.goal)
        if path is None:
            self.failure = f"no path to the {place.name}"
            return
        self.waypoints = [np.asarray(w, dtype=float) for w in path[1:]] or [self.goal]
        self.waypoints[-1] = self.goal if env.nav_map.is_free(self.goal) else self.waypoints[-1]
        self.index = 0
        self.best = math.inf
        self.since_best = 0

    def act(self) -> Action | Done:
        """The next base command, or :class:`Done`."""
        if self.failure is not None:
            return Done(False, self.failure)
        fault = self.env.drive.fault
        if fault is not None:
            return Done(False, fault)
        x, y, yaw = self.env.base_pose()
        pos = np.array([x, y])
        final_dist = float(np.linalg.norm(self.waypoints[-1] - pos))
        if final_dist < self.best - 0.1:
            self.best, self.since_best = final_dist, 0
        else:
            self.since_best += 1
            if self.since_best > STALL_STEPS:
                return Done(False, f"no progress toward the goal for {STALL_STEPS / 10:.0f} s")
        while (
            self.index < len(self.waypoints) - 1
            and np.linalg.norm(self.waypoints[self.index] - pos) < LOOKAHEAD_M
        ):
            self.index += 1
        final = self.index == len(self.waypoints) - 1
        tol = ROOM_TOL_M if self.room else POSE_TOL_M
        if final and final_dist < tol:
            if self.goal_yaw is None:
                return Done(True)
            err = wrap_angle(self.goal_yaw - yaw)
            if abs(err) < YAW_TOL_RAD:
                return Done(True)
            self.since_best = 0  # turning in place is progress
            return _command(0.0, _turn(err))
        target = self.waypoints[self.index]
        delta = target - pos
        err = wrap_angle(math.atan2(delta[1], delta[0]) - yaw)
        if abs(err) > TURN_IN_PLACE_RAD:
            self.since_best = max(0, self.since_best - 1)
            return _command(0.0, _turn(err))
        speed = CRUISE_MPS if not final else float(np.clip(0.8 * final_dist, MIN_MPS, CRUISE_MPS))
        speed *= max(0.0, math.cos(err))
        return _command(speed, float(np.clip(2.0 * err, -MAX_TURN_RPS, MAX_TURN_RPS)))


def _turn(err: float) -> float:
    """Yaw rate for turning in place toward a heading error ``err`` (rad), at least 0.3 rad/s."""
    rate = float(np.clip(1.5 * err, -MAX_TURN_RPS, MAX_TURN_RPS))
    return math.copysign(max(abs(rate), 0.3), err)


def _command(vx: float, wz: float) -> Action:
    return {"base": np.array([vx, 0.0, wz], dtype=np.float32)}


__all__ = ["MAX_STEPS", "LeggedNavigator"]
