"""A trot trajectory generator for a quadruped: the prior that a learned residual corrects.

Policies modulating trajectory generators (PMTG, Iscen et al. 2018) learn far faster
than policies producing joint targets from scratch: the generator already walks
roughly at the commanded velocity, open loop; the learned policy adds feedback
(balance, slip, drift). Here the generator maps a velocity command and a gait phase to
foot positions in each hip's frame, and analytic leg IK turns them into joint targets.

Frames: foot positions are relative to the hip (abduction) joint, in the base frame
(x forward, y left, z up), metres. Legs are ordered FR, FL, RR, RL.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

LEG_SIDES = np.array([-1.0, 1.0, -1.0, 1.0])
"""+1 for left legs, -1 for right legs (FR, FL, RR, RL)."""
LEG_FRONT = np.array([1.0, 1.0, -1.0, -1.0])
"""+1 for front legs, -1 for rear legs."""
TROT_OFFSETS = np.array([0.0, 0.5, 0.5, 0.0])
"""Phase offsets: diagonal pairs (FR, RL) and (FL, RR) half a cycle apart."""


class TrotConfig(BaseModel):
    """Trot timing and foot-trajectory shape."""

    model_config = ConfigDict(extra="forbid")

    frequency_hz: float = Field(default=2.5, gt=0.0, description="gait cycles per second")
    stance_fraction: float = Field(default=0.5, gt=0.0, lt=1.0, description="fraction of a cycle on ground")
    stance_height: float = Field(default=0.27, gt=0.0, description="foot depth below the hip in stance (m)")
    swing_height: float = Field(default=0.05, ge=0.0, description="peak foot lift in swing (m)")
    foot_x_offset: float = Field(
        default=-0.04, description="neutral foot placement ahead of the hip (m); A1's trunk mass sits forward"
    )
    foot_y_offset: float = Field(default=0.0, description="extra lateral foot placement outward (m)")


def leg_ik(foot: np.ndarray, side: float, abad: float, thigh: float, calf: float) -> np.ndarray:
    """Joint angles ``(hip, thigh, knee)`` (rad) placing the foot at ``foot`` (3,) m.

    ``foot`` is relative to the hip abduction joint in the base frame; ``side`` is +1 for
    a left leg (the thigh sits ``abad`` m further left) and -1 for a right leg. Zero
    angles leave the leg hanging straight down; a positive thigh angle swings the foot
    backward; the knee angle is negative (knee behind the foot). Unreachable targets
    are pulled onto the workspace boundary.
    """
    x, y, z = float(foot[0]), float(foot[1]), float(foot[2])
    d = side * abad
    r2 = max(y * y + z * z - d * d, 1e-6)
    z_s = -np.sqrt(r2)  # foot depth in the rotated leg plane
    hip = np.arctan2(z, y) - np.arctan2(z_s, d)
    length = np.clip(np.hypot(x, z_s), 0.05, thigh + calf - 1e-4)
    cos_knee = (length**2 - thigh**2 - calf**2) / (2.0 * thigh * calf)
    knee = -np.arccos(np.clip(cos_knee, -1.0, 1.0))
    alpha = np.arctan2(-x, -z_s)  # foot direction from straight down, positive backward
    beta = np.arctan2(calf * np.sin(-knee), thigh + calf * np.cos(-knee))
    return np.array([(hip + np.pi) % (2 * np.pi) - np.pi, alpha + beta, knee])


def leg_fk(q: np.ndarray, side: float, abad: float, thigh: float, calf: float) -> np.ndarray:
    """Foot position (3,) m relative to the hip for joint angles ``q`` (3,) rad; inverse of :func:`leg_ik`."""
    hip, th, kn = (float(v) for v in q)
    x_s = -thigh * np.sin(th) - calf * np.sin(th + kn)
    z_s = -thigh * np.cos(th) - calf * np.cos(th + kn)
    d = side * abad
    y = d * np.cos(hip) - z_s * np.sin(hip)
    z = d * np.sin(hip) + z_s * np.cos(hip)
    return np.array([x_s, y, z])


class TrotGenerator:
    """Velocity command + phase -> joint targets of an open-loop trot.

    ``geometry`` holds ``hip_x``, ``hip_y`` (hip joint offsets from the trunk centre),
    ``abad``, ``thigh`` and ``calf`` lengths (m), as in :attr:`LeggedSpec.extra`.
    """

    def __init__(self, geometry: dict[str, float], config: TrotConfig | None = None) -> None:
        self.geometry = geometry
        self.config = config or TrotConfig()
        g = geometry
        self.hips = np.stack([LEG_FRONT * g["hip_x"], LEG_SIDES * g["hip_y"], np.zeros(4)], axis=1)
        """(4, 3) hip joint positions in the base frame, m."""
        self.nominal = np.stack(
            [
                np.full(4, self.config.foot_x_offset),
                LEG_SIDES * (g["abad"] + self.config.foot_y_offset),
                np.full(4, -self.config.stance_height),
            ],
            axis=1,
        )
        """(4, 3) neutral foot positions relative to each hip, m."""

    def leg_phases(self, phase: float) -> np.ndarray:
        """(4,) per-leg phase in [0, 1) for the gait phase ``phase``."""
        return (phase + TROT_OFFSETS) % 1.0

    def feet(self, command: np.ndarray, phase: float) -> np.ndarray:
        """(4, 3) foot targets relative to each hip for ``command`` = (vx, vy, wz) and ``phase``."""
        cfg = self.config
        stance_time = cfg.stance_fraction / cfg.frequency_hz
        vx, vy, wz = (float(c) for c in command)
        feet = self.nominal.copy()
        # Each foot's displacement over one stance, relative to the body: translation plus
        # the yaw rotation about the trunk centre, evaluated at the foot's neutral point.
        neutral_b = self.hips + self.nominal
        step = stance_time * np.stack([vx - wz * neutral_b[:, 1], vy + wz * neutral_b[:, 0]], axis=1)
        for leg, s in enumerate(self.leg_phases(phase)):
            if s < cfg.stance_fraction:  # stance: sweep from +step/2 to -step/2
                u = s / cfg.stance_fraction
                feet[leg, :2] += step[leg] * (0.5 - u)
            else:  # swing: return forward along a half-sine arc
                u = (s - cfg.stance_fraction) / (1.0 - cfg.stance_fraction)
                feet[leg, :2] += step[leg] * (u - 0.5)
                feet[leg, 2] += cfg.swing_height * np.sin(np.pi * u)
        return feet

    def joint_targets(self, command: np.ndarray, phase: float) -> np.ndarray:
        """(12,) joint targets (rad), legs FR, FL, RR, RL, each (hip, thigh, knee)."""
        g = self.geometry
        feet = self.feet(command, phase)
        return np.concatenate(
            [leg_ik(feet[i], LEG_SIDES[i], g["abad"], g["thigh"], g["calf"]) for i in range(4)]
        )
