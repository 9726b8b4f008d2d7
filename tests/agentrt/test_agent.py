"""The agent loop over a symbolic fake world: effects checked, failures replanned, goal judged."""

from __future__ import annotations

from agentrt.agent import Agent, AgentObserver
from agentrt.core.episode import EpisodeRecord
from agentrt.core.plan import Plan, PlanningError, Subgoal
from agentrt.core.scene import SceneDescription
from agentrt.testing import (
    FakeEnv,
    FakeNavigate,
    FakePick,
    FakePlace,
    FakeSkill,
    fixture_scene,
    reset_fakes,
)


def _scene():  # type: ignore[no-untyped-def]
    return fixture_scene(
        [("mug_0", "red mug", "mug", "counter", "sink")], ["counter", "sink"], robot_at="counter"
    )


PLAN = Plan(
    instruction="put the mug in the sink",
    goal=["in(mug_0, sink)"],
    subgoals=[
        Subgoal(skill="pick", args={"object": "mug_0"}, expected_effects=["holding(mug_0)"]),
        Subgoal(skill="navigate_to", args={"place": "sink"}, expected_effects=["robot_at(sink)"]),
        Subgoal(
            skill="place",
            args={"object": "mug_0", "receptacle": "sink"},
            expected_effects=["in(mug_0, sink)", "not holding(mug_0)"],
        ),
    ],
)


class ScriptedPlanner:
    """Returns scripted plans in order, like a fake chat model replaying its answers."""

    def __init__(self, *plans: Plan | PlanningError) -> None:
        self.answers = list(plans)
        self.replan_failures: list[str] = []

    def _next(self) -> Plan:
        answer = self.answers.pop(0)
        if isinstance(answer, PlanningError):
            raise answer
        return answer

    def plan(self, instruction, scene, skills) -> Plan:  # type: ignore[no-untyped-def]
        return self._next()

    def replan(self, previous, scene, skills, failure) -> Plan:  # type: ignore[no-untyped-def]
        self.replan_failures.append(failure)
        return self._next()


class Oracle:
    def describe(self, env):  # type: ignore[no-untyped-def]
        return env.describe()


class Recorder(AgentObserver):
    def __init__(self) -> None:
        self.events: list[str] = []

    def on_plan(self, plan, replan) -> None:  # type: ignore[no-untyped-def]
        self.events.append("replan" if replan else "plan")

    def on_subgoal_end(self, record) -> None:  # type: ignore[no-untyped-def]
        self.events.append(f"{record.subgoal.skill}:{record.result.status.value}")


def _run(
    planner: ScriptedPlanner,
    max_replans: int = 3,
    scene: SceneDescription | None = None,
    instruction: str = "",
) -> tuple[EpisodeRecord, Recorder, FakeEnv]:
    env, rec = FakeEnv(scene or _scene()), Recorder()
    skills = {"navigate_to": FakeNavigate(), "pick": FakePick(), "place": FakePlace()}
    agent = Agent(env, Oracle(), planner, skills, max_replans=max_replans, observers=[rec])
    instruction = instruction or PLAN.instruction
    record = EpisodeRecord(
        episode_id="t",
        instruction=instruction,
        scene="fixture-v0",
        seed=0,
        code_version="test",
        describer="oracle",
        planner="scripted",
        initial_scene=env.describe(),
    )
    return agent.run(instruction, record), rec, env


def setup_function() -> None:
    reset_fakes()


def test_plan_executes_and_goal_is_judged_by_the_world() -> None:
    record, rec, env = _run(ScriptedPlanner(PLAN))
    assert record.status == "success" and record.success
    assert rec.events == ["plan", "pick:success", "navigate_to:success", "place:success"]
    assert [s.start_step for s in record.subgoals] == [0, 1, 2] and record.steps == 3
    assert record.final_scene.object("mug_0").location == "sink"


def test_failed_subgoal_triggers_replan_with_the_reason() -> None:
    FakeSkill.failures = {"pick": 1}
    planner = ScriptedPlanner(PLAN, PLAN)
    record, rec, _ = _run(planner)
    assert record.success and record.replans == 1
    assert rec.events[:3] == ["plan", "pick:failure", "replan"]
    assert planner.replan_failures == ["pick(object=mug_0) failure: pick missed"]


def test_replans_are_bounded() -> None:
    FakeSkill.failures = {"pick": 10}
    record, _, _ = _run(ScriptedPlanner(PLAN, PLAN, PLAN), max_replans=2)
    assert record.status == "goal_not_reached" and not record.success
    assert record.replans == 2 and "gave up after 2 replans" in record.reason


def test_planning_error_rejects_and_nothing_moves() -> None:
    record, rec, env = _run(ScriptedPlanner(PlanningError("no place matching 'fridge'")))
    assert record.status == "rejected" and record.reason == "no place matching 'fridge'"
    assert env.steps == 0 and record.subgoals == [] and rec.events == []


def test_invalid_plan_is_rejected_before_anything_moves() -> None:
    bad = PLAN.model_copy(update={"subgoals": [Subgoal(skill="teleport", args={"object": "mug_0"})]})
    record, _, env = _run(ScriptedPlanner(bad))
    assert record.status == "rejected" and "teleport" in record.reason
    assert env.steps == 0


def test_success_claimed_but_effect_missing_is_caught() -> None:
    FakeNavigate.lie = True
    record, _, _ = _run(ScriptedPlanner(PLAN), max_replans=0)
    nav = record.subgoals[1]
    assert nav.result.ok and not nav.effects_ok and nav.unmet_effects == ["robot_at(sink)"]
    assert record.status == "goal_not_reached" and "effects not observed" in record.reason


def test_plan_whose_expected_effects_do_not_follow_is_rejected() -> None:
    lying = PLAN.model_copy(deep=True)
    lying.subgoals[1].expected_effects = ["robot_at(counter)"]  # navigate_to(sink) cannot make this true
    record, _, env = _run(ScriptedPlanner(lying))
    assert record.status == "rejected" and "robot_at(counter)" in record.reason and env.steps == 0


def _pick_and_place(obj: str) -> list[Subgoal]:
    return [
        Subgoal(skill="navigate_to", args={"place": "counter"}, expected_effects=["robot_at(counter)"]),
        Subgoal(skill="pick", args={"object": obj}, expected_effects=[f"holding({obj})"]),
        Subgoal(skill="navigate_to", args={"place": "sink"}, expected_effects=["robot_at(sink)"]),
        Subgoal(
            skill="place", args={"object": obj, "receptacle": "sink"}, expected_effects=[f"in({obj}, sink)"]
        ),
    ]


def test_goal_undone_by_a_later_step_triggers_a_replan() -> None:
    """Every step succeeds, but placing the apple knocks the mug out of the sink: the agent replans."""
    scene = fixture_scene(
        [
            ("mug_0", "red mug", "mug", "counter", "sink"),
            ("apple_0", "red apple", "apple", "counter", "sink"),
        ],
        ["counter", "sink"],
        robot_at="counter",
    )
    both = Plan(
        instruction="put the mug and the apple in the sink",
        goal=["in(mug_0, sink)", "in(apple_0, sink)"],
        subgoals=_pick_and_place("mug_0") + _pick_and_place("apple_0"),
    )
    again = both.model_copy(update={"subgoals": _pick_and_place("mug_0")})
    FakePlace.knock = "mug_0"
    record, rec, _ = _run(ScriptedPlanner(both, again), scene=scene, instruction=both.instruction)
    assert (
        rec.events[1:9] == ["navigate_to:success", "pick:success", "navigate_to:success", "place:success"] * 2
    )
    assert rec.events[9] == "replan" and record.replans == 1
    assert record.success and record.final_scene.object("mug_0").location == "sink"
