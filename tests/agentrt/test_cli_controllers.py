"""``agentrt controllers list``, ``eval-controller`` and ``train controller`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from agentrt.cli import app
from controllers.artifact import save_artifact
from controllers.locomotion.controller import open_loop_policy

runner = CliRunner()


def test_list_names_recipes_as_json() -> None:
    result = runner.invoke(app, ["controllers", "list", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "a1-locomotion" in data["recipes"]
    for info in data["controllers"].values():
        assert info["kind"] in {"locomotion", "balance"}


def test_eval_controller_reports_tracking_as_one_json_object(tmp_path: Path) -> None:
    policy = open_loop_policy()
    save_artifact(tmp_path / "trot", policy.actor, policy.meta)
    result = runner.invoke(app, ["eval-controller", str(tmp_path / "trot"), "--minutes", "0.1", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"rmse_vx", "rmse_vy", "rmse_wz", "falls", "sim_minutes"} <= set(report)
    assert report["sim_minutes"] == 0.1 and report["falls"] == 0
    assert 0.0 <= report["rmse_vx"] < 1.0


def test_unknown_controller_exits_2_with_the_shipped_names() -> None:
    result = runner.invoke(app, ["eval-controller", "no-such-controller"])
    assert result.exit_code == 2
    assert "no controller 'no-such-controller'" in result.output
    assert "Traceback" not in result.output


def test_unknown_recipe_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", "controller", "spot-dance", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown recipe 'spot-dance'" in result.output and "a1-locomotion" in result.output
