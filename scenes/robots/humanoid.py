"""The DeepMimic humanoid of ``pybullet_data`` as a position-driven robot: loading, state, actuation.

Model: ``humanoid/humanoid.urdf`` at ``globalScaling=0.25`` (1.6 m, 45 kg): pelvis (the
trunk here), chest, neck, and per side hip, knee, ankle, shoulder, elbow. Chest, neck,
hips, ankles and shoulders are spherical joints (3 DOF), knees and elbows revolute (1
DOF): 28 DOF in all. Its feet are boxes, so it can stand on ankle torque alone; that is
why it is the balance model here (the MJCF humanoids stand on ball feet without ankles).

Frames: the world is z-up. The URDF is y-up, so the robot is loaded rotated +90° about
x; the *trunk frame* is the pelvis frame re-expressed z-up (x forward, y left, z up),
and every velocity and gravity reading is in it. A spherical joint's 3 DOF are the
rotation vector (rad) of its joint quaternion in the URDF joint axes, which at the zero
pose are: x forward (abduction/roll), y up (twist), z to the robot's right (flexion:
positive swings a hip or shoulder forward and lifts the toes). Knees bend negative,
elbows positive. DOF vectors follow :data:`HUMANOID` ``joint_names``, each joint's
DOF consecutive.

Actuation: PyBullet's implicit position motors (``POSITION_CONTROL``) with per-joint
torque limits, every physics step. Explicit torque PD on this model diverges at 200 Hz
(its feet and hands weigh 0.5–1 kg with tiny inertia); the implicit motor is the
stable PD the DeepMimic model was built for. ``kp`` and ``kd`` are therefore PyBullet's
position and velocity gains (dimensionless, in (0, 1]); torques are limited in N·m.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pybullet as pb
import pybullet_data

from scenes.geometry import quat_matrix
from scenes.robots.legged import FloatingBaseReadout

_UP_Y_TO_Z = pb.getQuaternionFromEuler((np.pi / 2, 0.0, 0.0))
"""Rotation that stands the y-up URDF upright in the z-up world."""
_R_TRUNK_IN_URDF = quat_matrix(pb.getQuaternionFromEuler((-np.pi / 2, 0.0, 0.0)))
"""Columns: the trunk frame's axes (forward, left, up) in the URDF pelvis frame."""


@dataclass(frozen=True)
class HumanoidSpec:
    """Everything that makes the URDF a controllable humanoid here.

    ``joint_names`` with ``joint_dofs`` (1 or 3) fix the order of every DOF vector.
    """

    name: str
    urdf: str
    """Path relative to ``pybullet_data``."""
    scaling: float
    joint_names: tuple[str, ...]
    joint_dofs: tuple[int, ...]
    joint_kp: tuple[float, ...]
    """Per joint position gain of the implicit motor (dimensionless)."""
    joint_kd: tuple[float, ...]
    """Per joint velocity gain of the implicit motor (dimensionless)."""
    joint_torque: tuple[float, ...]
    """Per joint torque limit, N·m (each axis of a spherical joint)."""
    base_height: float
    """Pelvis height standing straight, m."""
    foot_links: tuple[str, ...]
    fall_height: float = 0.55
    """Pelvis height below which the robot counts as fallen, m."""
    fall_tilt: float = 0.8
    """Pelvis tilt from upright above which it counts as fallen, rad."""
    extra: dict[str, float] = field(default_factory=dict)
    """Leg geometry for the posture prior: ``thigh``, ``shin`` (m), ``hip_y`` (half hip width, m),
    ``ankle_height`` (ankle joint above the sole, m)."""

    def _per_dof(self, values: tuple[float, ...]) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=np.float64), self.joint_dofs)

    @property
    def n_dof(self) -> int:
        return int(sum(self.joint_dofs))

    @property
    def kp(self) -> np.ndarray:
        """``(n_dof,)`` position gains (what :class:`~controllers.base.ControlledRobot` restores)."""
        return self._per_dof(self.joint_kp)

    @property
    def kd(self) -> np.ndarray:
        """``(n_dof,)`` velocity gains."""
        return self._per_dof(self.joint_kd)

    @property
    def torque_limit(self) -> np.ndarray:
        """``(n_dof,)`` torque limits, N·m."""
        return self._per_dof(self.joint_torque)

    def dof_slice(self, joint: str) -> slice:
        """Where ``joint``'s DOF sit in a DOF vector."""
        start = int(sum(self.joint_dofs[: self.joint_names.index(joint)]))
        return slice(start, start + self.joint_dofs[self.joint_names.index(joint)])


_JOINTS = (
    ("chest", 3, 200.0),
    ("neck", 3, 50.0),
    ("right_hip", 3, 200.0),
    ("right_knee", 1, 150.0),
    ("right_ankle", 3, 90.0),
    ("right_shoulder", 3, 100.0),
    ("right_elbow", 1, 60.0),
    ("left_hip", 3, 200.0),
    ("left_knee", 1, 150.0),
    ("left_ankle", 3, 90.0),
    ("left_shoulder", 3, 100.0),
    ("left_elbow", 1, 60.0),
)

HUMANOID = HumanoidSpec(
    name="humanoid",
    urdf="humanoid/humanoid.urdf",
    scaling=0.25,
    joint_names=tuple(j[0] for j in _JOINTS),
    joint_dofs=tuple(j[1] for j in _JOINTS),
    joint_kp=(0.2,) * len(_JOINTS),
    joint_kd=(0.5,) * len(_JOINTS),
    joint_torque=tuple(j[2] for j in _JOINTS),  # DeepMimic's limits
    base_height=0.881,
    foot_links=("right_ankle", "left_ankle"),
    extra={"thigh": 0.4217, "shin": 0.4093, "hip_y": 0.0849, "ankle_height": 0.05},
)
"""DeepMimic humanoid, 12 actuated joints, 28 DOF (see the module docstring for the DOF order)."""


def quat_to_rotvec(quat: tuple[float, ...]) -> np.ndarray:
    """Rotation vector ``(3,)`` (rad) of a quaternion ``(x, y, z, w)``; angle in [0, pi]."""
    x, y, z, w = quat
    if w < 0:
        x, y, z, w = -x, -y, -z, -w
    s = float(np.sqrt(x * x + y * y + z * z))
    if s < 1e-12:
        return np.array([2.0 * x, 2.0 * y, 2.0 * z])
    return np.array([x, y, z]) / s * 2.0 * np.arctan2(s, w)


def rotvec_to_quat(rotvec: np.ndarray) -> list[float]:
    """Quaternion ``[x, y, z, w]`` of a rotation vector ``(3,)`` (rad)."""
    angle = float(np.linalg.norm(rotvec))
    if angle < 1e-12:
        return [0.5 * float(rotvec[0]), 0.5 * float(rotvec[1]), 0.5 * float(rotvec[2]), 1.0]
    axis = np.asarray(rotvec) / angle
    s = np.sin(angle / 2.0)
    return [float(axis[0] * s), float(axis[1] * s), float(axis[2] * s), float(np.cos(angle / 2.0))]


class HumanoidRobot(FloatingBaseReadout):
    """The humanoid in a PyBullet client; same interface as :class:`~scenes.robots.legged.LeggedRobot`.

    ``q``/``dq``/targets are ``(n_dof,)`` DOF vectors; ``kp``/``kd`` are ``(n_dof,)`` and may be
    changed in place (the fall interlock zeroes ``kp``); a spherical joint uses its first DOF's gain.
    :meth:`state` reads the pelvis position and the trunk frame (z up, x forward); ``foot_contacts``
    is ``(2,)``, right and left foot.
    """

    trunk_name: ClassVar[str] = "pelvis"
    trunk_in_base: ClassVar[np.ndarray | None] = _R_TRUNK_IN_URDF

    def __init__(
        self, client: int, spec: HumanoidSpec = HUMANOID, position: tuple[float, float, float] | None = None
    ):
        self.client = client
        self.spec = spec
        start = position or (0.0, 0.0, spec.base_height + 0.01)
        self.body = pb.loadURDF(
            f"{pybullet_data.getDataPath()}/{spec.urdf}",
            start,
            _UP_Y_TO_Z,
            globalScaling=spec.scaling,
            useFixedBase=False,
            flags=pb.URDF_MAINTAIN_LINK_ORDER,
            physicsClientId=client,
        )
        info = [
            pb.getJointInfo(self.body, j, physicsClientId=client)
            for j in range(pb.getNumJoints(self.body, physicsClientId=client))
        ]
        names = {i[1].decode(): i[0] for i in info}
        missing = [n for n in spec.joint_names if n not in names]
        if missing:
            raise ValueError(f"{spec.urdf} has no joints {missing}")
        self.joints = [names[n] for n in spec.joint_names]
        for j, dof in zip(self.joints, spec.joint_dofs, strict=True):
            kind = info[j][2]
            if (dof == 3) != (kind == pb.JOINT_SPHERICAL) or (dof == 1 and kind != pb.JOINT_REVOLUTE):
                raise ValueError(f"{spec.urdf}: joint {info[j][1].decode()} is not {dof}-DOF as specified")
        self.feet = [names[n] for n in spec.foot_links]
        self._starts = np.cumsum((0,) + spec.joint_dofs)[:-1]
        self.default_q = np.zeros(spec.n_dof)
        self.torque_limit = spec.torque_limit
        self.kp = spec.kp.copy()
        self.kd = spec.kd.copy()
        self.last_tau = np.zeros(spec.n_dof)
        self._motor_key = b""
        self._motor_args: dict[str, list] = {}

    @property
    def n_joints(self) -> int:
        """Number of DOF (the length of every joint vector)."""
        return self.spec.n_dof

    def reset(
        self,
        position: tuple[float, float, float],
        yaw: float = 0.0,
        q: np.ndarray | None = None,
        roll: float = 0.0,
        pitch: float = 0.0,
    ) -> None:
        """Teleport the pelvis to ``position`` (world m), trunk at ``(roll, pitch, yaw)`` (rad, extrinsic
        x-y-z), joints at ``q`` (zero pose), all at rest."""
        trunk = pb.getQuaternionFromEuler((roll, pitch, yaw))
        quat = pb.multiplyTransforms((0, 0, 0), trunk, (0, 0, 0), _UP_Y_TO_Z)[1]
        pb.resetBasePositionAndOrientation(self.body, position, quat, physicsClientId=self.client)
        pb.resetBaseVelocity(self.body, (0, 0, 0), (0, 0, 0), physicsClientId=self.client)
        values = self.default_q if q is None else np.asarray(q, dtype=np.float64)
        for j, start, dof in zip(self.joints, self._starts, self.spec.joint_dofs, strict=True):
            if dof == 3:
                pb.resetJointStateMultiDof(
                    self.body,
                    j,
                    rotvec_to_quat(values[start : start + 3]),
                    [0.0, 0.0, 0.0],
                    physicsClientId=self.client,
                )
            else:
                pb.resetJointState(self.body, j, float(values[start]), 0.0, physicsClientId=self.client)
        self.last_tau[:] = 0.0

    def joint_state(self) -> tuple[np.ndarray, np.ndarray]:
        """``(q, dq)``, each ``(n_dof,)``: rad (rotation vectors for spherical joints) and rad/s."""
        states = pb.getJointStatesMultiDof(self.body, self.joints, physicsClientId=self.client)
        q, dq, tau = [], [], []
        for (pos, vel, _, torque), dof in zip(states, self.spec.joint_dofs, strict=True):
            q.extend(quat_to_rotvec(pos) if dof == 3 else pos)
            dq.extend(vel)
            tau.extend(torque)
        self.last_tau = np.asarray(tau, dtype=np.float64)
        return np.asarray(q, dtype=np.float64), np.asarray(dq, dtype=np.float64)

    def apply_pd(self, q_target: np.ndarray) -> np.ndarray:
        """Set the motors toward ``q_target`` ``(n_dof,)`` (rad) for the next physics step.

        Returns the torques (N·m) the motors applied on the last step.
        """
        key = q_target.tobytes() + self.kp.tobytes() + self.kd.tobytes()
        if key != self._motor_key:  # the same targets are held for several physics steps
            self._motor_key, self._motor_args = key, self._motor_arguments(q_target)
        pb.setJointMotorControlMultiDofArray(
            self.body, self.joints, pb.POSITION_CONTROL, physicsClientId=self.client, **self._motor_args
        )
        return self.last_tau

    def _motor_arguments(self, q_target: np.ndarray) -> dict[str, list]:
        targets, gains_p, gains_v, forces, zero_vel = [], [], [], [], []
        for start, dof in zip(self._starts, self.spec.joint_dofs, strict=True):
            if dof == 3:
                targets.append(rotvec_to_quat(q_target[start : start + 3]))
            else:
                targets.append([float(q_target[start])])
            zero_vel.append([0.0] * dof)
            gains_p.append(float(self.kp[start]))
            gains_v.append(float(self.kd[start]))
            forces.append([float(self.torque_limit[start])] * dof)
        return {
            "targetPositions": targets,
            "targetVelocities": zero_vel,
            "positionGains": gains_p,
            "velocityGains": gains_v,
            "forces": forces,
        }

    def non_foot_contact(self, ground: int) -> bool:
        """Whether any link other than the feet touches ``ground`` (a knee, a hand, the trunk)."""
        return any(
            c[3] not in self.feet for c in pb.getContactPoints(self.body, ground, physicsClientId=self.client)
        )


__all__ = ["HUMANOID", "HumanoidRobot", "HumanoidSpec", "quat_to_rotvec", "rotvec_to_quat"]
