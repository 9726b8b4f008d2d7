"""Scripted top-down place."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from agentrt.core.registry import SKILLS
from agentrt.core.scene import SceneDescription
from scenes.predicates import object_in
from skills.base import Action, Done, Skill
from skills.scripted.motion import MAX_TRAVEL_Z_M, ArmGoal, ArmSequence
from skills.scripted.pick import REACH_M, travel_height

RELEASE_GAP_M = 0.012
"""Height (m) of the object's bottom above the support when the gripper opens."""
DROP_GAP_M = 0.04
"""Height (m) of the object's bottom above a deep container's rim when it is dropped."""


@SKILLS.register("place")
class ScriptedPlace(Skill):
    """Put the held object in or on a receptacle (scripted expert).

    The robot must be at the receptacle (``robot_at``) holding the object. The arm
    carries the object above a free spot of the receptacle (keeping the wrist's yaw),
    lowers it until it almost touches the surface (deep containers such as a trash bin
    get it dropped from just above the rim), opens the gripper, retreats upward and
    returns to the tucked home pose. Fails with a reason when there is no free spot,
    the spot is out of reach, or the object does not end up in the receptacle.
    """

    name = "place"

    class Args(BaseModel):
        object: str = Field(description="id of the held object, e.g. 'mug_0'")
        receptacle: str = Field(description="id of the receptacle place, e.g. 'dish_rack'")

    preconditions = ("holding(?object)", "receptacle(?receptacle)", "robot_at(?receptacle)")
    effects = ("in(?object, ?receptacle)", "hand_empty()", "not holding(?object)")
    instruction = "put the {object} in the {receptacle}"
    action_keys = ("arm",)
    max_steps = 200

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        self.env = e = env.unwrapped
        self.object, self.receptacle = args.object, args.receptacle
        self.failure: str | None = None
        self.phase = "carry"
        self.wait = 0
        if e.held_object() != self.object:
            self.failure = f"not holding the {self.object}"
            return
        if self.receptacle not in e.places:
            self.failure = f"unknown receptacle {self.receptacle!r}"
            return
        region = e.place(self.receptacle).region
        spot = e.free_spot(self.receptacle, self.object)
        if spot is None:
            self.failure = f"no free spot in the {self.receptacle}"
            return
        spot_b = e.world_to_base(np.array([spot[0], spot[1], region.support_z]))
        if np.hypot(spot_b[0], spot_b[1]) > REACH_M:
            self.failure = f"receptacle out of reach: {np.hypot(spot_b[0], spot_b[1]):.2f} m from the arm"
            return
        ee_pos, _ = e.ee_pose()
        _, ee_rot = e.ee_target()
        yaw = float(np.arctan2(ee_rot[1, 0], ee_rot[0, 0]))
        obj_b = e.world_to_base(e.object_pose(self.object)[0])
        measured, _ = e.ee_pose()
        offset = obj_b - measured  # object centre relative to the EE, base frame (kept while carrying)
        hang = measured[2] - e.world_to_base(np.array([0, 0, e.object_bottom_z(self.object)]))[2]
        bottom_z = region.rim_z + DROP_GAP_M if region.drop else region.support_z + RELEASE_GAP_M
        release = spot_b - offset
        release[2] = e.world_to_base(np.array([spot[0], spot[1], bottom_z]))[2] + hang
        travel = e.world_to_base(np.array([spot[0], spot[1], travel_height(e, spot, self.object)]))[2] + hang
        high = min(max(travel, release[2], ee_pos[2]), MAX_TRAVEL_Z_M)
        home = e.robot.arm.home_pos
        self.carry = ArmSequence(
            [
                ArmGoal(np.array([ee_pos[0], ee_pos[1], high]), yaw, 1.0, tol=0.03, transit=True),
                ArmGoal(np.array([release[0], release[1], high]), yaw, 1.0, tol=0.015, transit=True),
                ArmGoal(release, yaw, 1.0, speed=0.025, tol=0.008, settle=1),
            ]
        )
        self.retreat = ArmSequence(
            [
                ArmGoal(
                    np.array([release[0], release[1], high]), yaw, -1.0, speed=0.03, tol=0.03, transit=True
                ),
                ArmGoal(np.array(home), 0.0, -1.0, tol=0.02, transit=True),
            ]
        )

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        if self.failure is not None:
            return Done(False, self.failure)
        e = self.env
        if self.phase == "carry":
            if e.held_object() != self.object:
                return Done(False, f"the {self.object} fell out of the gripper")
            action = self.carry.act(e)
            if self.carry.timed_out:
                return Done(False, "could not reach the release pose")
            if action is not None:
                return {"arm": action}
            self.phase = "open"
        if self.phase == "open":
            self.wait += 1
            if self.wait <= 4:
                return {"arm": np.array([0, 0, 0, 0, 0, 0, -1.0], dtype=np.float32)}
            self.phase = "retreat"
        action = self.retreat.act(e)
        if self.retreat.timed_out:
            return Done(False, "could not retreat to the home pose")
        if action is not None:
            return {"arm": action}
        pos, _ = e.object_pose(self.object)
        if not object_in(
            pos,
            e.object_bottom_z(self.object),
            e.place(self.receptacle).extent,
            e.held_object() == self.object,
        ):
            return Done(False, f"the {self.object} did not end up in the {self.receptacle}")
        return Done(True)
