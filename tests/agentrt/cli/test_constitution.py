"""``agentrt constitution check`` through typer's runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from agentrt.cli.constitution import app

runner = CliRunner()


def test_json_rejection_is_one_object_and_exit_zero() -> None:
    result = runner.invoke(app, ["check", "hand the knife to the child", "--json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert set(payload) == {"accepted", "rule", "kind", "reason"}
    assert payload["accepted"] is False and payload["kind"] == "safety" and payload["rule"]


def test_text_acceptance() -> None:
    result = runner.invoke(app, ["check", "put the yellow mug in the sink", "--seed", "0"])
    assert result.exit_code == 0 and result.stdout.startswith("accepted")


def test_bad_input_exits_two(tmp_path) -> None:
    assert runner.invoke(app, ["check", "go to the sink", "--scene", "no-such-scene"]).exit_code == 2
    bad = tmp_path / "c.json"
    bad.write_text('{"rules": [], "oops": true}')
    assert runner.invoke(app, ["check", "go to the sink", "--constitution", str(bad)]).exit_code == 2
