"""The learned ``pick``: the scripted twin's interface, a chunk policy's rows and the arm reflexes."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel

from agentrt.core.actions import ARM_ACTION_DIM, MAX_EE_STEP_RAD
from agentrt.core.scene import SceneDescription
from skills.base import Action, Done
from skills.learned.arm import ArmRows
from skills.learned.base import LEARNED_SKILLS, LearnedSkill
from skills.learned.checks import LostObjectCheck, LostObjectConfig, MissedGraspCheck, MissedGraspConfig
from skills.learned.detector import DetectorConfig
from skills.learned.retract import RetractConfig, Retraction
from skills.scripted import ScriptedPick
from skills.vla.protocol import GraspAware


class PickDoneConfig(RetractConfig, MissedGraspConfig, LostObjectConfig, DetectorConfig):
    """The learned pick's settings: its success detector, the lost-object and missed-grasp checks and
    the retraction after a miss (one flat model; the fields keep the names they had together)."""


class LearnedPick(ArmRows, LearnedSkill, twin=ScriptedPick):
    """Pick up an object (learned policy from the cameras and the instruction).

    Same arguments, preconditions and effects as the scripted ``pick``: the robot must be
    at the place where the object lies with an empty gripper. Ends when the object has been
    held for a moment and the arm has come to rest; fails when the gripper has closed for
    15 steps (1.5 s) without holding the object (a missed grasp, as the scripted twin fails
    after 10 closing steps), and (aborted) at the step budget. After a missed grasp it first
    opens the gripper and brings the arm home (:attr:`PickDoneConfig.retract_on_miss`): a retry then
    starts from the pose every demonstration starts from, not closed beside the object.
    """

    default_done: ClassVar[PickDoneConfig] = PickDoneConfig(miss_steps=15, retract_on_miss=True)
    keep_any: ClassVar[tuple[str, ...]] = ("in(?object, ?from)", "holding(?object)")
    """Literals of which one must hold while the pick runs (:class:`~skills.learned.checks.LostObjectCheck`):
    the object is where it was or in the hand."""
    grasp_literal: ClassVar[str] = "holding(?object)"
    """What a closed gripper should be holding (:class:`~skills.learned.checks.MissedGraspCheck`)."""
    keep_grasp: ClassVar[bool] = True
    """Once the gripper reports an object between its fingers (``env.held_object()``, the gripper's
    own object detection, as a Robotiq's ``gOBJ`` status), keep it commanded closed for the rest of
    the call: a pick never lets go of what it grasped. The chunks' rows past the end of a
    demonstration are not trained (``chunk_valid``), and temporal ensembling mixes them in as the
    demonstration ends: the gripper command drifted from +1 to -0.2 while the arm came home and a
    lifted mug fell onto the base (held-out seed 100030). A missed or wrong grasp still ends in
    :attr:`PickDoneConfig.retract_on_miss`, which opens the hand."""

    on_place: ClassVar[tuple[float, float] | None] = (0.05, 0.45)
    """Hand a :class:`~skills.vla.protocol.GraspAware` policy the place the object lies in (``?from``:
    the map's rectangle where an object counts as in it, ``Place.extent``) as ``grasp_within``: a
    depth goal must lie over that rectangle grown by the first value (m) and between 5 cm under its
    surface and the second value (m) above it. The pointer's pixel sometimes falls on the arm as the
    hand nears the object, and the goal found there, 50 cm off the dish rack beside the robot's
    shoulder, sent the hand back to close on air (held-out seed 100020). ``None``: any goal is kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lost = LostObjectCheck(self.keep_any, self.done)
        self.missed = MissedGraspCheck(self.grasp_literal, self.done)
        self.retraction = Retraction()

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        super()._reset(env, args, scene)
        self.lost.reset(self.binding, self.facts)
        self.missed.reset(self.binding, self.facts)
        self.retraction.reset()
        origin = self.binding.get("?from")
        place = getattr(self.env, "places", {}).get(origin) if origin else None
        if self.on_place is None or place is None or not isinstance(self.policy, GraspAware):
            return
        margin, above = self.on_place
        extent, arm = place.extent, self.env.robot.arm

        def within(grasp_base: np.ndarray) -> bool:
            world, _ = arm.to_world(np.asarray(grasp_base, np.float64), np.eye(3))
            height = float(world[2]) - extent.support_z
            return extent.contains_xy(world[:2], margin) and -0.05 <= height <= above

        self.policy.grasp_within = within

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        if self.retraction.active:
            return self._retract_step()
        return super()._act(obs)

    def _check_step(self) -> Action | Done | None:
        """The object lost (:attr:`keep_any`), or a missed grasp: a failure, after the retraction
        when :attr:`PickDoneConfig.retract_on_miss` is set."""
        lost = self.lost.check(self.step)
        if lost is not None:
            return lost
        missed = self.missed.check(self.step)
        if missed is None:
            return None
        if not self.done.retract_on_miss:
            return Done(False, missed)
        self.retraction.start(self.env, missed)
        return self._retract_step()

    def _retract_step(self) -> Action | Done:
        out = self.retraction.step(self.env)
        return out if isinstance(out, Done) else self._to_action(out)

    def _applied(self, row: np.ndarray) -> None:
        self.missed.applied(self._closes(row), self.step)

    def _row(self, row: np.ndarray) -> np.ndarray:
        """The applied row; with a policy that measured the object's long axis (``grasp_yaw``,
        ``DepthGoal.align_yaw``), its yaw step turns the hand toward closing across that axis while
        the gripper is open (the setpoint's yaw to the axis, mod pi, one clipped step at a time).
        While the gripper holds an object its command is closed (:attr:`keep_grasp`)."""
        out = np.array(super()._row(row), dtype=np.float32, copy=True)
        if self.keep_grasp and self.env.held_object() is not None:
            out[ARM_ACTION_DIM - 1] = 1.0
            return out
        target = self.policy.grasp_yaw if isinstance(self.policy, GraspAware) else None
        if target is None or self.holding_something or self._closes(out):
            return out
        error = (target - self._setpoint_yaw() + np.pi / 2) % np.pi - np.pi / 2
        out[5] = np.clip(error, -MAX_EE_STEP_RAD, MAX_EE_STEP_RAD)
        return out


__all__ = ["LearnedPick", "PickDoneConfig"]


LEARNED_SKILLS.add(LearnedPick.name, LearnedPick)
