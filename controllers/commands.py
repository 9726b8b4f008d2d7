"""Commands a skill gives a low-level controller, and the bridge from skill rate to controller rate.

Skills run at ~10 Hz (:data:`agentrt.core.actions.CONTROL_HZ`); legged controllers run
at :data:`CONTROLLER_HZ`. A :class:`CommandBridge` sits between them: it clips each new
command to the envelope the controller was trained on, ramps toward it at bounded
acceleration, and holds the last command when no new one arrives (a skill that stops
talking does not leave the robot accelerating; it keeps the last velocity until
:attr:`BridgeConfig.hold_timeout_s`, then ramps to zero).
"""

from __future__ import annotations

from typing import ClassVar, Final, Generic, Self, TypeVar

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


C = TypeVar("C", VelocityCommand, PostureCommand)
"""A command type a controller tracks."""


class _Envelope(BaseModel, Generic[C]):
    """Inclusive per-axis bounds ``(low, high)`` over the axes of a command type.

    A subclass declares one ``tuple[float, float]`` field per axis, named as in ``axes``
    (the order of :meth:`VelocityCommand.as_array` / :meth:`PostureCommand.as_array`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    command_type: ClassVar[type]
    axes: ClassVar[tuple[str, ...]]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        for name in self.axes:
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"envelope {name}: lower bound {low} above upper bound {high}")
        return self

    @property
    def low(self) -> np.ndarray:
        """``(3,)`` lower bounds, in ``axes`` order."""
        return np.array([getattr(self, name)[0] for name in self.axes])

    @property
    def high(self) -> np.ndarray:
        """``(3,)`` upper bounds, in ``axes`` order."""
        return np.array([getattr(self, name)[1] for name in self.axes])

    def clip(self, command: C) -> C:
        """``command`` with every axis clipped into the envelope."""
        return self.command_type.from_array(np.clip(command.as_array(), self.low, self.high))


class VelocityEnvelope(_Envelope[VelocityCommand]):
    """The command range a locomotion controller was trained on (inclusive bounds).

    Units: m/s for ``vx`` and ``vy``, rad/s for ``wz``.
    """

    command_type: ClassVar[type] = VelocityCommand
    axes: ClassVar[tuple[str, ...]] = ("vx", "vy", "wz")

    vx: tuple[float, float] = (-0.3, 0.8)
    vy: tuple[float, float] = (-0.3, 0.3)
    wz: tuple[float, float] = (-0.8, 0.8)


class PostureEnvelope(_Envelope[PostureCommand]):
    """The posture range a balance controller was trained on (inclusive bounds) and its nominal posture.

    Units: m for ``height_m`` (ground to pelvis origin), rad for ``roll`` and ``pitch``.
    """

    command_type: ClassVar[type] = PostureCommand
    axes: ClassVar[tuple[str, ...]] = ("height_m", "roll", "pitch")

    height_m: tuple[float, float] = (0.76, 0.87)
    roll: tuple[float, float] = (-0.1, 0.1)
    pitch: tuple[float, float] = (-0.1, 0.3)
    nominal: PostureCommand = PostureCommand(height_m=0.85)
    """Where the controller stands when no command has been given."""


class _Bridge(Generic[C]):
    """Clips each skill command into an envelope and ramps the controller-rate command toward it.

    The shared part of :class:`CommandBridge` and :class:`PostureBridge`: ``set`` (clip, remember
    whether it clipped), ``current`` and a rate-limited ramp; a subclass says how to ``reset``
    and ``step``.
    """

    def __init__(self, envelope: _Envelope[C], hz: float) -> None:
        self.envelope = envelope
        self.dt = 1.0 / hz
        self._target = np.zeros(3)
        self._current = np.zeros(3)
        self.clipped = False
        """Whether the last :meth:`set` had to clip the command."""

    def set(self, command: C) -> None:
        """A fresh command from the skill (clipped into the envelope)."""
        kind = self.envelope.command_type
        if not isinstance(command, kind):
            raise TypeError(f"this bridge takes a {kind.__name__}, got {type(command).__name__}")
        clipped = self.envelope.clip(command)
        self.clipped = clipped != command
        self._target = clipped.as_array()

    @property
    def current(self) -> C:
        """The command of the last tick."""
        return self.envelope.command_type.from_array(self._current)

    def _ramp(self, target: np.ndarray, rates: np.ndarray) -> C:
        """Move the current command toward ``target`` by at most ``rates`` (per axis, per s) times a tick."""
        limit = self.dt * rates
        self._current = self._current + np.clip(target - self._current, -limit, limit)
        return self.current


class BridgeConfig(BaseModel):
    """How skill-rate commands become controller-rate commands."""

    model_config = ConfigDict(extra="forbid")

    max_lin_accel: float = Field(default=1.0, gt=0.0, description="ramp limit for vx, vy (m/s^2)")
    max_yaw_accel: float = Field(default=2.0, gt=0.0, description="ramp limit for wz (rad/s^2)")
    hold_timeout_s: float = Field(
        default=0.5, gt=0.0, description="seconds a command is held without a fresh one before ramping to 0"
    )


class CommandBridge(_Bridge[VelocityCommand]):
    """Turns sparse ~10 Hz velocity commands into a smooth 50 Hz command stream.

    Call :meth:`set` whenever the skill issues a command and :meth:`step` once per
    controller tick (``1 / CONTROLLER_HZ`` s); ``step`` returns the command the
    controller should track on that tick. Every command is clipped to ``envelope``
    first, so a controller never sees a command outside what it was trained on.
    """

    def __init__(
        self, envelope: VelocityEnvelope, config: BridgeConfig | None = None, hz: float = CONTROLLER_HZ
    ) -> None:
        super().__init__(envelope, hz)
        self.config = config or BridgeConfig()
        self.reset()

    def reset(self) -> None:
        """Back to standing still with no command pending."""
        self._target = np.zeros(3)
        self._current = np.zeros(3)
        self._age_s = 0.0
        self.clipped = False

    def set(self, command: VelocityCommand) -> None:
        """A fresh command from the skill (clipped into the envelope); restarts the hold timeout."""
        super().set(command)
        self._age_s = 0.0

    def step(self) -> VelocityCommand:
        """Advance one controller tick: ramp toward the target (or to zero once stale)."""
        self._age_s += self.dt
        target = self._target if self._age_s <= self.config.hold_timeout_s else np.zeros(3)
        cfg = self.config
        return self._ramp(target, np.array([cfg.max_lin_accel, cfg.max_lin_accel, cfg.max_yaw_accel]))


class PostureBridgeConfig(BaseModel):
    """How skill-rate posture commands become controller-rate commands."""

    model_config = ConfigDict(extra="forbid")

    max_height_rate: float = Field(default=0.1, gt=0.0, description="ramp limit for height_m (m/s)")
    max_angle_rate: float = Field(default=0.3, gt=0.0, description="ramp limit for roll and pitch (rad/s)")


class PostureBridge(_Bridge[PostureCommand]):
    """Turns sparse ~10 Hz posture commands into a smooth 50 Hz stream (the balance twin of CommandBridge).

    Same interface as :class:`CommandBridge` (``set``, ``step``, ``current``, ``reset``,
    ``clipped``), so :class:`~controllers.base.ControlledRobot` runs either. A posture is
    held indefinitely: without fresh commands the robot keeps the last posture.
    """

    def __init__(
        self, envelope: PostureEnvelope, config: PostureBridgeConfig | None = None, hz: float = CONTROLLER_HZ
    ) -> None:
        super().__init__(envelope, hz)
        self.config = config or PostureBridgeConfig()
        self.reset()

    def reset(self, start: PostureCommand | None = None) -> None:
        """Hold ``start`` (clipped; default the envelope's nominal posture) at once, nothing pending."""
        self._target = self.envelope.clip(start or self.envelope.nominal).as_array()
        self._current = self._target.copy()
        self.clipped = False

    def step(self) -> PostureCommand:
        """Advance one controller tick: ramp toward the target."""
        cfg = self.config
        rates = np.array([cfg.max_height_rate, cfg.max_angle_rate, cfg.max_angle_rate])
        return self._ramp(self._target, rates)
