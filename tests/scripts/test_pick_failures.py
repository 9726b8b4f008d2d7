"""scripts/pick_failures.py: learned picks sorted by where the gripper closed; bad input exits 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.scripts.helpers import load_script
from tests.skills.vla.helpers import tiny_artifact

failures = load_script("pick_failures")


def test_classes_by_the_nearest_object_when_the_gripper_closed() -> None:
    assert failures.classify(True, "mug_0", None) == "success"
    assert failures.classify(False, "mug_0", None) == "never closed"
    assert failures.classify(False, "mug_0", {"mug_0": 0.05, "bowl_0": 0.2}) == "missed target"
    assert failures.classify(False, "mug_0", {"mug_0": 0.25, "bowl_0": 0.02}) == "wrong object"


@pytest.mark.parametrize("goal", [False, True])
def test_an_untrained_model_is_run_and_reported(tmp_path: Path, capsys, goal: bool) -> None:
    ckpt = tmp_path / "manip"
    tiny_artifact(ckpt, "manipulation", goal_weight=1.0 if goal else 0.0)
    out = tmp_path / "calls.json"
    argv = ["--ckpt", str(ckpt), "--episodes", "1", "--max-steps", "3", "--json", str(out)]
    assert failures.main(argv) == 0
    printed = capsys.readouterr().out
    assert "1 picks:" in printed and ("goal head at the start" in printed) == goal
    (call,) = json.loads(out.read_text())["calls"]
    assert call["seed"] == 100000 and call["steps"] == 3 and call["class"] != "success"
    assert ("goal_nearest" in call) == goal
    assert (call["target_dz_m"] is None) == (call["target_xy_m"] is None)
    if goal:  # the object whose grasp point is nearest the head's guess, and the target's distance
        assert re.fullmatch(r"[a-z_]+_\d+", call["goal_nearest"]) and 0 <= call["goal_target_xy_m"] < 5


def test_an_oracle_goal_is_handed_to_the_goal_token(tmp_path: Path, capsys) -> None:
    ckpt = tmp_path / "manip"
    tiny_artifact(
        ckpt, "manipulation", cnn_widths=(8, 16, 16), keypoints=2, goal_weight=1.0, goal_source="keypoints"
    )
    out = tmp_path / "calls.json"
    argv = ["--ckpt", str(ckpt), "--episodes", "1", "--max-steps", "2", "--json", str(out), "--oracle-goal"]
    assert failures.main([*argv, "--trace"]) == 0
    assert capsys.readouterr().out.count("hand - grasp point") == 2  # one line per step
    body = json.loads(out.read_text())
    assert body["oracle_goal"] is True and len(body["calls"]) == 1
    code = failures.main(["--ckpt", str(tiny_artifact(tmp_path / "plain", "manipulation")), "--oracle-goal"])
    err = capsys.readouterr().err
    assert code == 2 and "--oracle-goal needs a model whose goal token reads a goal" in err


def test_the_depth_goal_the_policy_trusted_is_measured(tmp_path: Path, capsys, monkeypatch) -> None:
    from skills.vla.camera import PinholeCamera
    from skills.vla.depth_goal import DepthGoal
    from skills.vla.skills import LearnedPick

    monkeypatch.setattr(LearnedPick, "on_place", None)  # the random keypoint may land off the counter

    camera = PinholeCamera(eye=(0.0, 0.0, 1.0), target=(1.0, 0.0, 0.0), up=(0.0, 0.0, 1.0), fov_deg=60.0)
    ckpt = tmp_path / "manip"
    tiny_artifact(
        ckpt, "manipulation", cnn_widths=(8, 16, 16), keypoints=2, goal_weight=1.0, goal_source="keypoints",
        depth_goal=DepthGoal(camera=camera, behind_m=0.02, max_disagreement_m=100.0),  # trusts any
    )  # fmt: skip
    out = tmp_path / "calls.json"
    assert (
        failures.main(["--ckpt", str(ckpt), "--episodes", "1", "--max-steps", "2", "--json", str(out)]) == 0
    )
    (call,) = json.loads(out.read_text())["calls"]
    assert call["depth_goal_err_m"] >= 0 and "depth goal: trusted in 1/1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("family", "extra", "message"),
    [
        (None, [], "cannot load"),
        ("navigation", [], "does not pick"),
        ("manipulation", ["--episodes", "0"], "at least 1"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, family, extra, message) -> None:
    ckpt = tmp_path / "m"
    if family:
        tiny_artifact(ckpt, family)
    code = failures.main(["--ckpt", str(ckpt), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
