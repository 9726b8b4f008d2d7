"""`agentrt eval-controller` and `agentrt controllers list` with a balance controller, via the real CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

from typer.testing import CliRunner

from agentrt.cli import app
from controllers.artifact import save_artifact
from controllers.balance.controller import pd_prior_policy

runner = CliRunner()


def test_eval_balance_prints_one_json_object(tmp_path: Path) -> None:
    policy = pd_prior_policy()
    save_artifact(tmp_path / "prior", policy.actor, policy.meta)
    result = runner.invoke(
        app,
        ["eval-controller", str(tmp_path / "prior"), "--minutes", "0.25", "--push-impulse", "5", "--json"],
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


def test_recipes_list_names_humanoid_balance() -> None:
    result = runner.invoke(app, ["controllers", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert "humanoid-balance" in json.loads(result.stdout)["recipes"]
