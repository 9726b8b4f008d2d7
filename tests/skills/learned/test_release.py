"""The place's release guard: let go only over the receptacle, judged by the held object's centre."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agentrt.core.registry import SCENES, SKILLS
from agentrt.core.results import SkillStatus
from agentrt.testing import fixture_scene
from skills.learned import LearnedPlace, PlaceDoneConfig
from skills.learned.release import ReleaseGuard, ReleaseGuardConfig


class _OpenAtOnce:
    """A chunk policy whose every row opens the gripper and keeps the hand still (a place that lets
    go wherever it starts); counts its resets."""

    chunk_size, action_keys, obs_keys, control_hz = 4, ("arm",), ("head_rgb", "state"), 10.0

    def __init__(self) -> None:
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1

    def predict_chunk(self, obs: dict, instruction: str) -> np.ndarray:
        out = np.zeros((4, 7), np.float32)
        out[:, 6] = -1.0
        return out


@pytest.mark.parametrize("guarded", [True, False])
def test_a_place_lets_go_only_over_the_receptacle(guarded: bool) -> None:
    """Holding an object at the home pose, in front of the furniture, a policy that opens at once keeps
    the object (the release is held back), the arm goes home and the policy restarts, twice, and the
    call fails with the object still in hand; without the guard the object drops at the first step."""
    env = SCENES.get("kitchen-v0")()
    try:
        env.reset(seed=7)
        scene = env.describe()
        obj = next(o for o in scene.objects if o.location not in (None, "trash_bin"))
        assert SKILLS.get("navigate_to")().run(env, {"place": obj.location}, scene=scene).ok
        assert SKILLS.get("pick")().run(env, {"object": obj.id}, scene=env.describe()).ok
        place = env.unwrapped.places[obj.location]
        assert not place.extent.contains_xy(env.unwrapped.robot.arm.ee_world()[0][:2], 0.02)
        done = PlaceDoneConfig(release_over_m=0.02 if guarded else None)
        policy = _OpenAtOnce()
        result = LearnedPlace(policy, done=done).run(
            env, {"object": obj.id, "receptacle": obj.location}, scene=env.describe()
        )
        assert result.status is SkillStatus.FAILURE
        if guarded:
            assert "opened the gripper away from" in result.reason and "still held" in result.reason
            assert env.held_object() == obj.id and policy.resets == 3  # the call's start + 2 re-homings
            home = np.asarray(env.unwrapped.robot.arm.home_pos)
            assert float(np.linalg.norm(env.unwrapped.ee_pose()[0] - home)) < 0.03
        else:
            assert result.reason.startswith("lost track") and env.held_object() is None
    finally:
        env.close()


def test_the_held_objects_centre_not_the_hands_decides_where_a_place_may_let_go() -> None:
    """A mug held 6 cm ahead of the hand (hand frame, turned 90 degrees about z): with the hand over the
    rack's front edge and the mug in front of it, the release is held back; 10 cm further in, it is not."""
    from scenes.geometry import yaw_quat
    from scenes.world import Place, Region

    rack = Place("rack", "rack", "dish_rack", Region((0.0, 0.0), (0.2, 0.1), 0.7, 0.73))
    quat = np.asarray(yaw_quat(np.pi / 2))  # the hand's x axis points along world +y
    hand = np.array([0.0, -0.09, 0.9])
    arm = SimpleNamespace(ee_world=lambda: (hand.copy(), quat))
    env = SimpleNamespace(robot=SimpleNamespace(arm=arm), places={"rack": rack}, held_object=lambda: "mug_0")
    scene = fixture_scene([("mug_0", "red mug", "mug", None, "rack")], ["rack"], robot_at="rack")
    mug = scene.object("mug_0")
    mug.pose = mug.pose.model_copy(update={"position": (0.0, -0.15, 0.85)})  # 6 cm in front (world -y)

    guard = ReleaseGuard(ReleaseGuardConfig(release_over_m=0.0))
    guard.reset(env, scene, {"?object": "mug_0", "?receptacle": "rack"})
    # in the hand frame, whose -x is world -y
    np.testing.assert_allclose(guard.grip_offset, [-0.06, 0.0, -0.05], atol=1e-9)
    opening = np.array([0, 0, 0, 0, 0, 0, -1.0], np.float32)
    assert guard.guard(opening, closes=False)[6] == 1.0 and guard.held  # hand over the rack, mug 5 cm short
    guard.held = False
    hand[1] = 0.01  # both over the rack now
    assert guard.guard(opening, closes=False)[6] == -1.0 and not guard.held
    guard.grip_offset = np.zeros(3)  # the hand's position alone would have let go at the edge
    hand[1] = -0.09
    assert guard.guard(opening, closes=False)[6] == -1.0
    off = ReleaseGuard(ReleaseGuardConfig(release_over_m=None))
    off.reset(env, scene, {"?object": "mug_0", "?receptacle": "rack"})
    np.testing.assert_array_equal(off.grip_offset, np.zeros(3))  # no guard: nothing measured
    assert off.guard(opening, closes=False)[6] == -1.0 and not off.held


def test_a_held_release_rehomes_at_most_max_recoveries_times() -> None:
    guard = ReleaseGuard(ReleaseGuardConfig(release_over_m=0.0, max_recoveries=1))
    guard.env, guard.binding = None, {"?receptacle": "rack"}
    guard.held, guard.rehomes = True, 1  # one re-homing done already
    failed = guard.start_rehoming()
    assert failed is not None and not failed.success and not guard.held and not guard.rehoming
    assert failed.reason == "the policy opened the gripper away from rack 2 times; the object is still held"
