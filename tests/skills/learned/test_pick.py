"""The learned pick: it keeps closed on what it holds, turns to the measured axis, bounds the goal."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agentrt.core.results import SkillStatus
from agentrt.testing import FakeEnv
from skills.learned import LearnedPick
from skills.vla.ensemble import ExecutionConfig
from skills.vla.protocol import GraspAware
from tests.skills.learned.fakes import SCENE, pick_rows


def test_a_pick_keeps_closed_on_what_it_holds(
    fakes: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows that reopen the gripper once the object is in the hand (untrained rows past a
    demonstration's end) are applied closed; the pick ends holding it."""

    def rows(step: int, instruction: str) -> np.ndarray:
        out = np.zeros((4, 7), np.float32)
        for i in range(4):
            out[i, 2] = 0.01 if step + i < 12 else 0.0
            out[i, 6] = 1.0 if 3 <= step + i < 6 else -1.0  # closes at 3, "lets go" from 6
        return out

    one_row = ExecutionConfig(mode="receding", execute_steps=1)
    env = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0")
    skill = LearnedPick(fakes.ScriptedChunkPolicy(rows), execution=one_row)
    result = skill.run(env, {"object": "mug_0"}, scene=SCENE)
    assert result.status is SkillStatus.SUCCESS, result.reason
    assert env.scene.robot.holding == "mug_0"
    grips = [float(a["arm"][6]) for a in env.actions]
    assert grips[:5] == [-1, -1, -1, 1, 1] and all(g == 1.0 for g in grips[5:])

    monkeypatch.setattr(LearnedPick, "keep_grasp", False)
    env = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0")
    LearnedPick(fakes.ScriptedChunkPolicy(rows), execution=one_row).run(env, {"object": "mug_0"}, scene=SCENE)
    assert -1.0 in [float(a["arm"][6]) for a in env.actions[6:]]  # the policy's own command opens


class _YawWorld(FakeEnv):
    """A FakeEnv with an arm setpoint that moves and turns by each commanded step (top-down hand)."""

    def __init__(self, scene, hand) -> None:  # type: ignore[no-untyped-def]
        super().__init__(scene)
        self.setpoint = np.asarray(hand, np.float32)
        self.yaw = 0.0

    def ee_target(self):  # type: ignore[no-untyped-def]
        c, s = np.cos(self.yaw), np.sin(self.yaw)
        return self.setpoint.copy(), np.array([[c, s, 0.0], [s, -c, 0.0], [0.0, 0.0, -1.0]])

    def step(self, action):  # type: ignore[no-untyped-def]
        self.yaw += float(action["arm"][5])
        self.setpoint = self.setpoint + np.asarray(action["arm"][:3], np.float32)
        return super().step(action)


def _grasp_aware(policy, grasp_yaw):  # type: ignore[no-untyped-def]
    policy.grasping, policy.grasp_within, policy.grasp_yaw = True, None, grasp_yaw
    assert isinstance(policy, GraspAware)
    return policy


def test_a_pick_turns_the_hand_to_close_across_the_measured_long_axis(fakes: SimpleNamespace) -> None:
    """The policy measured the object's long axis at 1.2 rad: while the gripper is open each yaw step
    goes there (clipped to 0.25 rad, the short way round mod pi); once it closes, the policy's own."""
    policy = _grasp_aware(fakes.ScriptedChunkPolicy(pick_rows(close_at=8, still_at=12), chunk_size=4), 1.2)
    env = _YawWorld(SCENE.model_copy(deep=True), hand=[0.4, 0.0, 0.3])
    LearnedPick(policy).run(env, {"object": "mug_0"}, scene=SCENE, max_steps=10)
    yaw_steps = [float(a["arm"][5]) for a in env.actions]
    assert yaw_steps[:4] == pytest.approx([0.25, 0.25, 0.25, 0.25])
    assert yaw_steps[4] == pytest.approx(0.2, abs=1e-5)
    assert yaw_steps[5:8] == pytest.approx([0, 0, 0], abs=1e-5)
    assert yaw_steps[8:] == pytest.approx([0.0, 0.0]), "closing: the policy's rotation (none here)"
    policy.grasp_yaw = -1.5  # the same axis as 1.5 + pi - 3: 0.14 rad on from the hand's 1.5
    env = _YawWorld(SCENE.model_copy(deep=True), hand=[0.4, 0.0, 0.3])
    env.yaw = 1.5
    LearnedPick(policy).run(env, {"object": "mug_0"}, scene=SCENE, max_steps=3)
    assert float(env.actions[0]["arm"][5]) == pytest.approx(np.pi - 3.0, abs=1e-5)


def test_a_pick_tells_its_policy_where_the_object_can_be(fakes: SimpleNamespace) -> None:
    """``LearnedPick`` hands a GraspAware policy the place the object lies in (the map's rectangle,
    with ``on_place``'s margins) as ``grasp_within``, in the base frame the goals are in."""
    import scenes

    env = scenes.make("kitchen-v0", time_limit=False, head_size=16, wrist_size=16)
    try:
        env.reset(seed=3)
        e = env.unwrapped
        obj = next(o for o in e.objects if e.describe().object(o).location == "dish_rack")
        e.robot.reset(base_pose=e.places["dish_rack"].approach)
        policy = _grasp_aware(fakes.ScriptedChunkPolicy(pick_rows()), None)
        skill = LearnedPick(policy)
        skill._given_instruction = None
        skill._reset(env, LearnedPick.Args(object=obj), e.describe())
        assert policy.grasp_within is not None
        extent = e.places["dish_rack"].extent
        on = e.world_to_base(np.array([*extent.center, extent.support_z + 0.1]))
        beside_robot = e.world_to_base(np.array([*e.robot.arm.mount_pose()[0][:2], extent.support_z + 0.1]))
        too_high = e.world_to_base(np.array([*extent.center, extent.support_z + 0.6]))
        x_edge = extent.center[0] + extent.half[0] + 0.04
        edge = e.world_to_base(np.array([x_edge, extent.center[1], extent.support_z]))
        assert policy.grasp_within(on) and policy.grasp_within(edge)
        assert not policy.grasp_within(beside_robot) and not policy.grasp_within(too_high)
        monkey = LearnedPick(policy)
        monkey.on_place = None  # switched off: the policy keeps any goal
        policy.grasp_within = None
        monkey._given_instruction = None
        monkey._reset(env, LearnedPick.Args(object=obj), e.describe())
        assert policy.grasp_within is None
    finally:
        env.close()
