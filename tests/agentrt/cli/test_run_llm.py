"""``agentrt run`` with the LLM planner and the VLM describer: settings, errors, a replayed run."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentrt.cli import app
from planners.llm.testing import without_embedded_model

runner = CliRunner()
CASSETTES = Path(__file__).parents[2] / "planners" / "llm" / "cassettes"
REPLAY = ["--model", "authored-stand-in", "--base-url", "http://authored.invalid/v1"]


def _run(tmp_path: Path, *args: str) -> object:
    return runner.invoke(app, ["run", "put the yellow mug in the sink", "--out", str(tmp_path), *args])


def _one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("agentrt:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--planner", "llm"], "pip install -e '.[llm-local]'"),  # no embedded server or model
        (["--planner", "llm", "--base-url", "http://127.0.0.1:9/v1"], "needs a model"),
        (["--planner", "llm", "--model", "gpt-4o-mini"], "OPENAI_API_KEY is not set"),
        (["--planner", "symbolic", "--model", "gpt-4o-mini"], "model: Extra inputs are not permitted"),
        (["--planner", "llm", "--model", "m", "--planner-option", "max_repairs"], "KEY=VALUE"),
        (["--planner", "llm", "--model", "m", "--planner-option", "max_repairs=-1"], "max_repairs"),
        (["--planner", "llm", "--model", "m", "--backend", "tensorflow"], "backend"),
        (["--planner", "llm", "--backend", "transformers", "--model", "/no/such/model"], "does not exist"),
        (["--describer", "vlm"], "needs a model"),
        (["--planner", "llm", *REPLAY, "--planner-option", "cassette=/no/such.json"], "does not exist"),
    ],
)
def test_bad_model_settings_exit_2_with_one_line(tmp_path: Path, monkeypatch, args, message) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    without_embedded_model(monkeypatch)  # whether or not this machine has the llm-local extra
    result = _run(tmp_path, *args)
    assert result.exit_code == 2
    assert message in _one_line_error(result)
    assert not (tmp_path / "kitchen-v0").exists()  # nothing was built, nothing written


def test_unreachable_server_is_rejected_before_anything_moves(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _run(
        tmp_path,
        "--planner",
        "llm",
        "--model",
        "m",
        "--base-url",
        f"http://127.0.0.1:{port}/v1",
        "--planner-option",
        "max_retries=1",
        "--planner-option",
        "backoff_s=0.01",
        "--json",
    )
    assert result.exit_code == 2
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["status"] == "rejected" and out["subgoals"] == [] and out["episode_index"] is None
    assert "failed after 2 attempts: cannot connect" in out["reason"]


def test_the_key_is_never_printed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-do-not-print")
    cassette = CASSETTES / "failures" / "bad-key.json"
    result = _run(tmp_path, "--planner", "llm", *REPLAY, "--planner-option", f"cassette={cassette}")
    assert result.exit_code == 2 and "authentication failed" in _one_line_error(result)
    assert "sk-secret" not in result.stdout + result.stderr
    assert "sk-secret" not in cassette.read_text()


@pytest.mark.slow
def test_replayed_llm_plan_runs_in_the_kitchen(tmp_path: Path) -> None:
    cassette = CASSETTES / "phrasings" / "04-put-the-yellow-mug-in-the-sink.json"
    result = _run(tmp_path, "--planner", "llm", *REPLAY, "--planner-option", f"cassette={cassette}", "--json")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.exit_code == 0, result.stderr
    assert out["success"] and [s["skill"] for s in out["plan"]] == [
        "navigate_to",
        "pick",
        "navigate_to",
        "place",
    ]
    provenance = json.loads(Path(out["episode"]).read_text())
    assert provenance["plans"][0]["planner"] == "llm"


def test_describer_that_cannot_answer_exits_3_in_one_line(tmp_path: Path) -> None:
    cassette = CASSETTES / "describer" / "timeouts.json"
    result = _run(
        tmp_path, "--describer", "vlm", "--describer-model", "authored-stand-in",
        "--describer-base-url", "http://authored.invalid/v1",
        "--describer-option", f"cassette={cassette}", "--describer-option", "backoff_s=0",
    )  # fmt: skip
    assert result.exit_code == 3
    assert "scene describer failed" in _one_line_error(result) and "timed out" in result.stderr
