"""house-v0: floor plan, rooms as places, walking through the controller, hand-offs, falls, robot choice."""

from __future__ import annotations

import numpy as np
import pybullet as p
import pytest

import scenes
from agentrt.core.registry import CONTROLLERS
from scenes.house import HouseEnv, RobotSelectionError
from scenes.house_layout import ROOMS


@pytest.fixture(scope="module")
def env():
    env = scenes.make("house-v0", time_limit=False, head_size=32)
    yield env
    env.close()


def test_places_rooms_and_furniture(env) -> None:
    env.reset(seed=0)
    scene = env.describe()
    rooms = {pl.id for pl in scene.places if not pl.receptacle}
    furniture = {pl.id for pl in scene.places if pl.receptacle}
    assert rooms == {"kitchen", "bedroom", "living_room", "bathroom"}
    assert furniture == {"kitchen_counter", "kitchen_table", "nightstand", "coffee_table", "bathroom_cabinet"}
    assert all(o.location in furniture for o in scene.objects)
    assert 1 <= len(scene.misplaced()) <= 3


def test_every_room_and_approach_pose_is_reachable(env) -> None:
    env.reset(seed=0)
    nav = env.nav_map
    for place in env.places.values():
        assert nav.is_free(np.array(place.approach[:2])), f"{place.id} approach is inside an obstacle"
    for a in ROOMS:
        for b in ROOMS:
            if a.id != b.id:
                assert nav.plan(np.array(a.stand), np.array(b.stand)) is not None, (a.id, b.id)


def test_seeds_vary_start_room_and_pose_and_robot_is_in_its_room(env) -> None:
    starts = set()
    for seed in range(8):
        env.reset(seed=seed)
        scene = env.describe()
        assert scene.robot.at in {"living_room", "bedroom", "bathroom"}
        assert ("robot_at", scene.robot.at) in scene.facts()
        starts.add((scene.robot.at, tuple(np.round(env.base_pose(), 2))))
    assert len({room for room, _ in starts}) >= 2 and len(starts) == 8


def test_room_membership_uses_the_wall_margin(env) -> None:
    env.reset(seed=0)
    assert env.room_of(np.array([2.0, 1.5])) == "kitchen"
    assert env.room_of(np.array([-1.0, -1.0])) == "living_room"
    assert env.room_of(np.array([0.05, 1.5])) is None  # standing in the bedroom-kitchen doorway


def test_walking_forward_moves_the_trunk_and_logs_each_handoff(env) -> None:
    env.reset(seed=1)
    start = env.base_pose()
    assert env.handoffs == []
    for _ in range(20):
        _, _, terminated, truncated, info = env.step({"base": np.array([0.4, 0.0, 0.0], np.float32)})
        assert not terminated and not truncated and info["fault"] is None
    end = env.base_pose()
    heading = np.array([np.cos(start[2]), np.sin(start[2])])
    assert float((end[:2] - start[:2]) @ heading) > 0.5  # 2 s at 0.4 m/s, after the ramp
    assert len(env.handoffs) == 20
    assert env.handoffs[0].command == (0.4, 0.0, 0.0) and not any(h.clipped for h in env.handoffs)
    assert env.handoffs[1].time_s - env.handoffs[0].time_s == pytest.approx(0.1)
    env.step({"base": np.array([0.0, 0.0, 1.5], np.float32)})  # yaw rate above the 0.8 rad/s envelope
    assert env.handoffs[-1].clipped


def test_a_fall_latches_the_interlock_and_terminates(env) -> None:
    env.reset(seed=2)
    body = env.robot.body
    pos, _ = p.getBasePositionAndOrientation(body, physicsClientId=env.client)
    p.resetBasePositionAndOrientation(
        body, (pos[0], pos[1], 0.3), p.getQuaternionFromEuler((np.pi, 0, 0)), physicsClientId=env.client
    )
    _, _, terminated, _, info = env.step({"base": np.zeros(3, np.float32)})
    assert terminated and "fell" in info["fault"]
    count = len(env.handoffs)
    _, _, terminated, _, info = env.step({"base": np.array([0.3, 0, 0], np.float32)})
    assert terminated and len(env.handoffs) == count  # commands are refused once latched


def test_robot_selection_by_model_name_or_kind() -> None:
    assert HouseEnv.select_robot("quadruped") == {"robot": "a1", "controller": "a1-locomotion"}
    assert HouseEnv.select_robot("a1") == {"robot": "a1", "controller": "a1-locomotion"}
    with pytest.raises(RobotSelectionError, match="no shipped humanoid controller accepts base velocity"):
        HouseEnv.select_robot("humanoid")


class _PostureOnly:
    """A stand-in for a shipped balance controller: drives a humanoid with posture commands."""

    robot = "humanoid"
    command = "posture"

    def drive(self, robot, step_physics):  # noqa: ANN001, ANN201
        raise AssertionError("never built")


def test_humanoid_with_a_posture_controller_is_refused_with_its_command_type() -> None:
    CONTROLLERS.add("test-humanoid-balance", _PostureOnly())
    try:
        with pytest.raises(RobotSelectionError) as info:
            HouseEnv.select_robot("humanoid")
        message = str(info.value)
        assert "test-humanoid-balance drives the humanoid with posture commands" in message
        assert "\n" not in message
    finally:
        CONTROLLERS.remove("test-humanoid-balance")


def test_every_registered_controller_declares_robot_and_command() -> None:
    assert "a1-locomotion" in CONTROLLERS.names()
    for name, entry in CONTROLLERS.items():
        assert isinstance(entry.robot, str) and entry.robot, name
        assert entry.command in {"velocity", "posture"}, name
        assert callable(entry.drive), name


def test_a_real_balance_artifact_is_refused_by_its_posture_command_type(tmp_path) -> None:  # noqa: ANN001
    from controllers.artifact import save_artifact
    from controllers.balance.controller import pd_prior_policy
    from controllers.registration import ShippedController

    policy = pd_prior_policy()
    save_artifact(tmp_path / "balance", policy.actor, policy.meta)
    entry = ShippedController(str(tmp_path / "balance"), "balance", "humanoid")
    assert entry.command == "posture"  # read from BalanceController.command_type, not from a name
    with pytest.raises(ValueError, match="takes posture commands"):
        entry.drive(None, lambda: None)
    CONTROLLERS.add("test-real-balance", entry)
    try:
        with pytest.raises(RobotSelectionError, match="test-real-balance drives the humanoid with posture"):
            HouseEnv.select_robot("humanoid")
    finally:
        CONTROLLERS.remove("test-real-balance")
