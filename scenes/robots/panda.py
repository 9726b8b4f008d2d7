"""The Franka Panda arm (``pybullet_data/franka_panda/panda.urdf``) with end-effector delta control.

Frames: the **robot base frame** is the Panda's mount frame (``panda_link0``): x
forward, y left, z up, in metres. The end effector (EE) is ``panda_grasptarget``, the
point between the fingertips. "Top-down" means the EE z axis points down; the EE yaw
``psi`` (rad, base frame) then sets the finger closing axis to ``(-sin psi, cos psi, 0)``.

Grasping honesty note: the fingers have high friction and a force-limited position
controller, and the object is physically squeezed. Because friction alone is brittle
while the base drives around, a grasp is additionally *welded*: when the gripper is
commanded closed and **both** fingers touch the same graspable object, a fixed
constraint joins the object to the hand at its current relative pose (as RLBench and
Habitat do). The weld is released as soon as the gripper is commanded open. Nothing is
ever attached at a distance: without two-finger contact there is no weld. The contact must be
a squeeze: each finger pushes on the object across the closing axis (a contact normal within
60 degrees of it, not fingertips resting on its top), and the fingers have closed on it to at
most :data:`MAX_WELD_WIDTH_M` (an object touching both still nearly fully open fingers is caught
on them, a box's corners wedged across them, not held between them). Welding those let the
fingers close through the object and carried it on their tips.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pybullet as p
import pybullet_data

from agentrt.core.actions import MAX_EE_STEP_M, MAX_EE_STEP_RAD
from scenes.geometry import euler_matrix, matrix_quat, quat_matrix
from scenes.robots.camera import CameraSpec, render

ARM_JOINTS = tuple(range(7))
FINGER_JOINTS = (9, 10)
HAND_LINK = 8
EE_LINK = 11
FINGER_OPEN_M = 0.04
"""Opening of each finger when fully open (m); the gripper width is twice this."""
JOINT_LOWER = np.array([-2.9671, -1.8326, -2.9671, -3.0718, -2.9671, -0.0175, -2.9671])
JOINT_UPPER = np.array([2.9671, 1.8326, 2.9671, -0.0698, 2.9671, 3.7525, 2.9671])
REST_POSE = np.array([0.0, -0.4, 0.0, -2.3, 0.0, 1.95, 0.785])
"""Null-space rest configuration: elbow up, wrist above the hand, gripper down."""
ARM_FORCES = np.array([87.0, 87.0, 87.0, 87.0, 12.0, 12.0, 12.0]) * 2.0
FINGER_FORCE_N = 60.0
MAX_WELD_WIDTH_M = 0.07
"""No weld while the gripper is wider than this (m): every graspable object is at most 6 cm across
its grasp axis, and the fully open gripper is 8 cm."""
RELEASE_CLEARANCE_M = 0.002
"""After a release, the fingers collide with the object again once neither is within this (m) of it."""
RELEASE_MAX_SUBSTEPS = 240
"""... or after this many physics substeps (1 s at 240 Hz), whichever comes first."""
LETGO_LINKS = FINGER_JOINTS
"""The links kept out of collision with a just-released object (:meth:`PandaArm.release`): the fingers,
which sank into it; the palm still rests on it, so a hand pressing down does not drop through it."""
EE_LEASH_M = 0.1
"""The commanded EE target is kept within this distance of the measured EE (m)."""
TOP_DOWN = euler_matrix(np.pi, 0.0, 0.0)
"""Rotation (base frame) of the top-down EE orientation with yaw 0."""


def top_down(yaw: float) -> np.ndarray:
    """Top-down EE rotation matrix (base frame) with the given yaw (rad)."""
    return euler_matrix(0.0, 0.0, yaw) @ TOP_DOWN


class PandaArm:
    """One Panda arm: IK-based EE delta control, gripper, grasp weld, wrist camera.

    ``PandaArm.let_go_through = False`` restores the old release, in which the opening fingers
    push the object (the removed experiment ``release_travel --push``, docs/experiments.md,
    measured the difference).

    Args:
        client: PyBullet physics client id.
        mount_pos, mount_yaw: world pose of ``panda_link0`` (m, rad).
        workspace: ``((xmin, ymin, zmin), (xmax, ymax, zmax))`` box in the base frame
            (m) to which the commanded EE target is clipped.
        home_pos: EE home position in the base frame (m); the home pose is top-down.
        wrist: wrist camera intrinsics.
    """

    let_go_through: bool = True
    """Whether a release lets the fingers pass through the object until clear (:meth:`release`)."""

    def __init__(
        self,
        client: int,
        mount_pos: np.ndarray,
        mount_yaw: float,
        workspace: tuple[tuple[float, float, float], tuple[float, float, float]],
        home_pos: tuple[float, float, float],
        wrist: CameraSpec,
    ) -> None:
        self.client = client
        self.workspace = (np.array(workspace[0]), np.array(workspace[1]))
        self.home_pos = np.array(home_pos, dtype=float)
        self.wrist_spec = wrist
        self.body = p.loadURDF(
            f"{pybullet_data.getDataPath()}/franka_panda/panda.urdf",
            basePosition=list(mount_pos),
            baseOrientation=p.getQuaternionFromEuler((0, 0, mount_yaw)),
            useFixedBase=True,
            physicsClientId=client,
        )
        for link in FINGER_JOINTS:
            p.changeDynamics(
                self.body,
                link,
                lateralFriction=2.0,
                spinningFriction=0.01,
                frictionAnchor=1,
                physicsClientId=client,
            )
        self.target_pos = self.home_pos.copy()
        self.target_rot = top_down(0.0)
        self.gripper_cmd = -1.0
        self.weld: int | None = None
        self.held: int | None = None
        self.letting_go: tuple[int, int] | None = None
        """After a release: the object the fingers pass through, and substeps since."""
        self.graspable: Collection[int] = ()

    # ------------------------------------------------------------------ frames
    def mount_pose(self) -> tuple[np.ndarray, np.ndarray]:
        """World pose of the base frame: position (3,) and quaternion (4,)."""
        pos, quat = p.getBasePositionAndOrientation(self.body, physicsClientId=self.client)
        return np.array(pos), np.array(quat)

    def set_mount(self, pos: np.ndarray, quat: np.ndarray) -> None:
        """Teleport the arm's fixed base (used by the mobile base every physics step)."""
        p.resetBasePositionAndOrientation(self.body, list(pos), list(quat), physicsClientId=self.client)

    def to_world(self, pos_b: np.ndarray, rot_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Base-frame position (3,) and rotation (3, 3) to world position and quaternion."""
        mpos, mquat = self.mount_pose()
        mrot = quat_matrix(mquat)
        return mpos + mrot @ pos_b, matrix_quat(mrot @ rot_b)

    def ee_pose(self) -> tuple[np.ndarray, np.ndarray]:
        """Measured EE pose in the base frame: position (3,) m and rotation matrix (3, 3)."""
        state = p.getLinkState(self.body, EE_LINK, computeForwardKinematics=True, physicsClientId=self.client)
        mpos, mquat = self.mount_pose()
        mrot = quat_matrix(mquat)
        pos = mrot.T @ (np.array(state[4]) - mpos)
        return pos, mrot.T @ quat_matrix(state[5])

    def ee_world(self) -> tuple[np.ndarray, np.ndarray]:
        """Measured EE pose in the world frame: position (3,) and quaternion (4,)."""
        state = p.getLinkState(self.body, EE_LINK, computeForwardKinematics=True, physicsClientId=self.client)
        return np.array(state[4]), np.array(state[5])

    # ----------------------------------------------------------------- control
    def reset_home(self) -> None:
        """Put the joints at the top-down home pose (exactly, no dynamics) and open the gripper."""
        for j, q in zip(ARM_JOINTS, REST_POSE, strict=False):
            p.resetJointState(self.body, j, q, physicsClientId=self.client)
        self.target_pos = self.home_pos.copy()
        self.target_rot = top_down(0.0)
        for _ in range(3):  # IK from the current configuration converges in a few resets
            q = self._solve_ik()
            for j, qj in zip(ARM_JOINTS, q, strict=False):
                p.resetJointState(self.body, j, qj, physicsClientId=self.client)
        for j in FINGER_JOINTS:
            p.resetJointState(self.body, j, FINGER_OPEN_M, physicsClientId=self.client)
        self.release()
        self._collide_again()
        self.gripper_cmd = -1.0
        self._send(q)

    def apply(self, delta: np.ndarray) -> None:
        """Take one 7-D EE delta command (base frame); see :mod:`agentrt.core.actions`.

        Translation is clipped per axis to ``MAX_EE_STEP_M`` and rotation to
        ``MAX_EE_STEP_RAD``; the new target is clipped to the workspace and kept within
        :data:`EE_LEASH_M` of the measured EE. Rotations compose extrinsically in the base frame.
        """
        delta = np.nan_to_num(np.asarray(delta, dtype=float).reshape(7))
        dpos = np.clip(delta[:3], -MAX_EE_STEP_M, MAX_EE_STEP_M)
        drot = np.clip(delta[3:6], -MAX_EE_STEP_RAD, MAX_EE_STEP_RAD)
        target = np.clip(self.target_pos + dpos, *self.workspace)
        measured, _ = self.ee_pose()
        offset = target - measured
        dist = float(np.linalg.norm(offset))
        if dist > EE_LEASH_M:
            target = measured + offset * (EE_LEASH_M / dist)
        self.target_pos = target
        self.target_rot = euler_matrix(*drot) @ self.target_rot
        self.gripper_cmd = float(np.clip(delta[6], -1.0, 1.0))
        if self.gripper_cmd <= 0.0:
            self.release()
        self._send(self._solve_ik())

    def _solve_ik(self) -> np.ndarray:
        pos_w, quat_w = self.to_world(self.target_pos, self.target_rot)
        lower = list(JOINT_LOWER) + [0.0, 0.0]
        upper = list(JOINT_UPPER) + [FINGER_OPEN_M, FINGER_OPEN_M]
        ranges = [u - lo for u, lo in zip(upper, lower, strict=False)]
        rest = list(REST_POSE) + [FINGER_OPEN_M, FINGER_OPEN_M]
        q = p.calculateInverseKinematics(
            self.body,
            EE_LINK,
            list(pos_w),
            list(quat_w),
            lowerLimits=lower,
            upperLimits=upper,
            jointRanges=ranges,
            restPoses=rest,
            maxNumIterations=60,
            residualThreshold=1e-5,
            physicsClientId=self.client,
        )
        return np.clip(np.array(q[:7]), JOINT_LOWER, JOINT_UPPER)

    def _send(self, q: np.ndarray) -> None:
        p.setJointMotorControlArray(
            self.body,
            list(ARM_JOINTS),
            p.POSITION_CONTROL,
            targetPositions=list(q),
            forces=list(ARM_FORCES),
            positionGains=[0.3] * 7,
            physicsClientId=self.client,
        )
        finger = FINGER_OPEN_M * (1.0 - self.gripper_cmd) / 2.0
        p.setJointMotorControlArray(
            self.body,
            list(FINGER_JOINTS),
            p.POSITION_CONTROL,
            targetPositions=[finger, finger],
            forces=[FINGER_FORCE_N] * 2,
            positionGains=[0.2] * 2,
            physicsClientId=self.client,
        )

    # ---------------------------------------------------------------- grasping
    def update_grasp(self) -> None:
        """Weld a two-finger-contact object while closing (call after physics steps)."""
        if self.letting_go is not None:
            self._let_go_step()
        if self.gripper_cmd <= 0.0 or self.weld is not None or self.gripper_width() > MAX_WELD_WIDTH_M:
            return
        touching = [
            {c[2] for c in p.getContactPoints(bodyA=self.body, linkIndexA=f, physicsClientId=self.client)}
            for f in FINGER_JOINTS
        ]
        common = sorted((touching[0] & touching[1]) & set(self.graspable))
        squeezed = [o for o in common if self._squeezes(o)]
        if not squeezed:
            return
        obj = squeezed[0]
        hpos, hquat = p.getLinkState(self.body, HAND_LINK, physicsClientId=self.client)[4:6]
        opos, oquat = p.getBasePositionAndOrientation(obj, physicsClientId=self.client)
        inv_pos, inv_quat = p.invertTransform(hpos, hquat)
        rel_pos, rel_quat = p.multiplyTransforms(inv_pos, inv_quat, opos, oquat)
        self.weld = p.createConstraint(
            self.body,
            HAND_LINK,
            obj,
            -1,
            p.JOINT_FIXED,
            (0, 0, 0),
            rel_pos,
            (0, 0, 0),
            parentFrameOrientation=rel_quat,
            physicsClientId=self.client,
        )
        p.changeConstraint(self.weld, maxForce=300.0, physicsClientId=self.client)
        self.held = obj

    def _squeezes(self, obj: int) -> bool:
        """Whether both fingers push on body ``obj`` across the closing axis (the hand's y axis):
        each has a contact whose normal is within 60 degrees of it."""
        quat = p.getLinkState(self.body, HAND_LINK, physicsClientId=self.client)[5]
        axis = quat_matrix(np.asarray(quat))[:, 1]
        for finger in FINGER_JOINTS:
            contacts = p.getContactPoints(
                bodyA=self.body, bodyB=obj, linkIndexA=finger, physicsClientId=self.client
            )
            if not any(abs(float(np.dot(c[7], axis))) >= 0.5 for c in contacts):
                return False
        return True

    def release(self) -> None:
        """Remove the grasp weld, if any, and let go of the object without pushing it.

        The weld pins the object to the hand while the finger motors go on closing, so a held
        object ends with the fingers sunk into it (a 5 cm mug at 0 cm width). Opening them from
        there made PyBullet push the two apart: released objects were thrown up to 35 cm, off the
        receptacle. So until the fingers are clear of it (:data:`RELEASE_CLEARANCE_M`, or
        :data:`RELEASE_MAX_SUBSTEPS`) they do not collide with it: it drops from where it was held,
        as it would from a real gripper whose fingers never entered it.
        """
        if self.weld is not None:
            p.removeConstraint(self.weld, physicsClientId=self.client)
            if self.held is not None and self.let_go_through:
                self._collide_again()
                self._set_collision(self.held, False)
                self.letting_go = (self.held, 0)
        self.weld = None
        self.held = None

    def _let_go_step(self) -> None:
        """One substep of letting go: collide with the released object again once clear of it."""
        assert self.letting_go is not None
        obj, substeps = self.letting_go
        near = any(
            p.getClosestPoints(
                self.body, obj, RELEASE_CLEARANCE_M, linkIndexA=link, physicsClientId=self.client
            )
            for link in LETGO_LINKS
        )
        if near and substeps + 1 < RELEASE_MAX_SUBSTEPS:
            self.letting_go = (obj, substeps + 1)
        else:
            self._collide_again()

    def _collide_again(self) -> None:
        """End a let-go at once (a re-grasp, a reset): the fingers collide with that object again."""
        if self.letting_go is not None:
            self._set_collision(self.letting_go[0], True)
            self.letting_go = None

    def _set_collision(self, obj: int, enable: bool) -> None:
        for link in LETGO_LINKS:
            p.setCollisionFilterPair(self.body, obj, link, -1, int(enable), physicsClientId=self.client)

    def gripper_width(self) -> float:
        """Current finger opening (m), sum of both finger joints."""
        states = p.getJointStates(self.body, list(FINGER_JOINTS), physicsClientId=self.client)
        return float(states[0][0] + states[1][0])

    def joint_positions(self) -> np.ndarray:
        """Arm joint angles (7,) rad."""
        return np.array(
            [s[0] for s in p.getJointStates(self.body, list(ARM_JOINTS), physicsClientId=self.client)]
        )

    def wrist_view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Eye, target and up vectors (world) of the wrist camera: on the hand, looking along the fingers."""
        pos, quat = p.getLinkState(self.body, HAND_LINK, physicsClientId=self.client)[4:6]
        rot = quat_matrix(quat)
        eye = np.array(pos) + rot @ np.array([0.06, 0.0, 0.02])
        return eye, eye + rot @ np.array([-0.05, 0.0, 0.3]), rot @ np.array([1.0, 0.0, 0.0])

    def wrist_image(self) -> np.ndarray:
        """Wrist camera RGB ``(h, w, 3)`` uint8 (:meth:`wrist_view`)."""
        rgb, _ = render(self.client, self.wrist_spec, *self.wrist_view())
        return rgb
