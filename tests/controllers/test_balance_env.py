"""Humanoid balance env: Gymnasium contract, terminated vs truncated, posture prior, reward known answers."""

from __future__ import annotations

import numpy as np
import pybullet as pb
import pytest
from gymnasium.utils.env_checker import check_env
from pybullet_utils.bullet_client import BulletClient

from controllers.balance.env import HumanoidBalanceEnv
from controllers.balance.posture import PosturePrior
from controllers.balance.terms import OBS_DIM, RewardWeights, reward_terms
from controllers.commands import PostureCommand
from controllers.recipes import get_recipe
from scenes.robots.humanoid import HUMANOID, HumanoidRobot
from scenes.robots.legged import LeggedState


@pytest.fixture
def env():
    e = HumanoidBalanceEnv({"episode_s": 1.0})
    yield e
    e.close()


def test_check_env_passes(env: HumanoidBalanceEnv) -> None:
    check_env(env, skip_render_check=True)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (OBS_DIM,) and env.action_space.shape == (28,)


def test_recipe_stages_pass_check_env() -> None:
    for stage in get_recipe("humanoid-balance").stages:
        e = HumanoidBalanceEnv({**stage.env_config, "episode_s": 0.5})
        check_env(e, skip_render_check=True)
        e.close()


def test_time_limit_truncates_without_terminating(env: HumanoidBalanceEnv) -> None:
    env.reset(seed=1)
    for step in range(50):  # 1 s at 50 Hz, the prior holding the posture
        _, _, terminated, truncated, info = env.step(np.zeros(28))
        assert not terminated, info["fall_reason"]
        assert truncated == (step == 49)


def test_fall_terminates(env: HumanoidBalanceEnv) -> None:
    env.reset(seed=0)
    env.robot.reset((0.0, 0.0, 0.9), pitch=1.3)  # tipped far past recovery
    _, _, terminated, truncated, info = env.step(np.zeros(28))
    assert terminated and not truncated and "tilt" in info["fall_reason"]


def test_unknown_robot_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown humanoid"):
        HumanoidBalanceEnv({"robot": "atlas"})


def test_action_filter_reaches_the_targets_gradually(env: HumanoidBalanceEnv) -> None:
    env.reset(seed=0)
    env.step(np.ones(28))
    np.testing.assert_allclose(env.last_action, 0.3)  # action_filter 0.3 of the way from 0 to 1
    env.step(np.ones(28))
    np.testing.assert_allclose(env.last_action, 0.3 + 0.3 * 0.7)


@pytest.mark.parametrize(
    "command", [(0.85, 0.0, 0.0), (0.76, 0.0, 0.0), (0.8, 0.1, 0.0), (0.85, 0.0, 0.3), (0.78, -0.1, -0.1)]
)
def test_prior_keeps_feet_flat_on_the_ground_under_the_commanded_pelvis(command) -> None:
    """Forward kinematics of the prior's pose with the pelvis at the command: soles flat at floor level."""
    height, roll, pitch = command
    sim = BulletClient(connection_mode=pb.DIRECT)
    robot = HumanoidRobot(sim._client)
    robot.reset((0.0, 0.0, height), q=PosturePrior(HUMANOID)(np.array(command)), roll=roll, pitch=pitch)
    for foot in robot.feet:
        ankle = sim.getLinkState(robot.body, foot, computeForwardKinematics=True)
        # the foot link is the y-up URDF frame: flat means its y axis is world z
        up = np.array(pb.getMatrixFromQuaternion(ankle[5])).reshape(3, 3)[:, 1]
        np.testing.assert_allclose(up, [0, 0, 1], atol=1e-3)
        assert ankle[4][2] == pytest.approx(HUMANOID.extra["ankle_height"], abs=2e-3)
    sim.disconnect()


def test_prior_known_answers() -> None:
    prior = PosturePrior(HUMANOID)
    straight = prior(np.array([HUMANOID.base_height, 0.0, 0.0]))
    assert abs(straight[HUMANOID.dof_slice("right_knee")][0]) < 0.1  # nearly straight legs
    crouch = prior(PostureCommand(height_m=0.76))
    assert crouch[HUMANOID.dof_slice("left_knee")][0] < -0.6  # knees bend negative
    for q in (straight, crouch):
        np.testing.assert_allclose(q[HUMANOID.dof_slice("chest")], 0.0)  # upper body untouched
    # the centre of mass lands com_ahead_of_ankle_m ahead of the ankles, whatever the posture
    for drop, pitch in ((0.8, 0.0), (0.7, 0.3), (0.75, -0.1)):
        forward = prior.balanced_forward(drop, pitch)
        ahead = prior.com_forward(forward, drop, pitch) - forward
        assert ahead == pytest.approx(prior.config.com_ahead_of_ankle_m, abs=1e-4)
    assert prior.balanced_forward(0.8, 0.3) > prior.balanced_forward(0.8, 0.0)  # lean forward: feet forward


def _state(**overrides) -> LeggedState:
    values = {
        "pos": np.array([0.0, 0.0, 0.85]),
        "quat": np.array([0.0, 0.0, 0.0, 1.0]),
        "lin_vel_b": np.zeros(3),
        "ang_vel_b": np.zeros(3),
        "gravity_b": np.array([0.0, 0.0, -1.0]),
        "q": np.zeros(28),
        "dq": np.zeros(28),
        "tau": np.zeros(28),
    }
    return LeggedState(**{**values, **overrides})


def test_reward_known_answers() -> None:
    w = RewardWeights()
    zero = np.zeros(28)
    command = np.array([0.85, 0.0, 0.0])
    perfect = reward_terms(_state(), command, zero, zero, w)
    assert sum(perfect.values()) == pytest.approx(3.0)  # alive + height + orientation, no penalty
    terms = reward_terms(
        _state(
            pos=np.array([0.0, 0.0, 0.80]),  # 5 cm low: exp(-0.0025 / 0.0025)
            quat=np.array(pb.getQuaternionFromEuler((0.1, 0.0, 0.0))),  # 0.1 rad roll: exp(-0.01 / 0.02)
            lin_vel_b=np.array([0.3, 0.4, 1.0]),  # planar only: -0.5 * 0.25
            ang_vel_b=np.array([1.0, 0.0, 2.0]),  # -0.05 * 5
            tau=np.full(28, 10.0),  # -1e-6 * 2800
        ),
        command,
        np.full(28, 0.5),  # -0.005 * 7
        zero,  # rate: -0.01 * 7
        w,
    )
    expected = {
        "alive": 1.0,
        "height": np.exp(-1.0),
        "orientation": np.exp(-0.5),
        "lin_vel": -0.125,
        "ang_vel": -0.25,
        "action_rate": -0.07,
        "action": -0.035,
        "torque": -0.0028,
    }
    assert terms == pytest.approx(expected, abs=1e-9)
