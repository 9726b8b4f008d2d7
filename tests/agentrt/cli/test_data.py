"""``agentrt data info|verify|merge`` through the real CLI: output and exit codes 0, 1 and 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agentrt.cli.data import app
from agentrt.datasets import load_meta
from tests.agentrt.datasets.helpers import make_dataset


@pytest.fixture
def dataset(tmp_path):
    return make_dataset(tmp_path / "ds", [3, 4, 2])


def test_cli_info_verify_merge(dataset, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["info", str(dataset)])
    assert result.exit_code == 0 and "episodes     3" in result.output and "2/3" in result.output
    assert runner.invoke(app, ["verify", str(dataset)]).exit_code == 0
    result = runner.invoke(app, ["merge", str(dataset), str(dataset), "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert load_meta(tmp_path / "m").info["total_episodes"] == 6
    (dataset / "videos/observation.images.head/chunk-000/file-000.mp4").unlink()
    result = runner.invoke(app, ["verify", str(dataset)])
    assert result.exit_code == 1 and "missing video" in result.output


@pytest.mark.parametrize("command", ["info", "verify"])
def test_cli_bad_input_is_one_line_exit_2(tmp_path, command):
    result = CliRunner().invoke(app, [command, str(tmp_path / "missing")])
    assert result.exit_code == 2 and result.output.strip().count("\n") == 0
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, [command, str(tmp_path)])
    assert result.exit_code == 2 and "not a dataset" in result.output
