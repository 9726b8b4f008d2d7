"""``agentrt eval controller`` with a locomotion and a balance controller, via the real CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

from typer.testing import CliRunner

from agentrt.cli import app
from controllers.artifact import save_artifact
from controllers.balance.controller import pd_prior_policy
from controllers.locomotion.controller import open_loop_policy

runner = CliRunner()


def test_eval_balance_prints_one_json_object(tmp_path: Path) -> None:
    policy = pd_prior_policy()
    save_artifact(tmp_path / "prior", policy.actor, policy.meta)
    result = runner.invoke(
        app,
        ["eval", "controller", str(tmp_path / "prior"), "--minutes", "0.25", "--push-impulse", "5", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {
        "rmse_vx",
        "rmse_vy",
        "rmse_wz",
        "falls",
        "sim_minutes",
        "push_recovery_rate",
        "push_impulse",
    } <= set(report)
    assert report["rmse_vx"] is None and report["rmse_wz"] is None  # it does not walk
    assert report["push_impulse"] == 5.0 and report["sim_minutes"] == 0.25
    assert report["pushes"] >= 1 and report["falls"] == 0 and report["push_recovery_rate"] == 1.0
    assert report["rmse_height"] < 0.05 and not math.isnan(report["rmse_pitch"])


def test_eval_locomotion_reports_tracking_as_one_json_object(tmp_path: Path) -> None:
    policy = open_loop_policy()
    save_artifact(tmp_path / "trot", policy.actor, policy.meta)
    result = runner.invoke(app, ["eval", "controller", str(tmp_path / "trot"), "--minutes", "0.1", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"rmse_vx", "rmse_vy", "rmse_wz", "falls", "sim_minutes"} <= set(report)
    assert report["sim_minutes"] == 0.1 and report["falls"] == 0
    assert 0.0 <= report["rmse_vx"] < 1.0


def test_unknown_controller_exits_2_with_the_shipped_names() -> None:
    result = runner.invoke(app, ["eval", "controller", "no-such-controller"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("agentrt eval controller: ")
    assert "no controller 'no-such-controller'" in lines[0]
    assert "Traceback" not in result.output
