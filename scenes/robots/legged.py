"""A legged robot in PyBullet driven by joint PD torques: loading, state readout, actuation.

Frames: the world is z-up; the *base frame* is the trunk's link frame (x forward,
y left, z up). Joint angles in rad, velocities in rad/s, torques in N·m. PD runs at the
physics rate (every substep), so the policy's joint targets are tracked between
controller ticks exactly as on a real robot's motor drivers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pybullet as pb
import pybullet_data

from scenes.geometry import matrix_quat, quat_matrix


@dataclass(frozen=True)
class LeggedSpec:
    """Everything that makes a URDF a controllable legged robot here.

    ``joint_names`` fixes the order of every joint vector (targets, angles, actions).
    """

    name: str
    urdf: str
    """Path relative to ``pybullet_data``."""
    joint_names: tuple[str, ...]
    default_q: tuple[float, ...]
    """Nominal standing pose, rad, in ``joint_names`` order."""
    kp: float
    """PD stiffness, N·m/rad."""
    kd: float
    """PD damping, N·m·s/rad."""
    torque_limit: tuple[float, ...]
    """Per-joint torque limits, N·m."""
    base_height: float
    """Trunk height when standing in the default pose, m."""
    foot_links: tuple[str, ...] = ()
    """Link names touching the ground in normal gait."""
    fall_height: float = 0.15
    """Trunk height below which the robot counts as fallen, m."""
    fall_tilt: float = 1.0
    """Trunk tilt (angle between its z axis and world z) above which it counts as fallen, rad."""
    extra: dict[str, float] = field(default_factory=dict)
    """Model-specific geometry (e.g. link lengths for a gait's IK)."""


A1 = LeggedSpec(
    name="a1",
    urdf="a1/a1.urdf",
    joint_names=tuple(
        f"{leg}_{part}_joint" for leg in ("FR", "FL", "RR", "RL") for part in ("hip", "upper", "lower")
    ),
    default_q=(0.0, 0.8, -1.6) * 4,
    kp=40.0,
    kd=1.0,
    torque_limit=(33.5,) * 12,
    base_height=0.30,
    foot_links=("FR_toe", "FL_toe", "RR_toe", "RL_toe"),
    fall_height=0.14,
    fall_tilt=0.9,
    extra={"hip_x": 0.183, "hip_y": 0.047, "abad": 0.08505, "thigh": 0.2, "calf": 0.2},
)
"""Unitree A1 (12 joints, 4 legs in the order FR, FL, RR, RL; hip, thigh, calf each)."""


@dataclass
class LeggedState:
    """One reading of the robot. Arrays are float64.

    ``pos`` (3,) world m; ``quat`` (4,) world xyzw; ``lin_vel_b`` (3,) m/s and
    ``ang_vel_b`` (3,) rad/s in the base frame; ``gravity_b`` (3,) unit gravity direction
    in the base frame ((0, 0, -1) upright); ``q`` and ``dq`` (n_joints,) rad and rad/s;
    ``tau`` (n_joints,) N·m of the last PD substep.
    """

    pos: np.ndarray
    quat: np.ndarray
    lin_vel_b: np.ndarray
    ang_vel_b: np.ndarray
    gravity_b: np.ndarray
    q: np.ndarray
    dq: np.ndarray
    tau: np.ndarray

    @property
    def yaw(self) -> float:
        """Heading about world z, rad."""
        return float(pb.getEulerFromQuaternion(self.quat.tolist())[2])

    @property
    def tilt(self) -> float:
        """Angle between the trunk's z axis and world z, rad."""
        return float(np.arccos(np.clip(-self.gravity_b[2], -1.0, 1.0)))


class FloatingBaseReadout(ABC):
    """What :class:`LeggedRobot` and the humanoid share: the trunk state, foot contacts and the fall check.

    A robot using it sets ``client``, ``spec`` (with ``fall_height`` and ``fall_tilt``), ``body``,
    ``feet`` (link indices) and ``last_tau``, and implements :meth:`joint_state`.
    """

    client: int
    spec: Any
    """A spec with ``fall_height`` (m) and ``fall_tilt`` (rad)."""
    body: int
    feet: list[int]
    last_tau: np.ndarray
    trunk_name: ClassVar[str] = "trunk"
    """What the fall reason calls the floating base."""
    trunk_in_base: ClassVar[np.ndarray | None] = None
    """``(3, 3)`` rotation of the trunk frame in the base link's frame, where they differ (else ``None``)."""

    @abstractmethod
    def joint_state(self) -> tuple[np.ndarray, np.ndarray]:
        """``(q, dq)``, each ``(n_joints,)``: rad and rad/s."""

    def state(self) -> LeggedState:
        """Read position, trunk orientation, trunk-frame velocities, gravity direction and joints."""
        pos, quat = pb.getBasePositionAndOrientation(self.body, physicsClientId=self.client)
        lin, ang = pb.getBaseVelocity(self.body, physicsClientId=self.client)
        rot = quat_matrix(quat)  # base -> world
        trunk_quat = np.array(quat)
        if self.trunk_in_base is not None:
            rot = rot @ self.trunk_in_base  # trunk -> world
            trunk_quat = matrix_quat(rot)
        q, dq = self.joint_state()
        return LeggedState(
            pos=np.array(pos),
            quat=trunk_quat,
            lin_vel_b=rot.T @ np.array(lin),
            ang_vel_b=rot.T @ np.array(ang),
            gravity_b=rot.T @ np.array([0.0, 0.0, -1.0]),
            q=q,
            dq=dq,
            tau=self.last_tau.copy(),
        )

    def foot_contacts(self, ground: int) -> np.ndarray:
        """``(n_feet,)`` bool: which feet touch body ``ground``."""
        touching = {c[3] for c in pb.getContactPoints(self.body, ground, physicsClientId=self.client)}
        return np.array([f in touching for f in self.feet])

    def fallen(self, state: LeggedState) -> str | None:
        """Why the robot counts as fallen, or ``None``: trunk too low or tilted too far."""
        spec, part = self.spec, self.trunk_name
        if state.pos[2] < spec.fall_height:
            return f"{part} height {state.pos[2]:.2f} m below {spec.fall_height:.2f} m"
        if state.tilt > spec.fall_tilt:
            return f"{part} tilt {state.tilt:.2f} rad above {spec.fall_tilt:.2f} rad"
        return None


class LeggedRobot(FloatingBaseReadout):
    """One legged robot in a PyBullet client, actuated by joint-space PD torques."""

    def __init__(self, client: int, spec: LeggedSpec, position: tuple[float, float, float] | None = None):
        self.client = client
        self.spec = spec
        start = position or (0.0, 0.0, spec.base_height + 0.02)
        self.body = pb.loadURDF(
            f"{pybullet_data.getDataPath()}/{spec.urdf}",
            start,
            useFixedBase=False,
            flags=pb.URDF_USE_SELF_COLLISION * 0,
            physicsClientId=client,
        )
        names = {
            pb.getJointInfo(self.body, j, physicsClientId=client)[1].decode(): j
            for j in range(pb.getNumJoints(self.body, physicsClientId=client))
        }
        links = {
            pb.getJointInfo(self.body, j, physicsClientId=client)[12].decode(): j
            for j in range(pb.getNumJoints(self.body, physicsClientId=client))
        }
        missing = [n for n in spec.joint_names if n not in names]
        if missing:
            raise ValueError(f"{spec.urdf} has no joints {missing}")
        self.joints = [names[n] for n in spec.joint_names]
        self.feet = [links[n] for n in spec.foot_links]
        self.default_q = np.array(spec.default_q, dtype=np.float64)
        self.torque_limit = np.array(spec.torque_limit, dtype=np.float64)
        self.kp = np.full(len(self.joints), spec.kp)
        self.kd = np.full(len(self.joints), spec.kd)
        # Free the joints from PyBullet's default velocity motors so torques act alone.
        pb.setJointMotorControlArray(
            self.body,
            self.joints,
            pb.VELOCITY_CONTROL,
            forces=[0.0] * len(self.joints),
            physicsClientId=client,
        )
        self.last_tau = np.zeros(len(self.joints))

    @property
    def n_joints(self) -> int:
        return len(self.joints)

    def reset(
        self, position: tuple[float, float, float], yaw: float = 0.0, q: np.ndarray | None = None
    ) -> None:
        """Teleport to ``position`` (world m) heading ``yaw`` (rad), joints at ``q`` (default pose)."""
        quat = pb.getQuaternionFromEuler((0.0, 0.0, yaw))
        pb.resetBasePositionAndOrientation(self.body, position, quat, physicsClientId=self.client)
        pb.resetBaseVelocity(self.body, (0, 0, 0), (0, 0, 0), physicsClientId=self.client)
        for j, angle in zip(self.joints, self.default_q if q is None else q, strict=True):
            pb.resetJointState(self.body, j, float(angle), 0.0, physicsClientId=self.client)
        self.last_tau[:] = 0.0

    def joint_state(self) -> tuple[np.ndarray, np.ndarray]:
        """``(q, dq)``, each ``(n_joints,)``: angles (rad) and velocities (rad/s)."""
        states = pb.getJointStates(self.body, self.joints, physicsClientId=self.client)
        return np.array([s[0] for s in states]), np.array([s[1] for s in states])

    def apply_pd(self, q_target: np.ndarray) -> np.ndarray:
        """Apply one substep of PD torques toward ``q_target`` (rad); returns the torques (N·m)."""
        q, dq = self.joint_state()
        tau = np.clip(self.kp * (q_target - q) - self.kd * dq, -self.torque_limit, self.torque_limit)
        pb.setJointMotorControlArray(
            self.body, self.joints, pb.TORQUE_CONTROL, forces=tau.tolist(), physicsClientId=self.client
        )
        self.last_tau = tau
        return tau

    def non_foot_contact(self, ground: int) -> bool:
        """Whether any link other than the feet (and lower legs) touches ``ground``: trunk or thigh."""
        allowed = set(self.feet) | {f - 1 for f in self.feet}
        return any(
            c[3] not in allowed for c in pb.getContactPoints(self.body, ground, physicsClientId=self.client)
        )
