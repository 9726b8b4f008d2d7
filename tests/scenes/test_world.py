"""Object dynamics built by :mod:`scenes.world`."""

from __future__ import annotations

import numpy as np
import pybullet as p
import pytest

from scenes import world
from scenes.world import ObjectShape

BOTTLE = ObjectShape("cylinder", (0.052, 0.052, 0.18), 0.25)
MUG = ObjectShape("cylinder", (0.056, 0.056, 0.09), 0.2)
ORANGE = ObjectShape("sphere", (0.06, 0.06, 0.06), 0.15)


def _roll(shape: ObjectShape, rolling_friction: float | None = None, seconds: float = 5.0) -> float:
    """Distance (m) an object lying on a flat floor covers after being set rolling at 0.3 m/s."""
    client = p.connect(p.DIRECT)
    try:
        p.setGravity(0, 0, -9.81, physicsClientId=client)
        world.add_box(client, (0.0, 0.0, -0.05), (5.0, 5.0, 0.05), (0.5, 0.5, 0.5, 1.0))
        radius = shape.size[0] / 2
        body = world.add_object(client, shape, (1.0, 0.0, 0.0, 1.0), np.array([0.0, 0.0, radius]), 0.0)
        lying = p.getQuaternionFromEuler((np.pi / 2, 0.0, 0.0))  # cylinder axis along world y
        p.resetBasePositionAndOrientation(body, [0.0, 0.0, radius + 1e-3], lying, physicsClientId=client)
        if rolling_friction is not None:
            p.changeDynamics(body, -1, rollingFriction=rolling_friction, physicsClientId=client)
        for _ in range(240):  # settle (default 240 Hz steps)
            p.stepSimulation(physicsClientId=client)
        start = np.array(p.getBasePositionAndOrientation(body, physicsClientId=client)[0])
        p.resetBaseVelocity(body, [0.3, 0.0, 0.0], [0.0, 0.3 / radius, 0.0], physicsClientId=client)
        for _ in range(int(240 * seconds)):
            p.stepSimulation(physicsClientId=client)
        end = np.array(p.getBasePositionAndOrientation(body, physicsClientId=client)[0])
        return float(np.linalg.norm((end - start)[:2]))
    finally:
        p.disconnect(client)


@pytest.mark.parametrize("shape", [BOTTLE, MUG, ORANGE], ids=["bottle", "mug", "orange"])
def test_a_round_object_knocked_over_stops_rolling(shape: ObjectShape) -> None:
    assert _roll(shape) < 0.15


def test_without_rolling_friction_a_lying_bottle_keeps_rolling() -> None:
    """The case the constant is for: the same push with rollingFriction 0 goes on for metres."""
    assert _roll(BOTTLE, rolling_friction=0.0) > 0.5
