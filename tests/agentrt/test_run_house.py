"""`agentrt run ... --scene house-v0 --robot quadruped`: end to end, with the hand-offs in the provenance."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from agentrt.cli import app
from agentrt.core.registry import SCENES
from agentrt.datasets import load_meta
from agentrt.run import UnsupportedRobotError, scene_robot_overrides

runner = CliRunner()


def test_go_to_the_kitchen_on_the_quadruped_records_the_handoffs(tmp_path: Path) -> None:
    args = ["run", "go to the kitchen", "--scene", "house-v0", "--robot", "quadruped", "--seed", "1"]
    result = runner.invoke(app, [*args, "--json", "--out", str(tmp_path)])
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.exit_code == 0, out
    assert out["plan"] == [{"skill": "navigate_to", "args": {"place": "kitchen"}}]
    provenance = json.loads(Path(out["episode"]).read_text())
    meta = load_meta(tmp_path / "house-v0")
    assert meta.info["robot_type"] == "a1"
    length = provenance["length"]
    summary = provenance["subgoals"][0]["handoffs"]
    assert summary["controller"] == "a1-locomotion"
    assert summary["count"] == length and summary["clipped"] == 0 and summary["fault"] is None
    assert summary["first"]["time_s"] < summary["last"]["time_s"]
    assert provenance["handoffs"] == [{"subgoal_index": 0, **summary}]
    assert provenance["extra"]["robot"] == "a1"
    assert provenance["scene_description"]["robot"]["at"] != "kitchen"
    assert "observation.state" in meta.info["features"]
    assert meta.info["features"]["observation.state"]["names"][:3] == ["base_x", "base_y", "base_yaw"]


def test_humanoid_is_a_one_line_rejection(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["run", "go to the kitchen", "--scene", "house-v0", "--robot", "humanoid", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("agentrt:")]
    assert len(lines) == 1 and "accepts base velocity commands" in lines[0]
    assert not (tmp_path / "house-v0").exists()


@pytest.mark.parametrize("scene", ["kitchen-v0", "tabletop-v0"])
def test_scenes_without_a_robot_choice_accept_only_their_own_robot(scene: str) -> None:
    cls = SCENES.get(scene)
    own = "mobile-panda" if scene == "kitchen-v0" else "panda"
    assert scene_robot_overrides(scene, cls, None) == {}
    assert scene_robot_overrides(scene, cls, own) == {}
    with pytest.raises(UnsupportedRobotError, match=f"{scene} runs only its own robot"):
        scene_robot_overrides(scene, cls, "quadruped")


def test_kitchen_with_a_quadruped_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "go to the sink", "--robot", "a1", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "kitchen-v0 runs only its own robot (mobile-panda)" in result.stderr


def test_a_robot_without_an_arm_is_offered_only_skills_it_can_drive() -> None:
    import gymnasium
    import numpy as np

    from agentrt.agent import make_skills
    from agentrt.run import skills_for_robot

    skills = make_skills(["navigate_to", "pick", "place"])
    box = gymnasium.spaces.Box(-1.0, 1.0, (3,), np.float32)
    legged = SimpleNamespace(action_space=gymnasium.spaces.Dict({"base": box}))
    assert set(skills_for_robot(legged, skills)) == {"navigate_to"}
    arm = gymnasium.spaces.Box(-1.0, 1.0, (7,), np.float32)
    mobile = SimpleNamespace(action_space=gymnasium.spaces.Dict({"arm": arm, "base": box}))
    assert set(skills_for_robot(mobile, skills)) == {"navigate_to", "pick", "place"}
