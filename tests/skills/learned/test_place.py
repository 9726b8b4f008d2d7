"""The learned place: before its first chunk it hands its policy the room measured in the receptacle."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import scenes
from skills.learned import LearnedPlace
from skills.vla.camera import head_camera
from skills.vla.protocol import PlaceSpotAware


@pytest.fixture(scope="module")
def kitchen():  # type: ignore[no-untyped-def]
    env = scenes.make("kitchen-v0", time_limit=False, head_size=96, wrist_size=16)
    yield env, head_camera(env)
    env.close()


def test_learned_place_moves_its_policys_goal_off_what_lies_there(
    kitchen: tuple, fakes: SimpleNamespace
) -> None:
    """Before its first chunk ``LearnedPlace`` measures the room in the receptacle it was asked for;
    the policy's goal (base frame) stays where there is room and moves off an object."""
    env, camera = kitchen
    env.reset(seed=3)
    e = env.unwrapped
    e.robot.reset(base_pose=e.places["dish_rack"].approach)
    policy = fakes.ScriptedChunkPolicy(lambda step, text: np.zeros((4, 7)))
    policy.depth_camera, policy.place_spot = camera, None  # PlaceSpotAware, as VLAPolicy with a depth goal
    assert isinstance(policy, PlaceSpotAware)
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
    policy.depth_camera = None
    skill._measure_room(e.get_obs())
    assert policy.place_spot is None
    plain = fakes.ScriptedChunkPolicy(lambda step, text: np.zeros((4, 7)))
    plain.place_spot = None  # no depth_camera: not PlaceSpotAware, no spot
    other = LearnedPlace(plain)
    other.env, other.binding = e, skill.binding
    other._measure_room(e.get_obs())
    assert plain.place_spot is None
