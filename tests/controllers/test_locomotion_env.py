"""The quadruped locomotion env: Gymnasium contract, termination vs truncation, reward known answers."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from controllers.locomotion.env import LocomotionEnvConfig, QuadrupedLocomotionEnv
from controllers.locomotion.terms import OBS_DIM, RewardWeights, reward_terms
from scenes.robots.legged import LeggedState


@pytest.fixture
def env():
    e = QuadrupedLocomotionEnv({"episode_s": 1.0})
    yield e
    e.close()


def test_check_env_passes(env: QuadrupedLocomotionEnv) -> None:
    check_env(env, skip_render_check=True)


def test_randomized_env_passes_check_env() -> None:
    e = QuadrupedLocomotionEnv(
        {
            "randomization": {
                "friction": (0.6, 1.2),
                "push_interval_s": 0.5,
                "push_velocity": 0.3,
                "bump_height_m": 0.02,
            }
        }
    )
    try:
        check_env(e, skip_render_check=True)
    finally:
        e.close()


def test_time_limit_truncates_without_terminating(env: QuadrupedLocomotionEnv) -> None:
    obs, _ = env.reset(seed=0)
    assert obs.shape == (OBS_DIM,)
    for step in range(1, 51):
        obs, reward, terminated, truncated, info = env.step(np.zeros(12, dtype=np.float32))
        assert not terminated, info["fall_reason"]
        assert truncated == (step == 50)  # 1 s at 50 Hz
    assert set(info["reward_terms"]) >= {"track_lin", "track_ang", "orientation"}


def test_fall_terminates(env: QuadrupedLocomotionEnv) -> None:
    env.reset(seed=0)
    env.sim.resetBasePositionAndOrientation(env.robot.body, (0, 0, 0.3), (1.0, 0.0, 0.0, 0.0))  # upside down
    _, _, terminated, truncated, info = env.step(np.zeros(12, dtype=np.float32))
    assert terminated and not truncated
    assert "tilt" in info["fall_reason"] or "height" in info["fall_reason"]


def test_unknown_robot_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown quadruped"):
        QuadrupedLocomotionEnv(LocomotionEnvConfig(robot="spot"))


def _state(lin=(0.0, 0.0, 0.0), ang=(0.0, 0.0, 0.0), gravity=(0.0, 0.0, -1.0), tau=0.0) -> LeggedState:
    z = np.zeros(12)
    return LeggedState(
        pos=np.zeros(3),
        quat=np.array([0, 0, 0, 1.0]),
        lin_vel_b=np.array(lin),
        ang_vel_b=np.array(ang),
        gravity_b=np.array(gravity),
        q=z,
        dq=z,
        tau=np.full(12, tau),
    )


def test_reward_known_answers() -> None:
    w = RewardWeights()
    perfect = reward_terms(
        _state(lin=(0.5, 0, 0), ang=(0, 0, 0.2)), np.array([0.5, 0, 0.2]), np.zeros(12), np.zeros(12), w
    )
    assert perfect["track_lin"] == pytest.approx(w.track_lin)
    assert perfect["track_ang"] == pytest.approx(w.track_ang)
    assert perfect["lin_vel_z"] == perfect["orientation"] == perfect["action_rate"] == 0.0
    # 0.5 m/s planar error: exp(-0.25 / 0.25) = e^-1; 0.5 rad/s yaw error likewise
    off = reward_terms(_state(), np.array([0.3, 0.4, 0.5]), np.ones(12), np.zeros(12), w)
    assert off["track_lin"] == pytest.approx(w.track_lin * np.exp(-1.0))
    assert off["track_ang"] == pytest.approx(w.track_ang * np.exp(-1.0))
    assert off["action_rate"] == pytest.approx(w.action_rate * 12)
    tilted = reward_terms(
        _state(lin=(0, 0, 0.5), gravity=(0.6, 0.0, -0.8), tau=10.0),
        np.zeros(3),
        np.zeros(12),
        np.zeros(12),
        w,
    )
    assert tilted["lin_vel_z"] == pytest.approx(w.lin_vel_z * 0.25)
    assert tilted["orientation"] == pytest.approx(w.orientation * 0.36)
    assert tilted["torque"] == pytest.approx(w.torque * 12 * 100)
