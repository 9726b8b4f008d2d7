"""Scripted top-down pick."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from agentrt.core.registry import SKILLS
from agentrt.core.scene import SceneDescription
from scenes.geometry import wrap_angle
from skills.base import Action, Done, Skill
from skills.scripted.motion import MAX_TRAVEL_Z_M, ArmGoal, ArmSequence, arm_delta, closing_yaw

REACH_M = 0.72
"""Largest horizontal distance (m) from the arm's mount at which the expert tries a grasp."""
CLEARANCE_M = 0.05
"""Height (m) kept above other objects' tops when moving over them."""
FINGER_REACH_M = 0.05
"""Half-span of the open fingers along the closing axis (m)."""
HAND_REACH_M = 0.11
"""Half-span of the hand along the closing axis (m); matters for neighbours taller than the grasp."""


def grasp_height(env: Any, object_id: str) -> float:
    """World z (m) of the grasp point: the centre of a sphere, else 2.5 cm under the top
    (but at least 2 cm above the bottom, so the fingertips clear the support)."""
    shape = env.object_shape(object_id)
    if shape.kind == "sphere":
        return float(env.object_pose(object_id)[0][2])
    return max(env.object_bottom_z(object_id) + 0.02, env.object_top_z(object_id) - 0.025)


def grasp_point(env: Any, object_id: str) -> np.ndarray:
    """``(3,)`` the grasp point in the robot base frame (m): over the object's centre, at
    :func:`grasp_height`."""
    pos, _ = env.object_pose(object_id)
    return env.world_to_base(np.array([pos[0], pos[1], grasp_height(env, object_id)]))


def travel_height(env: Any, xy_world: np.ndarray, exclude: str, radius: float = 0.35) -> float:
    """World z (m) above every object and container rim within ``radius`` of ``xy_world``."""
    top = 0.0
    for oid in env.objects:
        if oid != exclude and np.linalg.norm(env.object_pose(oid)[0][:2] - xy_world) < radius:
            top = max(top, env.object_top_z(oid))
    for place in env.places.values():
        if place.region.contains_xy(xy_world, 0.25):
            top = max(top, place.region.rim_z)
    return top + CLEARANCE_M


@SKILLS.register("pick")
class ScriptedPick(Skill):
    """Pick up an object with a top-down grasp (scripted expert).

    The robot must already be at the place where the object lies (``robot_at``) with an
    empty gripper. The gripper turns so its fingers close across the object's narrow
    side, moves above the object, descends, closes, lifts, checks the object is held,
    and returns to the tucked home pose. Fails with a reason, without moving the base,
    when the object is out of the arm's reach or the grasp misses.
    """

    name = "pick"

    class Args(BaseModel):
        object: str = Field(description="id of the object to pick up, e.g. 'mug_0'")

    preconditions = ("hand_empty()", "in(?object, ?from)", "robot_at(?from)")
    effects = ("holding(?object)", "not hand_empty()", "not in(?object, ?from)")
    instruction = "pick up the {object}"
    action_keys = ("arm",)
    max_steps = 200

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        self.env = env.unwrapped
        self.object = args.object
        self.failure: str | None = None
        self.phase = "approach"
        e = self.env
        if self.object not in e.objects:
            self.failure = f"unknown object {self.object!r}"
            return
        if e.held_object() is not None:
            self.failure = f"the gripper already holds {e.held_object()}"
            return
        pos, _ = e.object_pose(self.object)
        pos_b = e.world_to_base(pos)
        if np.hypot(pos_b[0], pos_b[1]) > REACH_M or pos_b[0] < 0.15:
            self.failure = f"object out of reach: {np.hypot(pos_b[0], pos_b[1]):.2f} m from the arm"
            return
        self.start_z = float(pos[2])
        grasp_b = grasp_point(e, self.object)
        travel = e.world_to_base(np.array([pos[0], pos[1], travel_height(e, pos[:2], self.object)]))[2]
        yaw = self._grasp_yaw(pos)
        home = e.robot.arm.home_pos
        cur_pos, _ = e.ee_pose()
        high = min(max(travel, cur_pos[2]), MAX_TRAVEL_Z_M)
        self.sequence = ArmSequence(
            [
                ArmGoal(np.array([cur_pos[0], cur_pos[1], high]), yaw, -1.0, tol=0.03, transit=True),
                ArmGoal(np.array([grasp_b[0], grasp_b[1], high]), yaw, -1.0, tol=0.02, transit=True),
                ArmGoal(np.array([grasp_b[0], grasp_b[1], grasp_b[2] + 0.05]), yaw, -1.0, tol=0.01),
                ArmGoal(grasp_b, yaw, -1.0, speed=0.02, tol=0.006, settle=1),
            ]
        )
        self.lift = ArmSequence(
            [
                ArmGoal(
                    np.array([grasp_b[0], grasp_b[1], high]), yaw, 1.0, speed=0.03, tol=0.02, transit=True
                ),
                ArmGoal(np.array([home[0], home[1], max(home[2], high)]), 0.0, 1.0, tol=0.03, transit=True),
                ArmGoal(np.array(home), 0.0, 1.0, tol=0.02, transit=True),
            ]
        )
        self.close_steps = 0

    def _grasp_yaw(self, pos: np.ndarray) -> float:
        """Top-down EE yaw (base frame) closing across the narrow side, or, for a round
        object, the direction that keeps the fingers furthest from neighbours."""
        e = self.env
        base_yaw = e.base_pose()[2]
        if e.object_shape(self.object).kind == "box":
            return closing_yaw(wrap_angle(e.grasp_axis_yaw(self.object) - base_yaw))
        grasp_z = grasp_height(e, self.object)
        others = [
            (e.object_pose(o)[0][:2], r.shape.radius, e.object_top_z(o) > grasp_z + 0.02)
            for o, r in e.objects.items()
            if o != self.object
        ]
        best, best_clear = 0.0, -np.inf
        for axis in np.linspace(-np.pi / 2, np.pi / 2, 12, endpoint=False):
            u = np.array([np.cos(axis + base_yaw), np.sin(axis + base_yaw)])
            clear = 1.0
            for oxy, orad, tall in others:
                reach = HAND_REACH_M if tall else FINGER_REACH_M
                for sign in (1.0, -1.0):  # nearest point of the segment centre +- reach*u
                    t = float(np.clip(np.dot(oxy - pos[:2], sign * u), 0.0, reach))
                    clear = min(clear, float(np.linalg.norm(pos[:2] + sign * t * u - oxy)) - orad)
            clear -= 0.002 * abs(closing_yaw(axis))  # prefer small wrist turns on ties
            if clear > best_clear:
                best, best_clear = closing_yaw(axis), clear
        return best

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        if self.failure is not None:
            return Done(False, self.failure)
        e = self.env
        if self.phase == "approach":
            action = self.sequence.act(e)
            if self.sequence.timed_out:
                return Done(False, "could not reach the pregrasp pose")
            if action is not None:
                return {"arm": action}
            self.phase = "close"
        if self.phase == "close":
            self.close_steps += 1
            held = e.held_object() == self.object
            if held and self.close_steps >= 4 or self.close_steps > 10:
                if not held:
                    return Done(False, "grasp missed: object not between fingers")
                self.phase = "lift"
            else:
                return {"arm": np.array([0, 0, 0, 0, 0, 0, 1.0], dtype=np.float32)}
        action = self.lift.act(e)
        if e.held_object() != self.object:
            return Done(False, f"the {self.object} slipped out of the gripper while lifting")
        if self.lift.timed_out:
            return Done(False, "could not lift back to the home pose")
        if action is not None:
            return {"arm": action}
        return Done(True)


CORRECT_XY_M = 0.05
"""A hand open and below travel height within this horizontal distance (m) of the grasp point moves
over it at its height (:class:`PickRelabeller`); farther away it rises first, as the expert starts."""
HOLD_CLOSED_M = 0.015
"""Within this distance (m) of the grasp point an open gripper closes and a gripper closed on nothing
stays closed, its fingers still closing on the object (:class:`PickRelabeller`)."""


class PickRelabeller:
    """The scripted pick's command in any state of one pick call: labels for DAgger.

    :class:`ScriptedPick` is a phase machine: its command depends on the phase it reached, not
    only on the state. A learned pick visits states the expert never does (off to one side of the
    object, low; closed on nothing), so this plans the expert's waypoints once, at the call's start
    (:meth:`ScriptedPick._reset`: yaw, travel height, lift), moves them over where the object is
    now at every call (a learner may nudge it), and answers by rule from the measured end effector
    (base frame) and whether the learner's gripper is commanded closed:

    - holding the object: the lift waypoints, in order (the index only moves forward);
    - closed on nothing: keep closing within :data:`HOLD_CLOSED_M` of the grasp point, else open;
    - open, over the grasp point (within the expert's 2 cm): descend to the pregrasp pose, then the
      grasp point, and close once within :data:`HOLD_CLOSED_M` of it. (The expert itself closes
      within 6 mm; a learner whose chunks carry a few millimetres of error, or whose finger rests
      on the object, may never get that close, and a label that keeps saying "a little closer"
      teaches it never to close. Grasps that close within 1.5 cm hold.)
    - open elsewhere: at travel height, move over the object; below it and within
      :data:`CORRECT_XY_M`, move over it at the current height (at least the pregrasp height);
      farther away, rise first.

    ``label`` returns the 7-D arm action, or ``Done`` once the lift is complete or when the expert
    itself cannot start (object out of reach, ...).
    """

    def __init__(self, env: Any, object_id: str, scene: SceneDescription) -> None:
        self.expert = ScriptedPick()
        self.expert._reset(env, ScriptedPick.Args(object=object_id), scene)
        self.env = env.unwrapped
        self.object = object_id
        self.lift_index = 0

    def label(self, gripper_closed: bool) -> np.ndarray | Done:
        """The expert's arm action ``(7,)`` from the current state (see the class docstring)."""
        x = self.expert
        if x.failure is not None:
            return Done(False, x.failure)
        e = self.env
        rise, above, pregrasp, grasp = x.sequence.goals
        # the waypoints over where the object is now: a learner may have nudged it
        now = grasp_point(e, self.object)
        above = replace(above, pos=np.array([now[0], now[1], above.pos[2]]))
        pregrasp = replace(pregrasp, pos=now + (pregrasp.pos - grasp.pos))
        grasp = replace(grasp, pos=now)
        pos = e.ee_pose()[0]
        if e.held_object() == self.object:
            goals = x.lift.goals
            while self.lift_index < len(goals) and (
                np.linalg.norm(pos - goals[self.lift_index].pos) < goals[self.lift_index].tol
            ):
                self.lift_index += 1
            if self.lift_index == len(goals):
                return Done(True)
            return arm_delta(e, goals[self.lift_index])
        to_grasp = float(np.linalg.norm(pos - grasp.pos))
        if gripper_closed:
            closing = to_grasp < HOLD_CLOSED_M
            return np.array([0, 0, 0, 0, 0, 0, 1.0 if closing else -1.0], dtype=np.float32)
        off_xy = float(np.linalg.norm(pos[:2] - grasp.pos[:2]))
        if off_xy <= above.tol:
            if pos[2] > pregrasp.pos[2] + pregrasp.tol:
                return arm_delta(e, pregrasp)
            if to_grasp < HOLD_CLOSED_M:
                return np.array([0, 0, 0, 0, 0, 0, 1.0], dtype=np.float32)
            return arm_delta(e, grasp)
        if pos[2] >= above.pos[2] - rise.tol:
            return arm_delta(e, above)
        if off_xy < CORRECT_XY_M and pos[2] >= pregrasp.pos[2] - pregrasp.tol:
            over = np.array([grasp.pos[0], grasp.pos[1], pos[2]])
            return arm_delta(e, ArmGoal(over, grasp.yaw, -1.0, tol=above.tol))
        return arm_delta(e, ArmGoal(np.array([pos[0], pos[1], above.pos[2]]), grasp.yaw, -1.0, tol=rise.tol))
