"""Robot models: ``mobile-panda`` (Panda on a holonomic base) and ``panda`` (fixed Panda).

The mobile base is a kinematic box: each 240 Hz physics step integrates the commanded
``(vx, vy, wz)`` (base frame, m/s and rad/s, clipped to the limits in
:mod:`agentrt.core.actions`) and teleports the base and the arm together
(deterministic). A step that would put the base footprint into a fixture is refused and
reported through :attr:`MobilePanda.blocked`; the base then makes the first free part of the
step: its translation without the turn, else the translation's world x or y alone (sliding
along a wall), else the turn alone, or it stays put. A real base pushed against furniture
slides along it and still backs away from it; one whose whole step were refused gets pinned
where a turn would swing a corner into a wall (``MobilePanda._partial_steps``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import pybullet as p

from agentrt.core.actions import MAX_BASE_ANG_RPS, MAX_BASE_LIN_MPS, PHYSICS_HZ
from agentrt.core.registry import ROBOTS
from scenes.geometry import Rect, box_corners, obb_hits_rect, quat_matrix, rot2, yaw_quat
from scenes.robots.camera import CameraSpec, render
from scenes.robots.panda import PandaArm

BASE_HALF_M = 0.25
"""Half side of the square base footprint (m)."""
BASE_HEIGHT_M = 0.42
"""Height of the base top, where the Panda is mounted (m)."""
ARM_MOUNT_X_M = 0.12
"""Forward offset of the Panda mount from the base centre (m)."""
MAST_HEIGHT_M = 1.75
"""Height of the head camera above the floor (m); the mast stands at the base's rear left."""


class FixedPanda:
    """``panda``: the Panda bolted at a world pose (for ``tabletop-v0``).

    Args:
        client: physics client id.
        pose: ``(x, y, z, yaw)`` of ``panda_link0`` in the world (m, rad).
        head: intrinsics of the scene camera (fixed, behind and above the arm).
        wrist: intrinsics of the wrist camera.
    """

    name = "panda"
    mobile = False
    workspace = ((0.2, -0.55, -0.05), (0.8, 0.55, 0.6))
    home_pos = (0.4, 0.0, 0.3)

    def __init__(self, client: int, pose: Sequence[float], head: CameraSpec, wrist: CameraSpec) -> None:
        self.client = client
        self.head_spec = head
        x, y, z, yaw = pose
        self.pose = np.array([x, y, yaw])
        self.mount_z = z
        self.arm = PandaArm(client, np.array([x, y, z]), yaw, self.workspace, self.home_pos, wrist)
        self.blocked = False

    def reset(self, base_pose: Sequence[float] | None = None) -> None:
        """Home the arm (the base pose of a fixed robot cannot change)."""
        self.arm.reset_home()

    def set_base_command(self, command: np.ndarray | None) -> None:
        """A fixed robot ignores base commands."""

    def substep(self, fixtures: Sequence[Rect]) -> None:
        """Per physics step work before ``stepSimulation`` (nothing for a fixed base)."""

    def base_pose(self) -> np.ndarray:
        """``(x, y, yaw)`` of the base in the world (m, rad)."""
        return self.pose.copy()

    def head_view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Eye, target and up vectors (world) of the head camera."""
        x, y, yaw = self.pose
        fwd = np.array([math.cos(yaw), math.sin(yaw), 0.0])
        eye = np.array([x, y, self.mount_z + 0.75]) - 0.25 * fwd
        return eye, np.array([x, y, self.mount_z]) + 0.55 * fwd, np.array([0.0, 0.0, 1.0])

    def head_images(self) -> tuple[np.ndarray, np.ndarray]:
        """Head RGB ``(H, W, 3)`` uint8 and depth ``(H, W, 1)`` float32 metres."""
        return render(self.client, self.head_spec, *self.head_view())


class MobilePanda(FixedPanda):
    """``mobile-panda``: a Panda on a 0.5 x 0.5 m holonomic base with a camera mast.

    The Panda is mounted :data:`ARM_MOUNT_X_M` ahead of the base centre at
    :data:`BASE_HEIGHT_M`, so it reaches surfaces 0.4-0.8 m high. The head camera sits
    on a mast at :data:`MAST_HEIGHT_M`, looking forward and down.
    """

    name = "mobile-panda"
    mobile = True
    workspace = ((0.15, -0.6, -0.38), (0.85, 0.6, 0.75))
    home_pos = (0.2, -0.15, 0.55)
    """Home EE position (base frame): tucked to the right, out of the head camera's view."""

    def __init__(self, client: int, pose: Sequence[float], head: CameraSpec, wrist: CameraSpec) -> None:
        self.client = client
        self.head_spec = head
        self.pose = np.array(pose[:3], dtype=float)
        self.command = np.zeros(3)
        self.blocked = False
        half = [BASE_HALF_M, BASE_HALF_M, BASE_HEIGHT_M / 2]
        vis = p.createVisualShapeArray(
            [p.GEOM_BOX, p.GEOM_BOX],
            halfExtents=[half, [0.03, 0.03, (MAST_HEIGHT_M - 0.1 - BASE_HEIGHT_M) / 2]],
            visualFramePositions=[
                [0, 0, 0],
                [-0.2, 0.18, (MAST_HEIGHT_M - 0.1 - BASE_HEIGHT_M) / 2 + BASE_HEIGHT_M / 2],
            ],
            rgbaColors=[[0.25, 0.25, 0.3, 1], [0.4, 0.4, 0.45, 1]],
            physicsClientId=client,
        )
        col = p.createCollisionShape(p.GEOM_BOX, halfExtents=half, physicsClientId=client)
        self.body = p.createMultiBody(0.0, col, vis, [0, 0, BASE_HEIGHT_M / 2], physicsClientId=client)
        self.arm = PandaArm(client, np.zeros(3), 0.0, self.workspace, self.home_pos, wrist)
        p.setCollisionFilterPair(self.body, self.arm.body, -1, -1, 0, physicsClientId=client)
        self._teleport(self.pose)

    def reset(self, base_pose: Sequence[float] | None = None) -> None:
        """Teleport the base to ``(x, y, yaw)`` and home the arm."""
        if base_pose is not None:
            self.pose = np.array(base_pose[:3], dtype=float)
        self.command = np.zeros(3)
        self._teleport(self.pose)
        self.arm.reset_home()

    def set_base_command(self, command: np.ndarray | None) -> None:
        """Hold ``(vx, vy, wz)`` (base frame; m/s, rad/s) for the next policy step; clipped."""
        cmd = np.zeros(3) if command is None else np.nan_to_num(np.asarray(command, dtype=float).reshape(3))
        lin = np.clip(cmd[:2], -MAX_BASE_LIN_MPS, MAX_BASE_LIN_MPS)
        self.command = np.array([*lin, np.clip(cmd[2], -MAX_BASE_ANG_RPS, MAX_BASE_ANG_RPS)])
        self.blocked = False

    def substep(self, fixtures: Sequence[Rect]) -> None:
        """Integrate the base command over one physics step; refuse moves into ``fixtures``."""
        if not np.any(self.command):
            return
        dt = 1.0 / PHYSICS_HZ
        vx, vy = rot2(self.pose[2]) @ self.command[:2]
        step = np.array([vx * dt, vy * dt, self.command[2] * dt])
        new = self.pose + step
        if self.footprint_hits(new, fixtures):
            self.blocked = True
            new = next((q for q in self._partial_steps(step) if not self.footprint_hits(q, fixtures)), None)
            if new is None:
                return
        self.pose = new
        self._teleport(new)

    def _partial_steps(self, step: np.ndarray) -> Iterator[np.ndarray]:
        """Poses after the parts of a refused ``step`` (world ``dx, dy, dyaw``), in order: the
        translation without the turn, then its x and its y alone (sliding along a wall, fixtures
        being axis-aligned), then the turn alone."""
        for part in ([1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]):
            if np.any(step * part):
                yield self.pose + step * part

    @staticmethod
    def footprint_hits(pose: np.ndarray, fixtures: Sequence[Rect]) -> bool:
        """Whether the base footprint at ``(x, y, yaw)`` overlaps any fixture rectangle."""
        corners = box_corners(pose[0], pose[1], pose[2], BASE_HALF_M, BASE_HALF_M)
        return any(obb_hits_rect(corners, rect) for rect in fixtures)

    def _teleport(self, pose: np.ndarray) -> None:
        x, y, yaw = pose
        quat = yaw_quat(yaw)
        p.resetBasePositionAndOrientation(
            self.body, [x, y, BASE_HEIGHT_M / 2], quat, physicsClientId=self.client
        )
        mount = np.array([x, y, 0.0]) + np.array([*(rot2(yaw) @ [ARM_MOUNT_X_M, 0.0]), BASE_HEIGHT_M])
        self.arm.set_mount(mount, np.array(quat))

    def head_view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Eye, target and up vectors (world) of the mast camera, looking forward-down."""
        x, y, yaw = self.pose
        rot = quat_matrix(yaw_quat(yaw))
        eye = np.array([x, y, 0.0]) + rot @ np.array([-0.2, 0.18, MAST_HEIGHT_M])
        target = np.array([x, y, 0.0]) + rot @ np.array([1.0, 0.1, 0.5])
        return eye, target, np.array([0.0, 0.0, 1.0])


ROBOTS.register("panda")(FixedPanda)
ROBOTS.register("mobile-panda")(MobilePanda)
