"""``agentrt controllers list`` through the real CLI: the shipped controllers and every recipe."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from agentrt.cli import app

runner = CliRunner()


def test_list_names_recipes_as_json() -> None:
    result = runner.invoke(app, ["controllers", "list", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for info in data["controllers"].values():
        assert info["kind"] in {"locomotion", "balance"}
    assert {"a1-locomotion", "humanoid-balance"} <= set(data["recipes"])
