"""Action clipping, base collision refusal and the grasp weld's honesty."""

from __future__ import annotations

import numpy as np
import pybullet as p
import pytest

import scenes
from agentrt.core.actions import MAX_BASE_ANG_RPS, MAX_BASE_LIN_MPS, MAX_EE_STEP_M
from agentrt.core.registry import ROBOTS
from scenes.robots.mobile_panda import MobilePanda
from scenes.robots.panda import FINGER_JOINTS
from scenes.world import add_box


@pytest.fixture(scope="module")
def kitchen():
    env = scenes.make("kitchen-v0", time_limit=False, head_size=16, wrist_size=16)
    yield env
    env.close()


def test_robots_registered() -> None:
    assert ROBOTS.get("mobile-panda") is MobilePanda
    assert "panda" in ROBOTS


def test_arm_delta_is_clipped(kitchen) -> None:
    kitchen.reset(seed=0)
    before, _ = kitchen.ee_target()
    kitchen.step(
        {"arm": np.array([1.0, -1.0, 1.0, 0, 0, 0, -1], np.float32), "base": np.zeros(3, np.float32)}
    )
    after, _ = kitchen.ee_target()
    assert np.all(np.abs(after - before) <= MAX_EE_STEP_M + 1e-9)
    assert np.isclose(after[0] - before[0], MAX_EE_STEP_M)


def test_ee_target_stays_within_leash_and_workspace(kitchen) -> None:
    kitchen.reset(seed=0)
    for _ in range(30):
        kitchen.step(
            {"arm": np.array([0.05, 0, -0.05, 0, 0, 0, -1], np.float32), "base": np.zeros(3, np.float32)}
        )
    target, _ = kitchen.ee_target()
    measured, _ = kitchen.ee_pose()
    low, high = kitchen.robot.arm.workspace
    assert np.all(target >= low - 1e-9) and np.all(target <= high + 1e-9)
    assert np.linalg.norm(target - measured) <= 0.1 + 1e-6


def test_base_velocity_is_clipped(kitchen) -> None:
    kitchen.reset(seed=0)
    start = kitchen.base_pose()
    _, _, _, _, info = kitchen.step(
        {"arm": np.zeros(7, np.float32), "base": np.array([9.0, 0.0, 9.0], np.float32)}
    )
    end = kitchen.base_pose()
    assert not info["base_blocked"]
    assert np.hypot(*(end[:2] - start[:2])) == pytest.approx(MAX_BASE_LIN_MPS * 0.1, abs=1e-3)  # an arc
    assert end[2] - start[2] == pytest.approx(MAX_BASE_ANG_RPS * 0.1, abs=1e-6)


def test_base_is_refused_by_furniture(kitchen) -> None:
    kitchen.reset(seed=0)
    blocked = False
    for _ in range(60):  # drive west into the shelf / wall
        _, _, _, _, info = kitchen.step(
            {"arm": np.zeros(7, np.float32), "base": np.array([-0.8, 0.0, 0.0], np.float32)}
        )
        blocked |= info["base_blocked"]
        assert not MobilePanda.footprint_hits(kitchen.base_pose(), kitchen.fixtures)
    assert blocked


def test_a_base_against_furniture_makes_the_free_part_of_a_step(kitchen) -> None:
    """A step into a fixture is refused as a whole, but its translation alone is made where free:
    flush against the wall, a turn would swing a corner into it, yet the base slides along."""
    kitchen.reset(seed=0)

    def drive(v: list[float]) -> dict:
        return kitchen.step({"arm": np.zeros(7, np.float32), "base": np.array(v, np.float32)})[-1]

    for _ in range(60):
        drive([-0.8, 0.0, 0.0])  # pinned against the shelf / wall to the west
    pinned = kitchen.base_pose()
    for _ in range(5):
        info = drive([0.0, 0.3, 1.0])  # along the wall (+y), turning
        assert info["base_blocked"]
        assert not MobilePanda.footprint_hits(kitchen.base_pose(), kitchen.fixtures)
    assert kitchen.base_pose()[1] - pinned[1] == pytest.approx(0.15, abs=0.01)


def test_closing_on_nothing_holds_nothing(kitchen) -> None:
    kitchen.reset(seed=0)
    for _ in range(5):
        _, _, _, _, info = kitchen.step({"arm": np.array([0, 0, 0, 0, 0, 0, 1.0], np.float32)})
    assert info["held"] is None and kitchen.held_object() is None
    assert kitchen.gripper_width() < 0.01


def _press_on_top(env, half: tuple[float, float, float]) -> int:
    """Put a graspable static box of ``half`` extents just under the open fingertips, then close the
    gripper while pushing the hand down onto it, checking no weld is made; the box's body id."""
    env.reset(seed=0)
    arm = env.robot.arm
    pos_b, rot_b = arm.ee_pose()
    tip, _ = arm.to_world(pos_b, rot_b)
    body = add_box(env.client, (tip[0], tip[1], tip[2] - 0.012 - half[2]), half, (1, 1, 1, 1))
    arm.graspable = [*arm.graspable, body]
    for _ in range(8):
        env.step({"arm": np.array([0, 0, -0.01, 0, 0, 0, 1.0], np.float32)})
        assert arm.held is None, f"welded with the fingertips on its top (width {env.gripper_width():.3f} m)"
    return body


def test_fingertips_resting_on_an_object_do_not_grasp_it(kitchen) -> None:
    """Both fingertips touch a wide slab from above while closing: no weld (contact normals are
    along the hand's z, not across the closing axis)."""
    body = _press_on_top(kitchen, (0.1, 0.1, 0.01))
    arm = kitchen.robot.arm
    for finger in FINGER_JOINTS:  # the test is only worth something if both fingertips touch it
        contacts = p.getContactPoints(arm.body, body, linkIndexA=finger, physicsClientId=kitchen.client)
        assert contacts, f"finger link {finger} does not touch the slab"


def test_a_squeeze_across_the_closing_axis_grasps() -> None:
    """The same hand closing on a 4 cm block between its fingers welds it."""
    env = scenes.make("tabletop-v0", time_limit=False, head_size=16, wrist_size=16)
    try:
        env.reset(seed=0)
        arm = env.robot.arm
        pos_b, rot_b = arm.ee_pose()
        tip, _ = arm.to_world(pos_b, rot_b)
        body = add_box(env.client, (tip[0], tip[1], tip[2]), (0.02, 0.02, 0.02), (1, 1, 1, 1))
        arm.graspable = [*arm.graspable, body]
        for _ in range(6):
            env.step({"arm": np.array([0, 0, 0, 0, 0, 0, 1.0], np.float32)})
        assert arm.held == body and 0.03 < env.gripper_width() < 0.05
    finally:
        env.close()


def test_cameras_paused_skips_rendering_but_not_physics(kitchen) -> None:
    kitchen.reset(seed=0)
    lit = kitchen.get_obs()
    assert lit["head_rgb"].any() and lit["wrist_rgb"].any()
    move = {"arm": np.zeros(7, np.float32), "base": np.array([0.2, 0.0, 0.0], np.float32)}
    with kitchen.unwrapped.cameras_paused():
        with kitchen.unwrapped.cameras_paused():  # nests
            dark, *_ = kitchen.step(move)
        assert not dark["head_rgb"].any()
        for key in ("head_rgb", "head_depth", "wrist_rgb"):
            assert dark[key].shape == lit[key].shape and dark[key].dtype == lit[key].dtype
    assert np.hypot(*(dark["state"][15:17] - lit["state"][15:17])) > 0.01  # the base moved
    again = kitchen.get_obs()
    assert again["head_rgb"].any() and again["wrist_rgb"].any()


def test_a_released_object_drops_instead_of_being_thrown() -> None:
    """The weld lets the fingers sink into a held bowl; opening them used to push it 4 cm sideways
    (the removed experiment ``release_travel --push`` (docs/experiments.md)). While they open they pass through it, it stays where it
    was, and the fingers collide with it again once clear (within the first control step or a
    later one). With ``PandaArm.let_go_through = False`` the bowl moves 4 cm and this fails."""
    from skills.vla.evaluate import setup_case

    env = scenes.make("kitchen-v0", time_limit=False, head_size=16, wrist_size=16)
    try:
        case, _ = setup_case(env, "place", 100000)  # the scripted pick of a bowl, at the fruit bowl
        e = env.unwrapped
        arm, obj = e.robot.arm, e.held_object()
        body = arm.held
        assert obj == "bowl_0" and env.unwrapped.gripper_width() < 0.01  # sunk into the bowl
        spot = e.free_spot(case.args["receptacle"], obj)
        for _ in range(40):  # over the free spot, then pressed down onto the support
            step = np.clip(e.world_to_base(np.array([*spot, 0.0]))[:2] - e.ee_target()[0][:2], -0.05, 0.05)
            env.step({"arm": np.array([*step, 0, 0, 0, 0, 1.0], np.float32)})
        low = e.object_pose(obj)[0][2]
        for _ in range(60):  # down until it rests on something, the hand pressing on
            env.step({"arm": np.array([0, 0, -0.01, 0, 0, 0, 1.0], np.float32)})
            if e.object_pose(obj)[0][2] > low - 0.002:
                break
            low = e.object_pose(obj)[0][2]
        before = e.object_pose(obj)[0]
        env.step({"arm": np.array([0, 0, 0, 0, 0, 0, -1.0], np.float32)})
        assert arm.held is None and arm.weld is None
        assert arm.letting_go is None or arm.letting_go[0] == body
        for _ in range(14):
            env.step({"arm": np.array([0, 0, 0, 0, 0, 0, -1.0], np.float32)})
        assert arm.letting_go is None, "the fingers never collided with the bowl again"
        assert np.linalg.norm((e.object_pose(obj)[0] - before)[:2]) < 0.02
        assert e.describe().object(obj).location == case.args["receptacle"]
    finally:
        env.close()
