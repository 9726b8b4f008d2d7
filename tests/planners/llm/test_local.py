"""The transformers backend, on a tiny random causal LM built here (no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agentrt.core.plan import PlanningError
from planners.llm.errors import BackendConfigError
from planners.llm.local import LocalChatModel, reply_message, to_chat_dicts
from planners.llm.planner import LLMPlanner
from planners.llm.testing import build_tiny_causal_lm

from .cases import contract_scene

TOOL = {"type": "function", "function": {"name": "submit_plan", "parameters": {"type": "object"}}}


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_causal_lm(tmp_path_factory.mktemp("tiny-lm"))


def test_random_model_output_never_becomes_a_plan(tiny_lm: Path, specs) -> None:  # type: ignore[no-untyped-def]
    planner = LLMPlanner(
        {"backend": "transformers", "model": str(tiny_lm), "max_tokens": 12, "max_repairs": 1}
    )
    with pytest.raises(PlanningError, match="no valid plan after 2 replies") as info:
        planner.plan("put the red mug in the sink", contract_scene(), specs)
    assert "\n" not in info.value.reason
    assert planner.last.requests == 2 and planner.last.repairs == 1 and not planner.last.valid


def test_generation_is_bounded_and_deterministic(tiny_lm: Path) -> None:
    chat = LocalChatModel.from_path(tiny_lm, max_new_tokens=5)
    first, second = (chat.invoke([HumanMessage(content="put the red mug")]).content for _ in range(2))
    assert first == second and 0 < len(str(first).split()) <= 5


def test_missing_or_broken_model_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(BackendConfigError, match="does not exist"):
        LLMPlanner({"backend": "transformers", "model": str(tmp_path / "nope")})
    with pytest.raises(BackendConfigError, match="cannot load a causal LM"):
        LocalChatModel.from_path(tmp_path)


def test_json_reply_becomes_a_tool_call_and_prose_stays_text() -> None:
    call = reply_message('sure: {"feasible": true, "goal": []} done', [TOOL])
    assert call.tool_calls[0]["name"] == "submit_plan" and call.tool_calls[0]["args"]["feasible"] is True
    assert reply_message("no json here", [TOOL]).tool_calls == []
    assert reply_message('{"a": 1}', []).content == '{"a": 1}'  # no tool bound: plain text


def test_conversation_folds_tools_and_tool_results_into_roles() -> None:
    ai = AIMessage(content="", tool_calls=[{"name": "submit_plan", "args": {"x": 1}, "id": "c1"}])
    chat = to_chat_dicts(
        [
            SystemMessage(content="rules"),
            HumanMessage(content="plan"),
            ai,
            ToolMessage(content="bad", tool_call_id="c1"),
        ],
        [TOOL],
    )
    assert [m["role"] for m in chat] == ["system", "user", "assistant", "user"]
    assert "submit_plan" in chat[0]["content"] and chat[2]["content"] == '{"x": 1}'
    assert chat[3]["content"] == "Result of your call: bad"
