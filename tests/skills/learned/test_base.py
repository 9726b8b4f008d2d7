"""LearnedSkill: the scripted twins' interface, chunk execution and timing, position targets, replanning."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agentrt.agent import Agent
from agentrt.core.registry import SKILLS
from agentrt.core.results import SkillStatus
from agentrt.testing import FakeEnv, FakeNavigate, FakePlace, fixture_record, fixture_scene, reset_fakes
from planners.oracle import OracleDescriber
from planners.symbolic import SymbolicPlanner
from skills.learned import LEARNED_SKILLS, LearnedNavigate, LearnedPick, PickDoneConfig
from skills.vla.config import EE_POS
from skills.vla.ensemble import ExecutionConfig
from tests.skills.learned.fakes import SCENE, pick_rows


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
        LearnedPick(fakes.ScriptedChunkPolicy(pick_rows(), action_keys=("base",)))
    with pytest.raises(TypeError, match="ChunkPolicy"):
        LearnedPick(object())  # type: ignore[arg-type]


def test_a_skill_takes_only_its_own_config(fakes: SimpleNamespace) -> None:
    """Each skill carries its own config class; another skill's is refused by type."""
    base = fakes.ScriptedChunkPolicy(lambda step, text: np.zeros((4, 3), np.float32), action_keys=("base",))
    with pytest.raises(TypeError, match="NavigateDoneConfig"):
        LearnedNavigate(base, done=PickDoneConfig())  # type: ignore[arg-type]


def test_pick_ends_when_held_and_at_rest_with_temporal_ensembling(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(pick_rows())
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


def test_a_call_tells_a_grasp_aware_policy_whether_it_grasps(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(pick_rows())
    policy.grasping = None  # as VLAPolicy has (GraspAware): the depth goal is only for a grasp
    policy.grasp_within, policy.grasp_yaw = None, None
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
    plain = fakes.ScriptedChunkPolicy(pick_rows())
    plain.grasping = None  # grasping alone is not GraspAware: not told
    LearnedPick(plain).run(
        fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0"), {"object": "mug_0"}, scene=SCENE
    )
    assert plain.grasping is None


def test_receding_horizon_queries_once_per_executed_block(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(pick_rows())
    env = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0")
    skill = LearnedPick(policy, execution=ExecutionConfig(mode="receding", execute_steps=4))
    result = skill.run(env, {"object": "mug_0"}, scene=SCENE, instruction="grab the red mug")
    assert result.ok and result.steps == 9
    assert policy.calls == [(0, "grab the red mug"), (4, "grab the red mug"), (8, "grab the red mug")]
    assert len(skill.chunk_latencies_ms) == 3


def test_step_budget_aborts_and_the_effects_are_not_claimed(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(pick_rows(close_at=10_000))
    env = fakes.GraspWorld(SCENE.model_copy(deep=True), "mug_0")
    result = LearnedPick(policy).run(env, {"object": "mug_0"}, scene=SCENE, max_steps=12)
    assert result.status is SkillStatus.ABORTED and result.truncated and result.steps == 12
    assert "budget" in (result.reason or "")


def test_missing_observation_key_fails_with_the_key(fakes: SimpleNamespace) -> None:
    policy = fakes.ScriptedChunkPolicy(pick_rows(), obs_keys=("wrist_rgb", "state"))
    result = LearnedPick(policy).run(FakeEnv(SCENE.model_copy(deep=True)), {"object": "mug_0"}, scene=SCENE)
    assert result.status is SkillStatus.FAILURE and "wrist_rgb" in (result.reason or "")


def test_agent_replans_after_a_learned_skill_fails(fakes: SimpleNamespace) -> None:
    reset_fakes()
    scene = fixture_scene(
        [("mug_0", "red mug", "mug", "counter", "shelf")], ["counter", "shelf"], robot_at="shelf"
    )

    def rows(step: int, text: str) -> np.ndarray:
        close_at = 10_000 if policy.resets == 1 else 0  # the first call never closes the gripper
        return pick_rows(close_at=close_at, still_at=0)(0, text)

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
    assert picks[0].skill_impl == "skills.learned.pick.LearnedPick"


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
    policy.position_targets, policy.goal_frame, policy.last_goal = True, False, None  # PositionTargeting
    result = LearnedPick(policy).run(world, {"object": "mug_0"}, scene=SCENE, max_steps=3)
    assert result.steps == 3
    steps = np.array([a["arm"][:3] for a in world.actions])
    np.testing.assert_allclose(steps[0], goal - [0.3, 0.0, 0.5], atol=1e-6)  # there in one step
    np.testing.assert_allclose(steps[1:], 0.0, atol=1e-6)  # then held: old chunks do not push past it
    np.testing.assert_allclose(world.setpoint, goal, atol=1e-6)
    nav_policy = fakes.ScriptedChunkPolicy(rows, action_keys=("base",))
    nav_policy.position_targets, nav_policy.goal_frame, nav_policy.last_goal = True, False, None
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
