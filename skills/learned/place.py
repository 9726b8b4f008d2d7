"""The learned ``place``: the scripted twin's interface, the measured place spot and the release guard."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel

from agentrt.core.scene import SceneDescription
from scenes.geometry import quat_matrix
from skills.base import Action, Done
from skills.learned.arm import ArmRows
from skills.learned.base import LEARNED_SKILLS, LearnedSkill
from skills.learned.checks import LostObjectCheck, LostObjectConfig
from skills.learned.detector import DetectorConfig
from skills.learned.release import ReleaseGuard, ReleaseGuardConfig
from skills.scripted import ScriptedPlace
from skills.vla.free_space import FreeSpotConfig, RoomMap, room_map
from skills.vla.protocol import PlaceSpotAware


class PlaceDoneConfig(ReleaseGuardConfig, LostObjectConfig, DetectorConfig):
    """The learned place's settings: its success detector, the lost-object check and the release
    guard (one flat model; the fields keep the names they had together)."""


class LearnedPlace(ArmRows, LearnedSkill, twin=ScriptedPlace):
    """Put the held object in or on a receptacle (learned policy from the cameras and the instruction).

    Same arguments, preconditions and effects as the scripted ``place``. Ends when the
    object lies in the receptacle with the gripper open and the arm has come to rest; fails once
    the object is neither held nor in the receptacle (dropped elsewhere).

    It lets go only over the receptacle (:mod:`skills.learned.release`,
    :attr:`PlaceDoneConfig.release_over_m`): an opening command while the held object is elsewhere
    keeps it, brings the arm home with it and restarts the policy there.
    """

    default_done: ClassVar[PlaceDoneConfig] = PlaceDoneConfig(release_over_m=0.0)
    keep_any: ClassVar[tuple[str, ...]] = ("holding(?object)", "in(?object, ?receptacle)")
    """Literals of which one must hold while the place runs
    (:class:`~skills.learned.checks.LostObjectCheck`): the object is held or in the receptacle."""
    free_spot: ClassVar[FreeSpotConfig | None] = FreeSpotConfig()
    """Measure the room in the receptacle from the head depth image and the map's rectangle
    (:mod:`skills.vla.free_space`) and let the policy's goal move off anything lying there;
    ``None``: the goal head's guess alone. Needs a :class:`~skills.vla.protocol.PlaceSpotAware`
    policy with a depth camera."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lost = LostObjectCheck(self.keep_any, self.done)
        self.release = ReleaseGuard(self.done)

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        super()._reset(env, args, scene)
        self.lost.reset(self.binding, self.facts)
        self.room_measured = False
        self.room: RoomMap | None = None
        """The receptacle's measured room this call (world frame), ``None`` if none (a diagnostic)."""
        self.release.reset(self.env, scene, self.binding)

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        if self.release.held:
            failed = self.release.start_rehoming()
            if failed is not None:
                return failed
        if self.release.rehoming:
            row = self.release.rehome_step()
            if row is not None:
                self.step += 1
                return self._to_action(row)
            # home (or as near as it got): the policy starts afresh from there
            self.policy.reset()
            self.executor.reset()
            self.room_measured = False
        if not self.room_measured:
            self.room_measured = True
            self._measure_room(obs)
        return super()._act(obs)

    def _check_step(self) -> Action | Done | None:
        """The object lost (neither held nor in the receptacle: dropped elsewhere)."""
        return self.lost.check(self.step)

    def _row(self, row: np.ndarray) -> np.ndarray:
        """The applied row, through the release guard (:meth:`ReleaseGuard.guard`)."""
        out = super()._row(row)
        return self.release.guard(out, self._closes(out))

    def _measure_room(self, obs: dict[str, np.ndarray]) -> None:
        """Before the first chunk: :func:`skills.vla.free_space.room_map` of the receptacle the call
        names, handed to the policy as a base-frame ``place_spot`` (the base stands still in a place)."""
        if self.free_spot is None or not isinstance(self.policy, PlaceSpotAware):
            return
        camera = self.policy.depth_camera
        if camera is None:
            return
        depth, receptacle = obs.get("head_depth"), self.binding.get("?receptacle")
        place = self.env.places.get(receptacle) if receptacle else None
        if depth is None or place is None:
            return
        arm = self.env.robot.arm
        mount_pos, mount_quat = arm.mount_pose()
        rot = quat_matrix(mount_quat)
        self.room = room_map(
            np.asarray(depth, np.float32), camera, mount_pos, rot, place.region,
            arm.ee_world()[0], self.free_spot,
        )  # fmt: skip
        if self.room is None:
            return
        room, env, z = self.room, self.env, place.region.support_z

        def spot(xy_base: np.ndarray) -> np.ndarray | None:
            world, _ = arm.to_world(np.array([xy_base[0], xy_base[1], 0.0]), np.eye(3))
            found = room.spot_near(world[:2])
            return None if found is None else env.world_to_base(np.array([*found, z]))[:2]

        self.policy.place_spot = spot


__all__ = ["LearnedPlace", "PlaceDoneConfig"]


LEARNED_SKILLS.add(LearnedPlace.name, LearnedPlace)
