"""The stall recovery: back up, turn (left, then right), restart the policy; at most max_recoveries."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agentrt.core.results import SkillStatus
from agentrt.testing import FakeEnv
from scenes.base import STATE_NAMES
from skills.learned import LearnedNavigate, NavigateDoneConfig
from skills.learned.stall import BASE_STATE, StallConfig, StallRecovery
from tests.skills.learned.fakes import SCENE


def _obs(x: float, y: float = 0.0, yaw: float = 0.0) -> dict[str, np.ndarray]:
    state = np.zeros(len(STATE_NAMES), np.float32)
    state[BASE_STATE] = x, y, yaw
    return {"state": state}


def test_a_stall_is_stall_steps_still_steps_short_of_the_place() -> None:
    stall = StallRecovery(StallConfig(stall_steps=3, max_recoveries=1))
    assert [stall.stalled(_obs(0.0), effects_held=False) for _ in range(3)] == [False] * 3  # 3 readings
    assert stall.stalled(_obs(0.019), effects_held=False)  # 4 readings within 2 cm: stalled
    assert not stall.stalled(_obs(0.019), effects_held=True)  # arrived: not a stall
    stall.start()
    assert stall.recovering and stall.recoveries == 1
    first = stall.next_command()
    np.testing.assert_allclose(first, [-0.3, 0.0, 0.0])  # backs up first
    commands = [first] + [stall.next_command() for _ in range(19)]
    assert not stall.recovering
    np.testing.assert_allclose(commands[-1], [0.0, 0.0, 0.6])  # then turns left
    assert not any(stall.stalled(_obs(0.0), effects_held=False) for _ in range(10))  # no recoveries left
    moving = StallRecovery(StallConfig(stall_steps=3))
    assert not any(moving.stalled(_obs(0.01 * i), effects_held=False) for i in range(10))  # 3 cm in 3 steps
    off = StallRecovery(StallConfig())
    assert not any(off.stalled(_obs(0.0), effects_held=False) for _ in range(50))  # stall_steps 0: never


class _OdometryWorld(FakeEnv):
    """A base that integrates its (vx, wz) commands into the state's odometry and never arrives."""

    def __init__(self, scene) -> None:  # type: ignore[no-untyped-def]
        super().__init__(scene)
        self.pose = np.zeros(3)

    def get_obs(self) -> dict[str, np.ndarray]:
        state = np.zeros(len(STATE_NAMES), np.float32)
        state[BASE_STATE] = self.pose
        return {"head_rgb": np.zeros((8, 8, 3), np.uint8), "state": state}

    def step(self, action):  # type: ignore[no-untyped-def]
        vx, _, wz = action["base"]
        self.pose += 0.1 * np.array([vx * np.cos(self.pose[2]), vx * np.sin(self.pose[2]), wz])
        return super().step(action)


def test_a_stalled_drive_backs_up_turns_and_resumes_the_policy(fakes: SimpleNamespace) -> None:
    """The policy stands still short of the place: after ``stall_steps`` the skill backs up 0.3 m
    and turns 0.6 rad (left, then right), restarting the policy each time, at most twice."""
    still = fakes.ScriptedChunkPolicy
    policy = still(lambda step, text: np.zeros((3, 3)), chunk_size=3, action_keys=("base",))
    env = _OdometryWorld(SCENE.model_copy(deep=True))
    done = NavigateDoneConfig(
        min_hold_steps=0, max_hold_steps=5, rest_tol=0.05, stall_steps=10, max_recoveries=2
    )
    result = LearnedNavigate(policy, done=done).run(env, {"place": "shelf"}, scene=SCENE, max_steps=120)
    assert result.status is SkillStatus.ABORTED
    base = np.array([a["base"] for a in env.actions])
    moving = np.flatnonzero(np.abs(base).sum(axis=1) > 0)
    assert len(moving) == 2 * (10 + 10), "two recoveries of 10 steps back and 10 steps turning"
    first, second = base[moving[:20]], base[moving[20:]]
    assert first[:10] == pytest.approx(np.tile([-0.3, 0.0, 0.0], (10, 1)))
    assert first[10:] == pytest.approx(np.tile([0.0, 0.0, 0.6], (10, 1)))
    assert second[10:] == pytest.approx(np.tile([0.0, 0.0, -0.6], (10, 1)))
    assert moving[0] == 10, "the first recovery starts once 10 still steps follow the first observation"
    assert len(policy.calls) > 3 and env.pose[:2] == pytest.approx(
        [-0.3 - 0.3 * np.cos(0.6), -0.3 * np.sin(0.6)], abs=1e-3
    )
