"""Scripted navigation: A* on the occupancy grid, then path following with the holonomic base.

On a legged robot (a scene with ``legged = True``, e.g. ``house-v0``) the same skill walks
through the robot's locomotion controller instead: see :mod:`skills.legged_navigate`.
Name, arguments, preconditions and effects are the same, so plans do not change.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from agentrt.core.actions import MAX_BASE_ANG_RPS, drive_action
from agentrt.core.registry import SKILLS
from agentrt.core.results import SkillResult
from agentrt.core.scene import SceneDescription
from scenes.geometry import rot2, wrap_angle
from skills.base import Action, Done, Skill, StepHook
from skills.legged_navigate import MAX_STEPS as LEGGED_MAX_STEPS
from skills.legged_navigate import LeggedNavigator

CRUISE_MPS = 0.6
"""Cruise speed (m/s)."""
STAGING_M = 0.35
"""The last leg is a straight drive of this length (m) onto the approach pose, heading aligned."""
POS_TOL_M = 0.02
YAW_TOL_RAD = 0.03
BLOCKED_LIMIT = 15
"""Consecutive blocked steps after which the skill gives up."""


@SKILLS.register("navigate_to")
class ScriptedNavigate(Skill):
    """Drive the mobile base to a place (scripted expert).

    Plans a collision-free path with A* over the known map's occupancy grid (inflated by
    the base radius) to a staging point in front of the place, follows it while turning
    to the final heading, then drives straight onto the place's approach pose, from
    which the arm reaches the place. The arm is held still (the gripper keeps what it
    holds). Fails with a reason if no path exists or the base stays blocked.

    A legged robot walks instead: forward and turning, with base velocity commands handed
    to its locomotion controller; a room is reached near its middle, furniture at its
    approach pose; a fall fails the skill with the fall interlock's reason.
    """

    name = "navigate_to"

    class Args(BaseModel):
        place: str = Field(description="id of the place to go to, e.g. 'sink'")

    preconditions = ("mobile()", "place(?place)")
    effects = ("robot_at(?place)", "not robot_at(?other)")
    instruction = "go to the {place}"
    action_keys = ("base",)
    max_steps = 400

    def run(
        self,
        env: Any,
        args: Any,
        *,
        scene: SceneDescription,
        instruction: str | None = None,
        max_steps: int | None = None,
        on_step: StepHook | None = None,
    ) -> SkillResult:
        """:meth:`Skill.run`, with a walking robot's longer step budget on a legged scene."""
        if max_steps is None and getattr(env.unwrapped, "legged", False):
            max_steps = LEGGED_MAX_STEPS
        return super().run(
            env, args, scene=scene, instruction=instruction, max_steps=max_steps, on_step=on_step
        )

    def command_from_here(self, env: Any, place: str, scene: SceneDescription) -> Action | Done:
        """The command this expert gives in ``env``'s current state, as if it started here.

        Plans afresh from the current base pose (A* from the nearest free cell, so a base
        pushed against furniture gets the way out) and returns the first step's action,
        ``Done(True)`` when already there, or ``Done(False, reason)`` when there is no way.
        A base already on the final straight leg (within 10 cm of the line from the staging
        point to the approach pose) drives on to the approach pose instead of back to the
        staging point. This labels states a learned policy visited (DAgger,
        :mod:`skills.vla.dagger`).
        """
        self._reset(env, self.Args(place=place), scene)
        if self.failure is None and self.legged is None:
            heading = np.array([np.cos(self.goal[2]), np.sin(self.goal[2])])
            offset = self.env.base_pose()[:2] - (self.goal[:2] - STAGING_M * heading)
            along, across = float(offset @ heading), float(abs(offset @ rot2(np.pi / 2) @ heading))
            if -0.05 <= along <= STAGING_M + 0.05 and across <= 0.1:
                self.waypoints, self.index = [self.goal[:2]], 0
        return self._act({})

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        self.env = e = env.unwrapped
        self.failure: str | None = None
        self.blocked = 0
        self.legged: LeggedNavigator | None = None
        if not getattr(e, "mobile", False):
            self.failure = "this robot cannot move its base"
            return
        if args.place not in e.places or e.place(args.place).approach is None:
            self.failure = f"unknown place {args.place!r}"
            return
        if getattr(e, "legged", False):
            self.legged = LeggedNavigator(e, args.place)
            return
        goal = np.array(e.place(args.place).approach, dtype=float)
        self.goal = goal
        heading = np.array([np.cos(goal[2]), np.sin(goal[2])])
        staging = goal[:2] - STAGING_M * heading
        path = e.plan_path(staging)
        if path is None:
            self.failure = f"no path to the {args.place}"
            return
        self.waypoints = [np.asarray(w) for w in path[1:]] + [goal[:2]]
        self.index = 0

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        if self.failure is not None:
            return Done(False, self.failure)
        if self.legged is not None:
            return self.legged.act()
        e = self.env
        x, y, yaw = e.base_pose()
        pos = np.array([x, y])
        yaw_err = wrap_angle(self.goal[2] - yaw)
        final = self.index >= len(self.waypoints) - 1
        target = self.waypoints[self.index]
        dist = float(np.linalg.norm(target - pos))
        if final and dist < POS_TOL_M and abs(yaw_err) < YAW_TOL_RAD:
            return Done(True)
        if not final and dist < 0.12:
            self.index += 1
            return self._act(obs)
        if e.robot.blocked:
            self.blocked += 1
            if self.blocked > BLOCKED_LIMIT:
                return Done(False, "the base is blocked by furniture")
        else:
            self.blocked = 0
        speed = min(CRUISE_MPS, 1.5 * dist) if final else CRUISE_MPS
        if final and abs(yaw_err) > 0.1:
            speed = 0.0  # align before the last straight leg
        direction = (target - pos) / max(dist, 1e-6)
        v_base = rot2(-yaw) @ (direction * speed)
        wz = float(np.clip(2.5 * yaw_err, -0.8 * MAX_BASE_ANG_RPS, 0.8 * MAX_BASE_ANG_RPS))
        return drive_action(np.array([v_base[0], v_base[1], wz]), holding=e.held_object() is not None)
