"""Contract tests over every registered suite, and the kitchen suites' own promises."""

from __future__ import annotations

import pytest

import evals.testing  # noqa: F401 - the fake suites are registered too, and must meet the contract
from agentrt.agent import make_skills
from agentrt.core.registry import PLANNERS, SUITES
from agentrt.core.symbolic import holds
from evals.suites.base import EpisodeSpec, Suite, Task, check_task
from evals.suites.kitchen import NO_PICK_FROM, KitchenChain5, KitchenTidy

SEEDS = (0, 1)


@pytest.fixture(scope="module", params=SUITES.names())
def suite(request: pytest.FixtureRequest) -> Suite:
    return SUITES.get(request.param)()


def _world(suite: Suite, seed: int) -> tuple[EpisodeSpec, list[Task], frozenset]:
    spec = suite.spec(seed)
    env = suite.make_env(spec)
    try:
        suite.reset(env, spec)
        scene = env.unwrapped.describe()
        tasks = suite.tasks(spec, scene)
        for task in tasks:
            check_task(task, scene)
        return spec, tasks, env.unwrapped.facts()
    finally:
        env.close()


def test_registry_name_is_the_versioned_suite_id(suite: Suite) -> None:
    assert SUITES.get(suite.suite_id) is type(suite)
    assert suite.suite_id.rsplit("-", 1)[-1].startswith("v")
    assert suite.description and suite.scene


def test_spec_is_a_pure_function_of_the_seed(suite: Suite) -> None:
    for seed in SEEDS:
        spec = suite.spec(seed)
        assert spec == suite.spec(seed)
        assert spec == EpisodeSpec.model_validate_json(spec.model_dump_json())
        assert (spec.suite, spec.seed) == (suite.suite_id, seed)
        assert set(suite.group_by) <= set(spec.tags)


def test_tasks_are_deterministic_well_formed_and_need_the_robot(suite: Suite) -> None:
    for seed in SEEDS:
        spec, tasks, facts = _world(suite, seed)
        assert tasks and (spec, tasks) == _world(suite, seed)[:2]
        if suite.chain_length is not None:
            assert len(tasks) == suite.chain_length
        assert all(t.step_cap > 0 and t.instruction for t in tasks)
        assert not all(holds(g, facts) for g in tasks[0].goal), "the first task is already done"


def test_a_malformed_suite_class_is_rejected_when_defined() -> None:
    with pytest.raises(TypeError, match="suite_id"):

        class NoId(KitchenTidy):
            suite_id = ""

    with pytest.raises(TypeError, match="version"):

        class NoVersion(KitchenTidy):
            suite_id = "kitchen-tidy"


def test_tidy_misplaces_k_objects_cycling_with_the_seed() -> None:
    suite = KitchenTidy()
    for seed in range(5):
        spec, tasks, facts = _world(suite, seed)
        assert spec.tags["k"] == 1 + seed % 5
        unmet = [g for g in tasks[0].goal if not holds(g, facts)]
        assert len(unmet) == spec.tags["k"]


def test_chain_instructions_read_as_their_goals_and_use_distinct_objects() -> None:
    """The symbolic planner understands each drawn instruction as exactly the suite's goal."""
    suite = KitchenChain5()
    planner = PLANNERS.get("symbolic")()
    specs = [s.spec() for s in make_skills().values()]
    for seed in range(3):
        spec = suite.spec(seed)
        env = suite.make_env(spec)
        try:
            suite.reset(env, spec)
            scene = env.unwrapped.describe()
        finally:
            env.close()
        tasks = suite.tasks(spec, scene)
        objects = [t.goal[0].split("(")[1].split(",")[0] for t in tasks]
        assert len(set(objects)) == 5
        assert not {scene.object(o).location for o in objects} & NO_PICK_FROM
        for task in tasks:
            assert list(planner.plan(task.instruction, scene, specs).goal) == list(task.goal), (
                task.instruction
            )
