"""Learned skills: the scripted twins' interface, chunk execution, the success detector, replanning."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agentrt.agent import Agent
from agentrt.core.registry import SCENES, SKILLS
from agentrt.core.results import SkillStatus
from agentrt.core.symbolic import parse_atom, parse_literal
from agentrt.testing import FakeEnv, FakeNavigate, FakePlace, fixture_record, fixture_scene, reset_fakes
from planners.oracle import OracleDescriber
from planners.symbolic import SymbolicPlanner
from scenes.base import STATE_NAMES
from skills.base import StepEvent
from skills.vla.config import EE_POS
from skills.vla.ensemble import ExecutionConfig
from skills.vla.skills import (
    BASE_STATE,
    LEARNED_SKILLS,
    DoneConfig,
    LearnedNavigate,
    LearnedPick,
    LearnedPlace,
    effects_hold,
)

SCENE = fixture_scene(
    [("mug_0", "red mug", "mug", "counter", "shelf")], ["counter", "shelf"], robot_at="counter"
)


def _pick_rows(close_at: int = 3, still_at: int = 8, size: int = 4):  # type: ignore[no-untyped-def]
    """Rows for absolute steps s..s+size-1: lift 1 cm/step until ``still_at``, close from ``close_at``."""

    def rows(step: int, instruction: str) -> np.ndarray:
        out = np.zeros((size, 7), np.float32)
        for i in range(size):
            out[i, 2] = 0.01 if step + i < still_at else 0.0
            out[i, 6] = 1.0 if step + i >= close_at else -1.0
        return out

    return rows


@pytest.mark.parametrize("name", sorted(LEARNED_SKILLS))
def test_learned_skill_shares_its_scripted_twins_interface(name: str) -> None:
    learned, scripted = LEARNED_SKILLS[name], SKILLS.get(name)
    assert learned.name == name
    mine, twin = learned.spec(), scripted.spec()
    assert mine.model_dump(exclude={"description"}) == twin.model_dump(exclude={"description"})
    assert learned.Args is scripted.Args and learned.max_steps == scripted.max_steps
    assert "learned" in mine.description


def test_policy_must_match_the_skills_action_keys(fakes: SimpleNamespace) -> None:
    with pytest.raises(ValueError, match="action_keys"):
        LearnedPick(fakes.ScriptedChunkPolicy(_pick_rows(), action_keys=("base",)))
    with pytest.raises(TypeError, match="ChunkPolicy"):
        LearnedPick(object())  # type: ignore[arg-type]


def test_pick_ends_when_held_and_at_rest_with_temporal_ensembling(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(_pick_rows())
    env = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0")
    result = LearnedPick(policy).run(env, {"object": "mug_0"}, scene=SCENE)
    # closes at steps 3, 4 -> held from step 5; 3 steps held at 8, still lifting; row 8 is still -> done at 9
    assert result.status is SkillStatus.SUCCESS, result.reason
    assert result.steps == 9 and env.steps == 9
    assert [float(a["arm"][6]) for a in env.actions] == [-1, -1, -1, 1, 1, 1, 1, 1, 1]
    assert [float(a["arm"][2]) for a in env.actions] == pytest.approx([0.01] * 8 + [0.0])
    assert [step for step, _ in policy.calls] == list(range(9))  # a chunk every step
    assert {text for _, text in policy.calls} == {"pick up the red mug"}
    assert policy.resets == 1 and result.metrics["chunks"] == 9 and result.metrics["latency_ms_p50"] >= 0


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


def test_a_call_tells_a_policy_with_a_depth_goal_whether_it_grasps(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(_pick_rows())
    policy.grasping = None  # as VLAPolicy has: the depth goal is only for a grasp
    LearnedPick(policy).run(
        fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0"), {"object": "mug_0"}, scene=SCENE
    )
    assert policy.grasping is True
    held = fixture_scene(
        [("mug_0", "red mug", "mug", None, "shelf")], ["counter", "shelf"], robot_at="shelf", holding="mug_0"
    )
    place = LEARNED_SKILLS["place"](policy)
    args = {"object": "mug_0", "receptacle": "shelf"}
    result = place.run(fakes.GraspWorld(held, "mug_0"), args, scene=held, max_steps=1)
    assert result.steps == 1 and policy.grasping is False, result.reason


def test_receding_horizon_queries_once_per_executed_block(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(_pick_rows())
    env = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0")
    skill = LearnedPick(policy, execution=ExecutionConfig(mode="receding", execute_steps=4))
    result = skill.run(env, {"object": "mug_0"}, scene=SCENE, instruction="grab the red mug")
    assert result.ok and result.steps == 9
    assert policy.calls == [(0, "grab the red mug"), (4, "grab the red mug"), (8, "grab the red mug")]
    assert len(skill.chunk_latencies_ms) == 3


def test_step_budget_aborts_and_the_effects_are_not_claimed(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(_pick_rows(close_at=10_000))
    env = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0")
    result = LearnedPick(policy).run(env, {"object": "mug_0"}, scene=SCENE, max_steps=12)
    assert result.status is SkillStatus.ABORTED and result.truncated and result.steps == 12
    assert "budget" in (result.reason or "")


class _KnockWorld(FakeEnv):
    """Closing the gripper knocks ``mug_0`` onto the floor (neither on the counter nor held)."""

    def step(self, action):  # type: ignore[no-untyped-def]
        out = super().step(action)
        if float(action["arm"][-1]) > 0.5:
            self.move_object("mug_0", None)
        return out


def test_knocked_off_object_fails_early_with_a_reason(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(_pick_rows(close_at=3))
    result = LearnedPick(policy).run(
        _KnockWorld(SCENE.model_copy(deep=True)), {"object": "mug_0"}, scene=SCENE
    )
    # knocked during step 3 -> lost from step 4 -> 10 steps later (lost_steps) the call fails
    assert result.status is SkillStatus.FAILURE and result.steps == 14
    assert result.reason == "lost track: none of in(mug_0, counter), holding(mug_0) holds"


def test_a_gripper_closed_on_nothing_fails_as_a_missed_grasp(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(_pick_rows(close_at=3))
    never = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0", close_steps=10_000)
    no_retract = DoneConfig(miss_steps=15)  # FakeEnv has no arm to retract
    result = LearnedPick(policy, done=no_retract).run(never, {"object": "mug_0"}, scene=SCENE)
    # closed from step 3; 15 steps (miss_steps) later the mug is still not held
    assert result.status is SkillStatus.FAILURE and result.steps == 18
    assert result.reason == "grasp missed: the gripper closed 15 steps ago and holding(mug_0) does not hold"
    slow = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0", close_steps=12)
    assert (
        LearnedPick(fakes.ScriptedChunkPolicy(_pick_rows(close_at=3, still_at=20)))
        .run(slow, {"object": "mug_0"}, scene=SCENE)
        .ok
    )  # a grasp that takes 12 closing steps is not a miss


def test_missing_observation_key_fails_with_the_key(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(_pick_rows(), obs_keys=("wrist_rgb", "state"))
    result = LearnedPick(policy).run(FakeEnv(SCENE.model_copy(deep=True)), {"object": "mug_0"}, scene=SCENE)
    assert result.status is SkillStatus.FAILURE and "wrist_rgb" in (result.reason or "")


class _ArriveWorld(FakeEnv):
    """The robot is at ``shelf`` after 5 steps of any base command."""

    def step(self, action):  # type: ignore[no-untyped-def]
        out = super().step(action)
        if self.steps >= 5:
            self.scene.robot.at = "shelf"
        return out


def test_navigate_holds_the_arm_and_keeps_the_grip(fakes: SimpleNamespace) -> None:
    scene = fixture_scene(
        [("mug_0", "red mug", "mug", None, "shelf")],
        ["counter", "shelf"],
        robot_at="counter",
        holding="mug_0",
    )

    def speed(step: int, text: str) -> np.ndarray:  # rows for steps step..step+2: drive until step 5
        return np.array([[0.5, 0.0, 0.1] if step + i < 5 else [0.0, 0.0, 0.0] for i in range(3)])

    policy = fakes.ScriptedChunkPolicy(speed, chunk_size=3, action_keys=("base",))
    env = _ArriveWorld(scene.model_copy(deep=True))
    result = LearnedNavigate(policy).run(env, {"place": "shelf"}, scene=scene)
    assert result.ok and result.steps == 6  # at the shelf after step 5; row 5 is still -> done at 6
    assert all(np.array_equal(a["arm"], [0, 0, 0, 0, 0, 0, 1]) for a in env.actions)
    assert env.actions[0]["base"] == pytest.approx([0.5, 0.0, 0.1])
    assert policy.calls[0][1] == "go to the shelf"


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
    done = DoneConfig(min_hold_steps=0, max_hold_steps=5, rest_tol=0.05, stall_steps=10, max_recoveries=2)
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


def test_effects_hold_known_answers() -> None:
    effects = [parse_literal(e) for e in LearnedNavigate.effects]
    at_shelf = frozenset({parse_atom("robot_at(shelf)")})
    assert effects_hold(effects, {"?place": "shelf"}, at_shelf)
    assert not effects_hold(effects, {"?place": "shelf"}, at_shelf | {parse_atom("robot_at(counter)")})
    assert not effects_hold(effects, {"?place": "counter"}, at_shelf)
    pick = [parse_literal(e) for e in LearnedPick.effects]
    held = frozenset({parse_atom("holding(mug_0)")})
    binding = {"?object": "mug_0", "?from": "counter"}
    assert effects_hold(pick, binding, held)
    assert not effects_hold(pick, binding, held | {parse_atom("in(mug_0, counter)")})
    assert not effects_hold(pick, binding, held | {parse_atom("hand_empty()")})


def test_agent_replans_after_a_learned_skill_fails(fakes: SimpleNamespace) -> None:
    reset_fakes()
    scene = fixture_scene(
        [("mug_0", "red mug", "mug", "counter", "shelf")], ["counter", "shelf"], robot_at="shelf"
    )

    def rows(step: int, text: str) -> np.ndarray:
        close_at = 10_000 if policy.resets == 1 else 0  # the first call never closes the gripper
        return _pick_rows(close_at=close_at, still_at=0)(0, text)

    policy = fakes.ScriptedChunkPolicy(rows)
    env = fakes.GraspWorld(scene.model_copy(deep=True), "mug_0")
    skills = {"navigate_to": FakeNavigate(), "pick": LearnedPick(policy), "place": FakePlace()}
    agent = Agent(env, OracleDescriber(), SymbolicPlanner({"use_encoder": False}), skills, max_replans=2)
    record = fixture_record("pick up the red mug", scene)
    record = agent.run("pick up the red mug", record)
    assert record.success, record.reason
    assert record.replans == 1
    picks = [s for s in record.subgoals if s.subgoal.skill == "pick"]
    assert [p.result.status for p in picks] == [SkillStatus.ABORTED, SkillStatus.SUCCESS]
    assert picks[0].skill_impl == "skills.vla.skills.LearnedPick"


@pytest.fixture(scope="module")
def kitchen_expert_pick() -> dict:
    """Kitchen seed 7: scripted navigate to the first object's place, then the expert's pick, recorded."""
    env = SCENES.get("kitchen-v0")()
    env.reset(seed=7)
    scene = env.describe()
    obj = next(o for o in scene.objects if o.location not in (None, "trash_bin"))
    assert SKILLS.get("navigate_to")().run(env, {"place": obj.location}, scene=scene).ok
    start = env.describe()
    events: list[StepEvent] = []
    expert = SKILLS.get("pick")().run(env, {"object": obj.id}, scene=start, on_step=events.append)
    yield {"env": env, "object": obj, "expert": expert, "events": events}
    env.close()


def test_replayed_expert_pick_succeeds_through_the_learned_skill(
    kitchen_expert_pick: dict, fakes: SimpleNamespace
) -> None:
    """The replay policy returns the expert's recorded rows; ensembling identical predictions must
    reproduce the expert's actions step for step, and the detector must call the pick a success."""
    rec = kitchen_expert_pick
    assert rec["expert"].ok
    states = np.stack([e.obs["state"] for e in rec["events"]])
    actions = np.stack([e.action["arm"] for e in rec["events"]])
    env, obj = rec["env"], rec["object"]
    env.reset(seed=7)
    scene = env.describe()
    assert SKILLS.get("navigate_to")().run(env, {"place": obj.location}, scene=scene).ok
    policy = fakes.ReplayPolicy(states, actions, chunk_size=5, action_keys=("arm",))
    applied: list[np.ndarray] = []
    result = LearnedPick(policy).run(
        env, {"object": obj.id}, scene=env.describe(), on_step=lambda e: applied.append(e.action["arm"])
    )
    assert result.ok, result.reason
    assert policy.matched[: len(actions)] == list(range(len(actions)))
    np.testing.assert_allclose(np.stack(applied[: len(actions)]), actions, atol=1e-6)
    assert obj.id == env.held_object()


class _DownThenClose:
    """A chunk policy (4-row chunks, one call per step under ensembling): 2 cm down per step for 5
    steps, then closed and still."""

    chunk_size, action_keys, obs_keys, control_hz = 4, ("arm",), ("head_rgb", "state"), 10.0

    def __init__(self) -> None:
        self.calls = 0

    def reset(self) -> None:
        self.calls = 0

    def predict_chunk(self, obs: dict, instruction: str) -> np.ndarray:
        step, self.calls = self.calls, self.calls + 1
        out = np.zeros((4, 7), np.float32)
        for i in range(4):
            out[i, 2] = -0.02 if step + i < 5 else 0.0
            out[i, 6] = 1.0 if step + i >= 5 else -1.0
        return out


def test_a_missed_grasp_opens_the_gripper_and_brings_the_arm_home_before_failing(
    kitchen_expert_pick: dict,
) -> None:
    env, obj = kitchen_expert_pick["env"], kitchen_expert_pick["object"]
    env.reset(seed=7)
    assert SKILLS.get("navigate_to")().run(env, {"place": obj.location}, scene=env.describe()).ok
    home = np.asarray(env.unwrapped.robot.arm.home_pos)

    applied: list[np.ndarray] = []
    result = LearnedPick(_DownThenClose()).run(
        env, {"object": obj.id}, scene=env.describe(), on_step=lambda e: applied.append(e.action["arm"])
    )
    assert result.status is SkillStatus.FAILURE
    assert result.reason.startswith("grasp missed") and result.reason.endswith("; the arm retracted home")
    assert float(np.linalg.norm(env.unwrapped.ee_pose()[0] - home)) < 0.03
    assert applied[-1][6] < 0 and result.steps > 20  # open again, after 5 + 15 steps of the policy


def test_only_an_arm_skill_retracts(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(lambda step, text: np.zeros((4, 3), np.float32), action_keys=("base",))
    with pytest.raises(ValueError, match="no arm to retract"):
        LearnedNavigate(policy, done=DoneConfig(retract_on_miss=True))


class _HandWorld(FakeEnv):
    """A FakeEnv with an 18-D state and an arm setpoint (``ee_target``) that moves by each commanded
    step; the measured hand (``EE_POS``) lags one step behind it."""

    def __init__(self, scene, hand) -> None:  # type: ignore[no-untyped-def]
        super().__init__(scene)
        self.hand = np.asarray(hand, np.float32)

        self.setpoint = self.hand.copy()

    def ee_target(self):  # type: ignore[no-untyped-def]
        return self.setpoint.copy(), np.eye(3)

    def get_obs(self):  # type: ignore[no-untyped-def]
        state = np.zeros(18, np.float32)
        state[0], state[EE_POS] = self.steps, self.hand
        return {**super().get_obs(), "state": state}

    def step(self, action):  # type: ignore[no-untyped-def]
        self.hand = self.setpoint.copy()
        self.setpoint = self.setpoint + np.asarray(action["arm"][:3], np.float32)
        return super().step(action)


class _YawWorld(_HandWorld):
    """A _HandWorld whose setpoint also turns by each commanded yaw step (top-down hand)."""

    def __init__(self, scene, hand) -> None:  # type: ignore[no-untyped-def]
        super().__init__(scene, hand)
        self.yaw = 0.0

    def ee_target(self):  # type: ignore[no-untyped-def]
        c, s = np.cos(self.yaw), np.sin(self.yaw)
        return self.setpoint.copy(), np.array([[c, s, 0.0], [s, -c, 0.0], [0.0, 0.0, -1.0]])

    def step(self, action):  # type: ignore[no-untyped-def]
        self.yaw += float(action["arm"][5])
        return super().step(action)


def test_a_pick_turns_the_hand_to_close_across_the_measured_long_axis(fakes: SimpleNamespace) -> None:
    """The policy measured the object's long axis at 1.2 rad: while the gripper is open each yaw step
    goes there (clipped to 0.25 rad, the short way round mod pi); once it closes, the policy's own."""
    policy = fakes.ScriptedChunkPolicy(_pick_rows(close_at=8, still_at=12), chunk_size=4)
    policy.grasp_yaw = 1.2
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


def test_position_targets_are_ensembled_as_positions_and_applied_from_the_setpoint(
    fakes: SimpleNamespace,
) -> None:
    goal = np.array([0.4, -0.1, 0.3], np.float32)
    world = _HandWorld(SCENE.model_copy(deep=True), [0.3, 0.0, 0.5])

    def rows(step: int, instruction: str) -> np.ndarray:  # every chunk: be at the goal, relative to the hand
        out = np.zeros((4, 7), np.float32)
        out[:, :3] = goal - world.setpoint  # the policy's view; the setpoint makes the test exact
        out[:, 6] = -1.0
        return out

    policy = fakes.ScriptedChunkPolicy(rows)
    policy.position_targets = True
    result = LearnedPick(policy).run(world, {"object": "mug_0"}, scene=SCENE, max_steps=3)
    assert result.steps == 3
    steps = np.array([a["arm"][:3] for a in world.actions])
    np.testing.assert_allclose(steps[0], goal - [0.3, 0.0, 0.5], atol=1e-6)  # there in one step
    np.testing.assert_allclose(steps[1:], 0.0, atol=1e-6)  # then held: old chunks do not push past it
    np.testing.assert_allclose(world.setpoint, goal, atol=1e-6)
    nav_policy = fakes.ScriptedChunkPolicy(rows, action_keys=("base",))
    nav_policy.position_targets = True
    with pytest.raises(ValueError, match="position targets"):
        LearnedNavigate(nav_policy)


def test_goal_frame_targets_are_ensembled_around_the_goal_the_policy_used(fakes: SimpleNamespace) -> None:
    world = _HandWorld(SCENE.model_copy(deep=True), [0.3, 0.0, 0.5])
    goals = {0: np.array([0.4, -0.1, 0.3], np.float32), 1: np.array([0.44, -0.1, 0.3], np.float32)}

    def rows(step: int, instruction: str) -> np.ndarray:  # every chunk: 2 cm over the goal, then on it
        policy.last_goal = goals[min(step, 1)]  # the goal moves 4 cm between the first two chunks
        out = np.zeros((4, 7), np.float32)
        out[:, 2] = [0.02, 0.0, 0.0, 0.0]
        out[:, 6] = -1.0
        return out

    policy = fakes.ScriptedChunkPolicy(rows)
    policy.position_targets, policy.goal_frame, policy.last_goal = True, True, None
    LearnedPick(policy, execution=ExecutionConfig(temporal_k=0.0)).run(
        world, {"object": "mug_0"}, scene=SCENE, max_steps=2
    )
    steps = np.array([a["arm"][:3] for a in world.actions])
    np.testing.assert_allclose(steps[0], goals[0] + [0, 0, 0.02] - [0.3, 0.0, 0.5], atol=1e-6)
    # step 1 averages chunk 0's row 1 (on goal 0) with chunk 1's row 0 (2 cm over goal 1), in the base frame
    expected = (goals[0] + goals[1] + [0, 0, 0.02]) / 2
    np.testing.assert_allclose(world.setpoint, expected, atol=1e-6)


def test_a_pick_tells_its_policy_where_the_object_can_be(fakes: SimpleNamespace) -> None:
    """``LearnedPick`` hands the policy the place the object lies in (the map's rectangle, with
    ``on_place``'s margins) as ``grasp_within``, in the base frame the goals are in."""
    import scenes

    env = scenes.make("kitchen-v0", time_limit=False, head_size=16, wrist_size=16)
    try:
        env.reset(seed=3)
        e = env.unwrapped
        obj = next(o for o in e.objects if e.describe().object(o).location == "dish_rack")
        e.robot.reset(base_pose=e.places["dish_rack"].approach)
        policy = fakes.ScriptedChunkPolicy(_pick_rows())
        policy.grasp_within = None
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
        done = DoneConfig(release_over_m=0.02 if guarded else None)
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

    skill = LearnedPlace(_OpenAtOnce())
    skill.env, skill.binding, skill.position_targets = env, {"?object": "mug_0", "?receptacle": "rack"}, False
    skill.done, skill.release_held = DoneConfig(release_over_m=0.0), False
    skill.grip_offset = skill._grip_offset(scene)
    # in the hand frame, whose -x is world -y
    np.testing.assert_allclose(skill.grip_offset, [-0.06, 0.0, -0.05], atol=1e-9)
    opening = np.array([0, 0, 0, 0, 0, 0, -1.0], np.float32)
    assert skill._row(opening)[6] == 1.0 and skill.release_held  # hand over the rack, mug 5 cm short of it
    skill.release_held = False
    hand[1] = 0.01  # both over the rack now
    assert skill._row(opening)[6] == -1.0 and not skill.release_held
    skill.grip_offset = np.zeros(3)  # the hand's position alone would have let go at the edge
    hand[1] = -0.09
    assert skill._row(opening)[6] == -1.0
