"""The DeepMimic humanoid model: DOF layout, frames, joint round trips, and the posture prior standing it."""

from __future__ import annotations

import numpy as np
import pybullet as pb
import pytest
from pybullet_utils.bullet_client import BulletClient

from scenes.robots.humanoid import HUMANOID, HumanoidRobot, quat_to_rotvec, rotvec_to_quat


@pytest.fixture
def robot():
    sim = BulletClient(connection_mode=pb.DIRECT)
    sim.setGravity(0, 0, -9.81)
    sim.setTimeStep(0.005)
    yield sim, HumanoidRobot(sim._client)
    sim.disconnect()


def test_spec_layout() -> None:
    assert HUMANOID.n_dof == 28 and len(HUMANOID.joint_names) == 12
    assert HUMANOID.dof_slice("right_knee") == slice(9, 10)
    assert HUMANOID.dof_slice("left_elbow") == slice(27, 28)
    assert HUMANOID.kp.shape == (28,) and np.all(2.0 * HUMANOID.kd > 0)  # arrays: the interlock scales them
    # standing straight: thigh + shin + ankle height is the pelvis height
    geo = HUMANOID.extra
    assert geo["thigh"] + geo["shin"] + geo["ankle_height"] == pytest.approx(HUMANOID.base_height, abs=2e-3)


@pytest.mark.parametrize("rotvec", [np.zeros(3), np.array([0.3, -0.2, 0.1]), np.array([0.0, 0.0, 2.5])])
def test_rotvec_quaternion_round_trip(rotvec: np.ndarray) -> None:
    np.testing.assert_allclose(quat_to_rotvec(rotvec_to_quat(rotvec)), rotvec, atol=1e-9)


def test_upright_trunk_frame_and_joint_round_trip(robot) -> None:
    sim, humanoid = robot
    q = np.random.default_rng(0).uniform(-0.3, 0.3, 28)
    humanoid.reset((1.0, 2.0, 1.2), yaw=0.7, q=q)
    state = humanoid.state()
    np.testing.assert_allclose(state.q, q, atol=1e-6)
    np.testing.assert_allclose(state.gravity_b, [0, 0, -1], atol=1e-6)
    assert state.yaw == pytest.approx(0.7) and state.tilt == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(state.pos, [1.0, 2.0, 1.2])
    # trunk frame: x forward means the toes point along the heading
    humanoid.reset((0.0, 0.0, 1.2), yaw=0.0)
    toe = np.array(sim.getLinkState(humanoid.body, humanoid.feet[0])[0])  # foot centre of mass
    ankle = np.array(sim.getLinkState(humanoid.body, humanoid.feet[0])[4])
    assert toe[0] - ankle[0] > 0.03  # the foot extends forward (+x) of the ankle
    assert ankle[1] < 0  # the first foot is the right one: -y


def test_pitch_and_roll_reset_are_read_back(robot) -> None:
    _, humanoid = robot
    humanoid.reset((0.0, 0.0, 1.2), yaw=0.3, roll=0.1, pitch=0.2)
    roll, pitch, yaw = pb.getEulerFromQuaternion(humanoid.state().quat.tolist())
    assert (roll, pitch, yaw) == pytest.approx((0.1, 0.2, 0.3), abs=1e-6)


def test_fallen_reasons(robot) -> None:
    _, humanoid = robot
    humanoid.reset((0.0, 0.0, 0.85))
    assert humanoid.fallen(humanoid.state()) is None
    humanoid.reset((0.0, 0.0, 0.4))
    assert "pelvis height" in humanoid.fallen(humanoid.state())
    humanoid.reset((0.0, 0.0, 0.85), pitch=1.2)
    assert "pelvis tilt" in humanoid.fallen(humanoid.state())
