"""The posture prior: a posture command -> the humanoid's reference joint pose, by leg inverse kinematics.

This is the "PD prior" of the balance controller: held by the joint motors alone it
stands the humanoid in the commanded posture (pelvis height, roll, pitch) with both
feet flat under the hips; the learned policy adds a residual on top. Geometry and DOF
order are those of :mod:`scenes.robots.humanoid`.

Per leg: the hip sits at the pelvis height ``h ± hip_y·sin(roll)`` and the ankle
``ankle_height`` above the floor, placed fore-aft so that the whole body's centre of
mass (a five-mass sagittal model: upper body, thighs, shins, feet, masses measured from
the URDF) lies ``com_ahead_of_ankle_m`` ahead of the ankles, i.e. over the middle of
the feet, whatever the height and trunk pitch; a planar two-link solution gives thigh
and knee, the ankle keeps the sole flat, and the hip's spherical rotation is the
pelvis-to-thigh rotation. Chest, neck and arms stay at zero.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from controllers.commands import PostureCommand
from scenes.geometry import matrix_rotvec
from scenes.robots.humanoid import HumanoidSpec


def _rot_x(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _rot_z(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


class PostureConfig(BaseModel):
    """Where the prior puts the feet relative to the hips."""

    model_config = ConfigDict(extra="forbid")

    com_ahead_of_ankle_m: float = Field(default=0.05, description="centre of mass ahead of the ankles, m")
    upper_body_kg: float = Field(default=28.0, description="pelvis, chest, head and arms, kg")
    upper_body_com_m: float = Field(default=0.279, description="their centre of mass above the hips, m")
    thigh_kg: float = 4.5
    shin_kg: float = 3.0
    foot_kg: float = 1.0
    foot_com_m: float = Field(default=0.045, description="foot centre of mass ahead of the ankle, m")


class PosturePrior:
    """Posture command -> ``(n_dof,)`` joint targets (rad) for the humanoid ``spec``."""

    def __init__(self, spec: HumanoidSpec, config: PostureConfig | None = None) -> None:
        self.spec = spec
        self.config = config or PostureConfig()
        geo = spec.extra
        self.thigh, self.shin = geo["thigh"], geo["shin"]
        self.hip_y, self.ankle_height = geo["hip_y"], geo["ankle_height"]
        self._last: tuple[bytes, np.ndarray] | None = None  # commands repeat between changes: reuse the pose

    def planar_leg(self, forward: float, drop: float) -> tuple[float, float]:
        """``(thigh pitch, knee bend)`` (rad) putting the ankle ``forward`` m ahead of and ``drop`` m below
        the hip.

        Pitch is about the world's +y (positive swings the lower end backward); bend >= 0.
        """
        reach = float(np.clip(np.hypot(forward, drop), 0.3, self.thigh + self.shin - 1e-4))
        cos_bend = (reach**2 - self.thigh**2 - self.shin**2) / (2.0 * self.thigh * self.shin)
        bend = float(np.arccos(np.clip(cos_bend, -1.0, 1.0)))
        cos_gamma = (self.thigh**2 + reach**2 - self.shin**2) / (2.0 * self.thigh * reach)
        return float(np.arctan2(-forward, drop) - np.arccos(np.clip(cos_gamma, -1.0, 1.0))), bend

    def com_forward(self, forward: float, drop: float, pitch: float) -> float:
        """Centre of mass ahead of the hips (m), both ankles ``forward`` m ahead, the trunk at ``pitch``."""
        c = self.config
        thigh_pitch, bend = self.planar_leg(forward, drop)
        knee = -self.thigh * np.sin(thigh_pitch)
        moment = (
            c.upper_body_kg * c.upper_body_com_m * np.sin(pitch)
            + 2 * c.thigh_kg * 0.5 * knee
            + 2 * c.shin_kg * (knee - 0.5 * self.shin * np.sin(thigh_pitch + bend))
            + 2 * c.foot_kg * (forward + c.foot_com_m)
        )
        return float(moment / (c.upper_body_kg + 2 * (c.thigh_kg + c.shin_kg + c.foot_kg)))

    def balanced_forward(self, drop: float, pitch: float) -> float:
        """Ankle placement ahead of the hips (m) with the centre of mass ``com_ahead_of_ankle_m`` ahead."""
        forward = 0.0
        for _ in range(4):  # fixed point: d(residual)/d(forward) is about -0.9, so it contracts fast
            residual = self.com_forward(forward, drop, pitch) - forward - self.config.com_ahead_of_ankle_m
            forward += residual
        return forward

    def leg(self, hip_height: float, pitch: float, roll: float) -> tuple[np.ndarray, float, np.ndarray]:
        """One leg's ``(hip rotation vector (3,), knee angle, ankle rotation vector (3,))`` in rad."""
        drop = max(hip_height - self.ankle_height, 0.3)
        thigh_pitch, bend = self.planar_leg(self.balanced_forward(drop, pitch), drop)
        shin_pitch = thigh_pitch + bend
        # URDF axes: x forward, y up, z right; a world pitch p about +y is a rotation -p about z.
        pelvis = _rot_z(-pitch) @ _rot_x(roll)
        hip = matrix_rotvec(pelvis.T @ _rot_z(-thigh_pitch))
        ankle = np.array([0.0, 0.0, shin_pitch])
        return hip, -bend, ankle

    def __call__(self, command: PostureCommand | np.ndarray) -> np.ndarray:
        """Joint targets ``(n_dof,)`` (rad) for a :class:`PostureCommand` or its ``(height, roll, pitch)``."""
        values = (
            command.as_array() if isinstance(command, PostureCommand) else np.asarray(command, dtype=float)
        )
        key = values.astype(np.float64).tobytes()
        if self._last is not None and self._last[0] == key:
            return self._last[1].copy()
        height, roll, pitch = values
        q = np.zeros(self.spec.n_dof)
        for side, lateral in (("right", -self.hip_y), ("left", self.hip_y)):
            hip, knee, ankle = self.leg(height + lateral * np.sin(roll), pitch, roll)
            q[self.spec.dof_slice(f"{side}_hip")] = hip
            q[self.spec.dof_slice(f"{side}_knee")] = knee
            q[self.spec.dof_slice(f"{side}_ankle")] = ankle
        self._last = (key, q.copy())
        return q
