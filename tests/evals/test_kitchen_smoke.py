"""One real episode end to end: kitchen-tidy-v0 seed 0 (k = 1), physics, scripted skills, video."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from agentrt.cli.eval import app
from agentrt.datasets.video import count_frames


def test_kitchen_tidy_one_episode_through_the_cli(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--suite", "kitchen-tidy-v0", "--episodes", "1", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads((tmp_path / "results.json").read_text())
    episode = payload["episodes"][0]
    assert (episode["tags"], episode["status"]) == ({"k": 1}, "success")
    assert [s["skill"] for s in episode["stages"][0]["subgoals"]] == [
        "navigate_to",
        "pick",
        "navigate_to",
        "place",
    ]
    assert (
        count_frames(tmp_path / episode["video"]) == episode["steps"] + 1
    )  # the reset frame, then one per step
    assert payload["aggregate"]["by_k"]["1"]["success_rate"] == 1.0
