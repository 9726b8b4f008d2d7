"""The release guard of the learned ``place``: let go only over the receptacle.

An opening command while the held object's centre is not over the receptacle's rectangle
(``Place.extent``, grown by ``release_over_m``) is held back: the gripper stays closed, the arm
goes home still holding the object (:func:`skills.learned.arm.home_motion`) and the policy restarts
there, at most ``max_recoveries`` times, then the call fails with the object in hand.

Why: in learned tidying the place starts wherever the learned pick came to rest, not at the home
pose every demonstration starts from, and from such a start the policy sometimes opened at its very
first step, 5-20 cm in front of the dish rack or the shelf, dropping the object on the floor where
no skill can reach it (held-out seeds 100016, 100035, 100003, 100099). The object's centre, not the
hand's, decides: a mug held 6 cm in front of the hand was let go with the hand over the rack and the
mug over its front rim (100003). The centre is the scene description's position of the object at
the call's start, carried with the measured hand (:meth:`ReleaseGuard.reset`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.actions import ARM_ACTION_DIM
from agentrt.core.scene import SceneDescription
from scenes.geometry import quat_matrix
from skills.base import Done
from skills.learned.arm import home_motion

MAX_GRIP_OFFSET_M = 0.2
"""A held object's centre farther than this (m) from the hand is taken to be a wrong description."""


class ReleaseGuardConfig(BaseModel):
    """Where a learned place may let go (:class:`ReleaseGuard`)."""

    model_config = ConfigDict(extra="forbid")

    release_over_m: float | None = Field(
        default=None,
        ge=0.0,
        description="place: keep a held object while its centre (world xy: where the scene description "
        "put it when the call started, carried with the measured hand) is not over the receptacle's "
        "rectangle (`Place.extent`) grown by this margin (m); after such a held release, "
        "bring the arm home still holding it and restart the policy there (a scripted reflex), at most "
        "`max_recoveries` times, then fail (None: let go wherever the policy opens)",
    )
    max_recoveries: int = Field(default=2, ge=0, description="most re-homings in one call")


class ReleaseGuard:
    """Holds back an opening command away from the receptacle, then brings the arm home holding on."""

    def __init__(self, config: ReleaseGuardConfig) -> None:
        self.config = config
        self.env: Any = None
        self.binding: Mapping[str, str] = {}
        self.grip_offset = np.zeros(3)
        """Where the held object's centre is in the hand's frame ``(3,)`` (m), from :meth:`reset`."""
        self.held = False
        """Whether the last row's opening command was held back (the object was not over the receptacle)."""
        self.rehomes = 0
        self.motion: Any = None
        """While bringing the arm home after a held release: the motion (an ``ArmSequence``)."""

    def reset(self, env: Any, scene: SceneDescription, binding: Mapping[str, str]) -> None:
        """Start a call in ``env`` (unwrapped) whose ``?object`` and ``?receptacle`` ``binding`` names."""
        self.env, self.binding = env, binding
        self.held, self.rehomes, self.motion = False, 0, None
        self.grip_offset = self.measure_grip_offset(scene)

    def measure_grip_offset(self, scene: SceneDescription) -> np.ndarray:
        """Where the held object's centre is in the hand's frame ``(3,)`` (m): the scene description's
        position of it, minus the measured hand; zeros if the description has no such object, or puts
        it more than :data:`MAX_GRIP_OFFSET_M` from the hand, and when the guard is off or the env has
        no arm to measure."""
        arm = getattr(getattr(self.env, "robot", None), "arm", None)
        if self.config.release_over_m is None or not hasattr(arm, "ee_world"):
            return np.zeros(3)
        try:
            centre = np.asarray(scene.object(self.binding.get("?object", "")).pose.position, np.float64)
        except KeyError:
            return np.zeros(3)
        hand, quat = arm.ee_world()
        offset = quat_matrix(quat).T @ (centre - np.asarray(hand, np.float64))
        return offset if float(np.linalg.norm(offset)) <= MAX_GRIP_OFFSET_M else np.zeros(3)

    def guard(self, row: np.ndarray, closes: bool) -> np.ndarray:
        """The arm row ``(7,)`` to apply: an opening command (``closes`` false) while an object is held
        and its centre is not over the receptacle is held back (the gripper stays closed) and
        :attr:`held` set, so the next step starts the re-homing."""
        margin = self.config.release_over_m
        if margin is None or closes or self.env.held_object() is None:
            return row
        place = getattr(self.env, "places", {}).get(self.binding.get("?receptacle"))
        if place is None:
            return row
        hand, quat = self.env.robot.arm.ee_world()
        centre = np.asarray(hand, np.float64) + quat_matrix(quat) @ self.grip_offset
        if place.extent.contains_xy(centre[:2], margin):
            return row
        out = np.array(row, dtype=np.float32, copy=True)
        out[ARM_ACTION_DIM - 1] = 1.0
        self.held = True
        return out

    def start_rehoming(self) -> Done | None:
        """After a held release: begin the way home holding the object, or fail once the policy has
        opened away from the receptacle more than ``max_recoveries`` times."""
        self.held = False
        self.rehomes += 1
        if self.rehomes > self.config.max_recoveries:
            receptacle = self.binding.get("?receptacle")
            return Done(
                False,
                f"the policy opened the gripper away from {receptacle} {self.rehomes} times; "
                "the object is still held",
            )
        self.motion = home_motion(self.env, gripper=1.0)
        return None

    @property
    def rehoming(self) -> bool:
        return self.motion is not None

    def rehome_step(self) -> np.ndarray | None:
        """The next row ``(7,)`` of the way home; ``None`` once home (or as near as it got): the
        caller restarts the policy from there."""
        action = self.motion.act(self.env)
        if action is not None and not self.motion.timed_out:
            return np.asarray(action, np.float32)
        self.motion = None
        return None


__all__ = ["MAX_GRIP_OFFSET_M", "ReleaseGuard", "ReleaseGuardConfig"]
