"""Leg IK/FK known answers and the trot generator's timing."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.gait import TrotConfig, TrotGenerator, leg_fk, leg_ik
from scenes.robots.legged import A1

G = A1.extra


def test_straight_leg_known_answer() -> None:
    # zero angles: the foot hangs thigh + calf below the thigh joint, abad metres to the side
    np.testing.assert_allclose(
        leg_fk(np.zeros(3), 1.0, G["abad"], 0.2, 0.2), [0.0, G["abad"], -0.4], atol=1e-12
    )


def test_symmetric_crouch_known_answer() -> None:
    # foot straight below at depth 2 * 0.2 * cos(0.9): thigh +0.9 rad, knee -1.8 rad
    depth = 0.4 * np.cos(0.9)
    q = leg_ik(np.array([0.0, G["abad"], -depth]), 1.0, G["abad"], 0.2, 0.2)
    np.testing.assert_allclose(q, [0.0, 0.9, -1.8], atol=1e-9)


@pytest.mark.parametrize("side", [1.0, -1.0])
def test_ik_inverts_fk(side: float) -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        q = np.array([rng.uniform(-0.5, 0.5), rng.uniform(0.2, 1.4), rng.uniform(-2.4, -1.0)])
        foot = leg_fk(q, side, G["abad"], G["thigh"], G["calf"])
        np.testing.assert_allclose(leg_ik(foot, side, G["abad"], G["thigh"], G["calf"]), q, atol=1e-8)


def test_trot_pairs_diagonal_legs_and_lifts_only_in_swing() -> None:
    gen = TrotGenerator(G, TrotConfig(swing_height=0.05, stance_fraction=0.5))
    phases = gen.leg_phases(0.25)  # FR, FL, RR, RL
    assert phases[0] == phases[3] and phases[1] == phases[2] and abs(phases[0] - phases[1]) == 0.5
    feet = gen.feet(np.zeros(3), 0.25)
    stance = -gen.config.stance_height
    assert feet[0, 2] == pytest.approx(stance) and feet[3, 2] == pytest.approx(stance)  # FR, RL in stance
    assert feet[1, 2] == pytest.approx(stance + 0.05)  # FL at mid-swing: full lift


def test_forward_command_sweeps_stance_feet_backward() -> None:
    gen = TrotGenerator(G)
    early, late = gen.feet(np.array([0.5, 0, 0]), 0.05), gen.feet(np.array([0.5, 0, 0]), 0.45)
    # FR is in stance over [0, 0.5): its foot moves backward relative to the hip by v * dt
    moved = early[0, 0] - late[0, 0]
    assert moved == pytest.approx(0.5 * 0.4 / gen.config.frequency_hz, rel=1e-9)
