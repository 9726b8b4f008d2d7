"""End to end through the command line: real scenes, real planner, scripted skills."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentrt.cli import app
from agentrt.datasets import load_meta
from agentrt.datasets.verify import verify
from agentrt.datasets.video import count_frames

runner = CliRunner()


def _json(result) -> dict:  # type: ignore[no-untyped-def]
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one JSON line on stdout, got: {result.stdout!r}"
    return json.loads(lines[0])


def test_tabletop_tidy_end_to_end_writes_episode_and_video(tmp_path: Path) -> None:
    video = tmp_path / "head.mp4"
    result = runner.invoke(
        app,
        [
            "run",
            "tidy up",
            "--scene",
            "tabletop-v0",
            "--seed",
            "0",
            "--json",
            "--out",
            str(tmp_path),
            "--video",
            str(video),
        ],
    )
    out = _json(result)
    assert result.exit_code == 0, out
    assert out["success"] is True and out["status"] == "success"
    assert set(out) >= {
        "success",
        "instruction",
        "scene",
        "seed",
        "plan",
        "subgoals",
        "episode",
        "wall_time_s",
    }
    assert out["plan"] and all(set(step) == {"skill", "args"} for step in out["plan"])
    assert all(sg["status"] == "success" for sg in out["subgoals"])
    # The episode is in the LeRobot v3 dataset, whole: verify passes, provenance is complete.
    dataset = Path(out["dataset"])
    assert dataset == tmp_path / "tabletop-v0" and out["episode_index"] == 0 and verify(dataset) == []
    provenance = json.loads(Path(out["episode"]).read_text())
    assert provenance["success"] is True and provenance["seed"] == 0
    assert provenance["instruction"] == "tidy up"
    assert provenance["plans"][0]["goal"] and [s["skill"] for s in provenance["segments"]] == [
        p["skill"] for p in out["plan"]
    ]
    meta = load_meta(dataset)
    steps = meta.total_frames
    assert steps == provenance["length"] > 0
    # --video: one frame for the reset plus one per 10 Hz step; the MP4 holds every one of them.
    assert out["video"] == str(video) and count_frames(video) == steps + 1


def test_kitchen_navigation_end_to_end(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "go to the sink", "--seed", "3", "--json", "--out", str(tmp_path)])
    out = _json(result)
    assert result.exit_code == 0, out
    assert out["plan"] == [{"skill": "navigate_to", "args": {"place": "sink"}}]
    assert out["subgoals"] == [
        {"skill": "navigate_to", "args": {"place": "sink"}, "status": "success", "reason": None}
    ]


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ("", "empty"),
        ("make me a sandwich", ""),
        ("put the cereal box in the fridge", "fridge"),
        ("put the sink in the trash bin", "sink"),
        ("pick up the purple elephant", "elephant"),
    ],
)
def test_rejected_instructions_exit_2_before_anything_moves(
    tmp_path: Path, instruction: str, reason: str
) -> None:
    result = runner.invoke(app, ["run", instruction, "--json", "--out", str(tmp_path)])
    out = _json(result)
    assert result.exit_code == 2
    assert out["status"] == "rejected" and out["subgoals"] == [] and out["video"] is None
    assert reason.lower() in out["reason"].lower()
    assert "Traceback" not in result.stderr


def test_unknown_scene_is_rejected_with_known_names(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "tidy", "--scene", "garage-v9", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown scene 'garage-v9'" in result.stderr and "kitchen-v0" in result.stderr


def test_unwritable_output_is_rejected(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = runner.invoke(app, ["run", "tidy", "--out", str(blocker / "runs")])
    assert result.exit_code == 2 and "cannot write output" in result.stderr


def test_list_commands() -> None:
    scenes = runner.invoke(app, ["scenes", "list"])
    assert scenes.exit_code == 0 and "kitchen-v0" in scenes.stdout and "tabletop-v0" in scenes.stdout
    skills = runner.invoke(app, ["skills", "list"])
    assert skills.exit_code == 0
    for text in ("navigate_to", "pick", "place", "hand_empty()", "in(?object, ?receptacle)"):
        assert text in skills.stdout


def test_installed_command_keeps_stdout_to_one_json_object(tmp_path: Path) -> None:
    """The real process: PyBullet's C banner must not reach stdout, and no traceback."""
    exe = Path(sys.executable).with_name("agentrt")
    proc = subprocess.run(
        [str(exe), "run", "put the sink in the mug", "--json", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "AGENTRT_DEBUG": ""},
    )
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["status"] == "rejected"
    assert "Traceback" not in proc.stderr and proc.stderr.strip().splitlines()[-1].startswith(
        "agentrt: rejected"
    )
