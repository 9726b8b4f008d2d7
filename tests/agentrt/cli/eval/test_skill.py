"""``agentrt eval skill``: bad input is one line and exit 2; --json prints one object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentrt.cli import app
from skills.vla import catalog
from tests.skills.vla.helpers import tiny_artifact

runner = CliRunner()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fly"], "unknown skill 'fly'; learned skills: navigate_to, pick, place"),
        (["pick", "--scene", "moon-v0"], "unknown scene 'moon-v0'"),
        (["pick"], "no checkpoint shipped for pick in kitchen-v0; pass --ckpt PATH"),
        (["pick", "--ckpt", "/nonexistent/x.safetensors"], "no checkpoint at /nonexistent/x.safetensors"),
        (["pick", "--ensemble", "sometimes"], "bad execution settings"),
        (["pick", "--carry"], "--carry is for navigate_to, not pick"),
        (["place", "--wander"], "--wander is for navigate_to, not place"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog, "CHECKPOINT_DIR", tmp_path)  # nothing shipped
    result = runner.invoke(app, ["eval", "skill", *argv])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("agentrt eval skill: ") and message in lines[0]


def test_a_navigation_model_cannot_drive_pick(tmp_path: Path) -> None:
    nav = tiny_artifact(tmp_path / "nav", "navigation")
    result = runner.invoke(app, ["eval", "skill", "pick", "--ckpt", str(nav), "--episodes", "1"])
    assert result.exit_code == 2 and "needs a policy with action_keys ('arm',)" in result.stderr


def test_json_report_with_a_real_artifact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An untrained navigation artifact, shipped in a scratch checkpoint dir, for 3 steps on one seed."""
    monkeypatch.setattr(catalog, "CHECKPOINT_DIR", tmp_path)
    tiny_artifact(tmp_path / "kitchen-v0-navigation", "navigation")
    argv = [
        "navigate_to",
        "--episodes",
        "1",
        "--seed-start",
        "5",
        "--no-expert",
        "--no-paraphrase",
        "--max-steps",
        "3",
        "--ensemble",
        "receding",
        "--execute-steps",
        "2",
        "--json",
        "--out",
        str(tmp_path / "report.json"),
    ]
    result = runner.invoke(app, ["eval", "skill", *argv])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"skill", "episodes", "success_rate", "expert_success_rate", "latency_ms_p50"} <= set(report)
    assert report["skill"] == "navigate_to" and report["episodes"] == 1 and report["success_rate"] == 0.0
    assert report["expert_success_rate"] is None and report["chunks"] == 2 and report["latency_ms_p50"] > 0
    assert report["checkpoint"].endswith("kitchen-v0-navigation.safetensors") and report["carry"] is False
    full = json.loads((tmp_path / "report.json").read_text())
    assert full["outcomes"][0]["seed"] == 5 and full["outcomes"][0]["steps"] == 3


@pytest.mark.slow
def test_ray_workers_give_the_same_report_as_in_process(tmp_path: Path) -> None:
    """Two Ray actors, each loading the checkpoint, versus the in-process run: same outcomes."""
    nav = tiny_artifact(tmp_path / "nav", "navigation")
    common = [
        "navigate_to",
        "--ckpt",
        str(nav),
        "--episodes",
        "2",
        "--no-expert",
        "--max-steps",
        "2",
        "--json",
    ]
    reports = []
    for workers in ("1", "2"):
        out = tmp_path / f"report-{workers}.json"
        result = runner.invoke(app, ["eval", "skill", *common, "--workers", workers, "--out", str(out)])
        assert result.exit_code == 0, result.stderr
        reports.append(json.loads(out.read_text()))
    strip = [[{k: v for k, v in o.items() if k != "latencies_ms"} for o in r["outcomes"]] for r in reports]
    assert reports[1]["errors"] == [] and reports[1]["setup_failures"] == []
    assert strip[0] == strip[1] and len(strip[0]) == 4, strip
