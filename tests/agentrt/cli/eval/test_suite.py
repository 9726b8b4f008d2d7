"""``agentrt eval`` through typer's CliRunner: runs, JSON output, compare, list, and every rejection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import evals.testing  # noqa: F401 - registers the fake suites (fake-*-v0)
from agentrt.cli import app as root_app
from agentrt.cli.eval import app
from agentrt.cli.eval import suite as suite_cli

runner = CliRunner()
FAST = ["--planner-config", '{"use_encoder": false}', "--no-video"]


def _run(out: Path, *extra: str, suite: str = "fake-chain3-v0", episodes: int = 2):  # type: ignore[no-untyped-def]
    return runner.invoke(
        app, ["--suite", suite, "--episodes", str(episodes), *FAST, "--out", str(out), *extra]
    )


def _one_line_error(result, code: int, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("agentrt eval"), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def test_eval_runs_a_suite_and_prints_one_json_object(tmp_path: Path) -> None:
    result = _run(tmp_path / "a", "--json")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["suite"] == "fake-chain3-v0" and summary["aggregate"]["episodes"] == 2
    assert summary["aggregate"]["avg_chain_length"] == 3.0
    assert (tmp_path / "a" / "report.html").exists()


def test_compare_two_result_directories(tmp_path: Path) -> None:
    assert _run(tmp_path / "a", episodes=3).exit_code == 0
    assert _run(tmp_path / "b", "--max-replans", "0", episodes=3).exit_code == 0
    table = runner.invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "b")])
    assert table.exit_code == 0, table.output
    assert "avg chain length" in table.stdout and "skill place" in table.stdout
    assert "over 3 shared seeds: both solved 2" in table.stdout
    as_json = runner.invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"])
    comparison = json.loads(as_json.stdout)
    rows = {row["metric"]: row["values"] for row in comparison["rows"]}
    assert rows["success rate"] == [2 / 3, 2 / 3]
    assert rows["replans / episode"] == [1.0, 0.0]
    assert comparison["paired"] == {"shared_seeds": 3, "both": 2, "only_a": 0, "only_b": 0, "neither": 1}
    written = runner.invoke(
        app, ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "c")]
    )
    assert written.exit_code == 0 and "| success rate |" in (tmp_path / "c" / "comparison.md").read_text()


def test_list_shows_the_registered_suites() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    assert "kitchen-tidy-v0" in result.stdout and "kitchen-chain5-v0" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--suite", "no-such-v0"], ["unknown suite", "kitchen-tidy-v0"]),
        (["--suite", "fake-tidy-v0", "--skills", "learned"], ["no learned checkpoint"]),
        (["--suite", "fake-tidy-v0", "--planner", "nope"], ["unknown planner"]),
        (["--suite", "fake-tidy-v0", "--planner-config", "{not json"], ["--planner-config"]),
        (["--suite", "fake-tidy-v0", "--planner-config", '{"bogus": 1}'], ["bogus"]),
        (["--episodes", "1"], ["--suite"]),
    ],
)
def test_rejected_input_exits_2_with_one_line(tmp_path: Path, args: list[str], words: list[str]) -> None:
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "x")])
    _one_line_error(result, 2, *words)


def test_a_directory_of_another_configuration_exits_2(tmp_path: Path) -> None:
    assert _run(tmp_path, episodes=1).exit_code == 0
    _one_line_error(_run(tmp_path, "--max-replans", "1", episodes=1), 2, "another configuration")


def test_compare_rejects_a_directory_without_results(tmp_path: Path) -> None:
    assert _run(tmp_path / "a", episodes=1).exit_code == 0
    _one_line_error(runner.invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path)]), 2, "results.json")
    _one_line_error(runner.invoke(app, ["compare", str(tmp_path / "a")]), 2, "two")


def test_an_internal_error_exits_3_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.delenv("AGENTRT_DEBUG", raising=False)
    monkeypatch.setattr(suite_cli, "run_suite", explode)
    _one_line_error(_run(tmp_path, episodes=1), 3, "internal error", "boom")


def test_the_eval_group_is_mounted_on_the_root_app(tmp_path: Path) -> None:
    """``agentrt eval --suite ...`` and ``agentrt eval list`` through the installed command's app."""
    ran = runner.invoke(
        root_app, ["eval", "--suite", "fake-tidy-v0", "--episodes", "1", *FAST, "--out", str(tmp_path)]
    )
    assert ran.exit_code == 0, ran.output
    listed = runner.invoke(root_app, ["eval", "list"])
    assert listed.exit_code == 0 and "kitchen-chain5-v0" in listed.stdout
