"""Command types, the envelope and the 10 Hz -> 50 Hz bridge (hold, ramp, clip, stale timeout)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from controllers.commands import (
    BridgeConfig,
    CommandBridge,
    PostureCommand,
    VelocityCommand,
    VelocityEnvelope,
)


def test_envelope_clips_each_axis() -> None:
    env = VelocityEnvelope(vx=(-0.3, 0.8), vy=(-0.2, 0.2), wz=(-0.8, 0.8))
    assert env.clip(VelocityCommand(vx=2.0, vy=-1.0, wz=0.5)) == VelocityCommand(vx=0.8, vy=-0.2, wz=0.5)


def test_envelope_rejects_inverted_bounds() -> None:
    with pytest.raises(ValidationError, match="lower bound"):
        VelocityEnvelope(vx=(1.0, 0.0))


def test_posture_height_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        PostureCommand(height_m=0.0)


def test_bridge_ramps_at_the_acceleration_limit_then_holds() -> None:
    bridge = CommandBridge(VelocityEnvelope(), BridgeConfig(max_lin_accel=1.0, max_yaw_accel=2.0), hz=50)
    bridge.set(VelocityCommand(vx=0.5, wz=0.8))
    first = bridge.step()
    assert first.vx == pytest.approx(0.02)  # 1 m/s^2 * 0.02 s
    assert first.wz == pytest.approx(0.04)  # 2 rad/s^2 * 0.02 s
    for tick in range(1, 25):  # 0.5 s total: vx reaches 0.5 exactly at tick 25
        if tick % 5 == 0:  # the skill repeats its command at 10 Hz
            bridge.set(VelocityCommand(vx=0.5, wz=0.8))
        bridge.step()
    assert bridge.current.vx == pytest.approx(0.5)
    assert bridge.current.wz == pytest.approx(0.8)


def test_bridge_clips_to_envelope_and_reports_it() -> None:
    bridge = CommandBridge(VelocityEnvelope(vx=(-0.3, 0.8)))
    bridge.set(VelocityCommand(vx=3.0))
    assert bridge.clipped
    for tick in range(100):
        if tick % 5 == 0:
            bridge.set(VelocityCommand(vx=3.0))
        bridge.step()
    assert bridge.current.vx == pytest.approx(0.8)
    bridge.set(VelocityCommand(vx=0.1))
    assert not bridge.clipped


def test_stale_command_ramps_to_zero_after_the_hold_timeout() -> None:
    bridge = CommandBridge(VelocityEnvelope(), BridgeConfig(max_lin_accel=10.0, hold_timeout_s=0.1), hz=50)
    bridge.set(VelocityCommand(vx=0.5))
    held = [bridge.step().vx for _ in range(5)]  # 0.1 s: held
    assert held[-1] == pytest.approx(0.5)
    later = [bridge.step().vx for _ in range(10)]
    assert later[-1] == pytest.approx(0.0)


def test_velocity_command_array_round_trip() -> None:
    cmd = VelocityCommand(vx=0.1, vy=-0.2, wz=0.3)
    assert VelocityCommand.from_array(cmd.as_array()) == cmd
    np.testing.assert_allclose(cmd.as_array(), [0.1, -0.2, 0.3])
