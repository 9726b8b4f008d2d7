"""Commands a skill gives a low-level controller, and the bridge from skill rate to controller rate.

Skills run at ~10 Hz (:data:`agentrt.core.actions.CONTROL_HZ`); legged controllers run
at :data:`CONTROLLER_HZ`. A :class:`CommandBridge` sits between them: it clips each new
command to the envelope the controller was trained on, ramps toward it at bounded
acceleration, and holds the last command when no new one arrives (a skill that stops
talking does not leave the robot accelerating; it keeps the last velocity until
:attr:`BridgeConfig.hold_timeout_s`, then ramps to zero).
"""

from __future__ import annotations

from typing import Final

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

CONTROLLER_HZ: Final = 50
"""Rate (Hz) at which legged controllers produce joint targets."""


class VelocityCommand(BaseModel):
    """A base velocity in the robot's heading frame (x forward, y left, z up).

    ``vx`` and ``vy`` in m/s, ``wz`` (yaw rate, counter-clockwise positive) in rad/s.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    vx: float = 0.0
    vy: float = 0.0
    wz: float = 0.0

    def as_array(self) -> np.ndarray:
        """``(3,)`` float64: ``(vx, vy, wz)``."""
        return np.array([self.vx, self.vy, self.wz], dtype=np.float64)

    @classmethod
    def from_array(cls, values: np.ndarray) -> VelocityCommand:
        """From a ``(3,)`` array ``(vx, vy, wz)``."""
        vx, vy, wz = (float(v) for v in np.asarray(values, dtype=np.float64).reshape(3))
        return cls(vx=vx, vy=vy, wz=wz)


class PostureCommand(BaseModel):
    """A standing posture: trunk height above the feet (m) and trunk roll/pitch (rad).

    Roll and pitch are extrinsic about the heading frame's x and y axes; ``height_m``
    is measured from the ground to the pelvis/trunk origin.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    height_m: float = Field(gt=0.0)
    roll: float = 0.0
    pitch: float = 0.0

    def as_array(self) -> np.ndarray:
        """``(3,)`` float64: ``(height_m, roll, pitch)``."""
        return np.array([self.height_m, self.roll, self.pitch], dtype=np.float64)

    @classmethod
    def from_array(cls, values: np.ndarray) -> PostureCommand:
        """From a ``(3,)`` array ``(height_m, roll, pitch)``."""
        height, roll, pitch = (float(v) for v in np.asarray(values, dtype=np.float64).reshape(3))
        return cls(height_m=height, roll=roll, pitch=pitch)


class VelocityEnvelope(BaseModel):
    """The command range a locomotion controller was trained on (inclusive bounds).

    Units: m/s for ``vx`` and ``vy``, rad/s for ``wz``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    vx: tuple[float, float] = (-0.3, 0.8)
    vy: tuple[float, float] = (-0.3, 0.3)
    wz: tuple[float, float] = (-0.8, 0.8)

    @model_validator(mode="after")
    def _ordered(self) -> VelocityEnvelope:
        for name in ("vx", "vy", "wz"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"envelope {name}: lower bound {low} above upper bound {high}")
        return self

    @property
    def low(self) -> np.ndarray:
        """``(3,)`` lower bounds."""
        return np.array([self.vx[0], self.vy[0], self.wz[0]])

    @property
    def high(self) -> np.ndarray:
        """``(3,)`` upper bounds."""
        return np.array([self.vx[1], self.vy[1], self.wz[1]])

    def clip(self, command: VelocityCommand) -> VelocityCommand:
        """``command`` with every axis clipped into the envelope."""
        return VelocityCommand.from_array(np.clip(command.as_array(), self.low, self.high))


class BridgeConfig(BaseModel):
    """How skill-rate commands become controller-rate commands."""

    model_config = ConfigDict(extra="forbid")

    max_lin_accel: float = Field(default=1.0, gt=0.0, description="ramp limit for vx, vy (m/s^2)")
    max_yaw_accel: float = Field(default=2.0, gt=0.0, description="ramp limit for wz (rad/s^2)")
    hold_timeout_s: float = Field(
        default=0.5, gt=0.0, description="seconds a command is held without a fresh one before ramping to 0"
    )


class CommandBridge:
    """Turns sparse ~10 Hz velocity commands into a smooth 50 Hz command stream.

    Call :meth:`set` whenever the skill issues a command and :meth:`step` once per
    controller tick (``1 / CONTROLLER_HZ`` s); ``step`` returns the command the
    controller should track on that tick. Every command is clipped to ``envelope``
    first, so a controller never sees a command outside what it was trained on.
    """

    def __init__(
        self, envelope: VelocityEnvelope, config: BridgeConfig | None = None, hz: float = CONTROLLER_HZ
    ) -> None:
        self.envelope = envelope
        self.config = config or BridgeConfig()
        self.dt = 1.0 / hz
        self.reset()

    def reset(self) -> None:
        """Back to standing still with no command pending."""
        self._target = np.zeros(3)
        self._current = np.zeros(3)
        self._age_s = 0.0
        self.clipped = False
        """Whether the last :meth:`set` had to clip the command."""

    def set(self, command: VelocityCommand) -> None:
        """A fresh command from the skill (clipped into the envelope)."""
        clipped = self.envelope.clip(command)
        self.clipped = clipped != command
        self._target = clipped.as_array()
        self._age_s = 0.0

    @property
    def current(self) -> VelocityCommand:
        """The command of the last tick."""
        return VelocityCommand.from_array(self._current)

    def step(self) -> VelocityCommand:
        """Advance one controller tick: ramp toward the target (or to zero once stale)."""
        self._age_s += self.dt
        target = self._target if self._age_s <= self.config.hold_timeout_s else np.zeros(3)
        limit = self.dt * np.array(
            [self.config.max_lin_accel, self.config.max_lin_accel, self.config.max_yaw_accel]
        )
        self._current = self._current + np.clip(target - self._current, -limit, limit)
        return self.current


class PostureEnvelope(BaseModel):
    """The posture range a balance controller was trained on (inclusive bounds) and its nominal posture.

    Units: m for ``height_m`` (ground to pelvis origin), rad for ``roll`` and ``pitch``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    height_m: tuple[float, float] = (0.76, 0.87)
    roll: tuple[float, float] = (-0.1, 0.1)
    pitch: tuple[float, float] = (-0.1, 0.3)
    nominal: PostureCommand = PostureCommand(height_m=0.85)
    """Where the controller stands when no command has been given."""

    @model_validator(mode="after")
    def _ordered(self) -> PostureEnvelope:
        for name in ("height_m", "roll", "pitch"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"envelope {name}: lower bound {low} above upper bound {high}")
        return self

    @property
    def low(self) -> np.ndarray:
        """``(3,)`` lower bounds ``(height_m, roll, pitch)``."""
        return np.array([self.height_m[0], self.roll[0], self.pitch[0]])

    @property
    def high(self) -> np.ndarray:
        """``(3,)`` upper bounds."""
        return np.array([self.height_m[1], self.roll[1], self.pitch[1]])

    def clip(self, command: PostureCommand) -> PostureCommand:
        """``command`` with every axis clipped into the envelope."""
        return PostureCommand.from_array(np.clip(command.as_array(), self.low, self.high))


class PostureBridgeConfig(BaseModel):
    """How skill-rate posture commands become controller-rate commands."""

    model_config = ConfigDict(extra="forbid")

    max_height_rate: float = Field(default=0.1, gt=0.0, description="ramp limit for height_m (m/s)")
    max_angle_rate: float = Field(default=0.3, gt=0.0, description="ramp limit for roll and pitch (rad/s)")


class PostureBridge:
    """Turns sparse ~10 Hz posture commands into a smooth 50 Hz stream (the balance twin of CommandBridge).

    Same interface as :class:`CommandBridge` (``set``, ``step``, ``current``, ``reset``,
    ``clipped``), so :class:`~controllers.base.ControlledRobot` runs either. A posture is
    held indefinitely: without fresh commands the robot keeps the last posture.
    """

    def __init__(
        self, envelope: PostureEnvelope, config: PostureBridgeConfig | None = None, hz: float = CONTROLLER_HZ
    ) -> None:
        self.envelope = envelope
        self.config = config or PostureBridgeConfig()
        self.dt = 1.0 / hz
        self.reset()

    def reset(self, start: PostureCommand | None = None) -> None:
        """Hold ``start`` (clipped; default the envelope's nominal posture) at once, nothing pending."""
        self._target = self.envelope.clip(start or self.envelope.nominal).as_array()
        self._current = self._target.copy()
        self.clipped = False
        """Whether the last :meth:`set` had to clip the command."""

    def set(self, command: PostureCommand) -> None:
        """A fresh command from the skill (clipped into the envelope)."""
        if not isinstance(command, PostureCommand):
            raise TypeError(f"a posture bridge takes a PostureCommand, got {type(command).__name__}")
        clipped = self.envelope.clip(command)
        self.clipped = clipped != command
        self._target = clipped.as_array()

    @property
    def current(self) -> PostureCommand:
        """The command of the last tick."""
        return PostureCommand.from_array(self._current)

    def step(self) -> PostureCommand:
        """Advance one controller tick: ramp toward the target."""
        rate = np.array([self.config.max_height_rate, self.config.max_angle_rate, self.config.max_angle_rate])
        self._current = self._current + np.clip(self._target - self._current, -rate * self.dt, rate * self.dt)
        return self.current
