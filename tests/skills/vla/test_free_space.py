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
