"""navigate_to on a legged robot: walks on the locomotion controller, forward and turning; a fall fails it."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pybullet as p
import pytest

import scenes
from agentrt.core.results import SkillStatus
from skills.base import Done
from skills.legged_navigate import CRUISE_MPS, MAX_TURN_RPS, LeggedNavigator
from skills.scripted.navigate import ScriptedNavigate


@pytest.fixture(scope="module")
def env():
    env = scenes.make("house-v0", head_size=16)
    yield env
    env.close()


def _walk(env, place: str, on_step=None):  # noqa: ANN001, ANN202
    return ScriptedNavigate().run(env, {"place": place}, scene=env.describe(), on_step=on_step)


@pytest.mark.parametrize(("seed", "place"), [(1, "kitchen"), (4, "nightstand")])
def test_walks_to_a_room_or_furniture_with_forward_commands(env, seed: int, place: str) -> None:
    env.reset(seed=seed)
    result = _walk(env, place)
    assert result.status is SkillStatus.SUCCESS, result.reason
    assert env.describe().robot.at == place
    commands = np.array([h.command for h in env.unwrapped.handoffs])
    assert len(commands) == result.steps > 20
    assert np.all(commands[:, 1] == 0.0), "the quadruped walks forward, never sideways"
    assert commands[:, 0].min() >= 0.0 and commands[:, 0].max() <= CRUISE_MPS + 1e-6
    assert np.abs(commands[:, 2]).max() <= MAX_TURN_RPS + 1e-6
    assert not any(h.clipped for h in env.unwrapped.handoffs)


def test_a_fall_fails_the_skill_with_the_interlock_reason(env) -> None:
    env.reset(seed=1)
    inner = env.unwrapped

    def knock_over(event) -> None:  # noqa: ANN001
        if event.step == 5:
            pos, _ = p.getBasePositionAndOrientation(inner.robot.body, physicsClientId=inner.client)
            quat = p.getQuaternionFromEuler((np.pi / 2, 0, 0))
            p.resetBasePositionAndOrientation(inner.robot.body, pos, quat, physicsClientId=inner.client)

    result = _walk(env, "kitchen", on_step=knock_over)
    assert result.status is SkillStatus.FAILURE
    assert result.reason.startswith("safe stop: the robot fell")
    assert result.steps <= 7


class _FakeHouse:
    """The navigator's view of a scene: a straight free corridor, the robot facing away from the goal."""

    def __init__(self, yaw: float) -> None:
        self.pose = np.array([0.0, 0.0, yaw])
        self.drive = SimpleNamespace(fault=None)
        self.nav_map = SimpleNamespace(is_free=lambda xy: True)

    def place(self, place_id: str):  # noqa: ANN201
        return SimpleNamespace(name=place_id, approach=(2.0, 0.0, 0.0), receptacle=False)

    def plan_path(self, goal):  # noqa: ANN001, ANN201
        return [self.pose[:2].copy(), np.asarray(goal)]

    def base_pose(self) -> np.ndarray:
        return self.pose


def test_turns_in_place_when_facing_away_then_walks_forward() -> None:
    house = _FakeHouse(yaw=np.pi / 2)  # goal straight ahead along +x, robot facing +y
    nav = LeggedNavigator(house, "room")
    action = nav.act()
    vx, vy, wz = action["base"]
    assert (vx, vy) == (0.0, 0.0) and wz < 0  # heading error -pi/2: turn clockwise in place
    house.pose[2] = 0.0
    vx, vy, wz = nav.act()["base"]
    assert vx == pytest.approx(CRUISE_MPS) and vy == 0.0 and wz == pytest.approx(0.0)
    house.pose[:2] = (1.8, 0.0)  # within the room tolerance of the stand point
    assert nav.act() == Done(True)


def test_a_latched_fault_ends_the_walk_with_its_reason() -> None:
    house = _FakeHouse(yaw=0.0)
    nav = LeggedNavigator(house, "room")
    house.drive.fault = "safe stop: the robot fell (trunk tilt 1.20 rad above 0.90 rad)"
    assert nav.act() == Done(False, house.drive.fault)
