"""The place spot measured from the head depth image keeps clear of what lies in the receptacle."""

from __future__ import annotations

import numpy as np
import pybullet as p
import pytest

import scenes
from scenes.geometry import quat_matrix
from skills.vla.camera import head_camera
from skills.vla.free_space import FreeSpotConfig, room_map


@pytest.fixture(scope="module")
def kitchen():
    env = scenes.make("kitchen-v0", time_limit=False, head_size=96, wrist_size=16)
    yield env, head_camera(env)
    env.close()


def _spot(env, camera, place_id: str) -> np.ndarray | None:
    """The most open cell of the place's room, nearest the arm among equals."""
    e = env.unwrapped
    obs = e.get_obs()
    pos, quat = e.robot.arm.mount_pose()
    region, hand = e.places[place_id].region, e.robot.arm.ee_world()[0]
    room = room_map(obs["head_depth"], camera, pos, quat_matrix(quat), region, hand)
    return None if room is None else room.most_open(pos[:2])


def _clearances(e, spot: np.ndarray) -> dict[str, float]:
    """Distance (m) from ``spot`` to the footprint edge of every object near it (the simulator's poses)."""
    return {
        oid: float(np.linalg.norm(e.object_pose(oid)[0][:2] - spot)) - rec.shape.radius
        for oid, rec in e.objects.items()
        if np.linalg.norm(e.object_pose(oid)[0][:2] - spot) < 0.5
    }


@pytest.mark.parametrize("place_id", ["dish_rack", "fruit_bowl", "counter"])
def test_spot_is_in_the_region_and_moves_off_an_object_put_there(kitchen, place_id: str) -> None:
    env, camera = kitchen
    env.reset(seed=3)
    e = env.unwrapped
    region = e.places[place_id].region
    e.robot.reset(base_pose=e.places[place_id].approach)
    first = _spot(env, camera, place_id)
    assert first is not None, "an observed receptacle gave no spot"
    assert region.contains_xy(first, -FreeSpotConfig().edge_m + 1e-6)
    assert min(_clearances(e, first).values(), default=1.0) > 0.0, "the spot lies on an object"

    # put an object exactly there (resting on the support): the next spot must avoid it
    mover = next(oid for oid in e.objects if oid.startswith("mug"))
    rec = e.objects[mover]
    bottom = e.object_pose(mover)[0][2] - e.object_bottom_z(mover)
    p.resetBasePositionAndOrientation(
        rec.body,
        [first[0], first[1], region.support_z + bottom + 0.002],
        [0, 0, 0, 1],
        physicsClientId=e.client,
    )
    second = _spot(env, camera, place_id)
    assert second is not None
    assert np.linalg.norm(second - first) > rec.shape.radius
    assert min(_clearances(e, second).values(), default=1.0) > 0.0


def test_no_spot_without_a_view_of_the_receptacle(kitchen) -> None:
    """From the shelf the dish rack is out of view: no surface seen, no spot (the goal head decides)."""
    env, camera = kitchen
    env.reset(seed=3)
    e = env.unwrapped
    e.robot.reset(base_pose=e.places["shelf"].approach)
    assert _spot(env, camera, "dish_rack") is None


def test_learned_place_moves_its_policys_goal_off_what_lies_there(kitchen, fakes) -> None:
    """Before its first chunk ``LearnedPlace`` measures the room in the receptacle it was asked for;
    the policy's goal (base frame) stays where there is room and moves off an object."""
    from types import SimpleNamespace

    from skills.vla.skills import LearnedPlace

    env, camera = kitchen
    env.reset(seed=3)
    e = env.unwrapped
    e.robot.reset(base_pose=e.places["dish_rack"].approach)
    policy = fakes.ScriptedChunkPolicy(lambda step, text: np.zeros((4, 7)))
    policy.config = SimpleNamespace(depth_goal=SimpleNamespace(camera=camera))
    policy.place_spot = None
    skill = LearnedPlace(policy)
    skill.env, skill.binding = e, {"?object": "mug_0", "?receptacle": "dish_rack"}
    skill._measure_room(e.get_obs())
    assert skill.room is not None and policy.place_spot is not None
    to_base = lambda xy: e.world_to_base(np.array([*xy, 0.7]))[:2]  # noqa: E731
    open_xy = skill.room.most_open(np.asarray(e.robot.arm.mount_pose()[0][:2]))
    np.testing.assert_allclose(policy.place_spot(to_base(open_xy)), to_base(open_xy), atol=1e-5)
    # a goal on an object in the rack moves to a cell with room, away from it
    inside = [o for o in e.objects if e.describe().object(o).location == "dish_rack"]
    assert inside, "seed 3 should have something in the dish rack"
    occupied = e.object_pose(inside[0])[0][:2]
    moved = policy.place_spot(to_base(occupied))
    assert moved is not None and np.linalg.norm(moved - to_base(occupied)) > e.objects[inside[0]].shape.radius
    outside = policy.place_spot(to_base(np.asarray(e.places["dish_rack"].region.center) + [0.0, 0.5]))
    assert outside is not None and e.places["dish_rack"].region.contains_xy(
        e.robot.arm.to_world(np.array([*outside, 0.0]), np.eye(3))[0]
    )

    policy.place_spot = None  # a policy without a depth calibration gets no spot
    policy.config = SimpleNamespace(depth_goal=None)
    skill._measure_room(e.get_obs())
    assert policy.place_spot is None
