"""scripts/goal_generalisation.py: goal and keypoint errors at the first frame of picks, per split."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from skills.vla.data import pick_starts
from tests.scripts.helpers import load_script
from tests.skills.vla.helpers import make_kitchen_dataset, tiny_artifact

script = load_script("goal_generalisation")


def test_pick_starts_are_segment_starts_with_an_open_gripper_and_a_goal() -> None:
    episodes = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    texts = np.array([3, 3, 4, 4, 3, 3, 5, 5])
    gripper = np.array([-1, 1, 1, -1, -1, 1, -1, -1])
    valid = np.array([True] * 6 + [False] * 2)
    # 0 and 4 open a pick; 2 opens a place (gripper closed); 6 has no goal
    assert pick_starts(episodes, texts, gripper, valid).tolist() == [0, 4]


def test_summary_of_known_errors() -> None:
    out = script.summarise(np.array([0.01, 0.06, 0.2, 0.03]), np.array([0, 1, 2, 2]))
    assert out == {
        "picks": 4, "goal_err_median_m": 0.045, "goal_err_over_5cm": 0.5, "goal_err_over_10cm": 0.25,
        "keypoint_exact": 0.25, "keypoint_within_1_cell": 0.5,
    }  # fmt: skip
    assert "keypoint_exact" not in script.summarise(np.array([0.01]), None)


def test_the_ray_bound_is_small_when_a_point_fixes_the_goal_and_not_when_height_varies() -> None:
    rng = np.random.default_rng(0)
    n = 600
    pixels = rng.uniform(-1, 1, (n, 2)).astype(np.float32)
    hands = np.tile([0.3, 0.0, 0.8], (n, 1)).astype(np.float32)  # the arm at home: no information
    flat = np.concatenate([0.5 + 0.2 * pixels, np.full((n, 1), 0.3)], 1).astype(np.float32)
    train, val = np.arange(500), np.arange(500, n)
    assert script.ray_bound(pixels, hands, flat, train, {"val": val}, steps=1500)["val"] < 0.01
    # the same pixels, but each object stands at a height the pixel cannot tell (uniform over 0.2 m)
    tall = flat.copy()
    tall[:, 2] += rng.uniform(-0.1, 0.1, n)
    assert script.ray_bound(pixels, hands, tall, train, {"val": val}, steps=1500)["val"] > 0.03


def test_reports_both_splits(tmp_path: Path, capsys) -> None:
    data = make_kitchen_dataset(tmp_path / "data")
    ckpt = tmp_path / "goal"
    tiny_artifact(ckpt, "manipulation", goal_weight=1.0)
    out = tmp_path / "report.json"
    argv = ["--ckpt", str(ckpt), "--data", str(data), "--cache-dir", str(tmp_path / "cache"),
            "--val-fraction", "0.34", "--json", str(out), "--ray-bound"]  # fmt: skip
    assert script.main(argv) == 0
    report = json.loads(out.read_text())
    printed = capsys.readouterr().out
    assert "ray_bound_median_m" in report or "no training pick's grasp point" in printed
    assert report["train"]["picks"] == 2 and report["val"]["picks"] == 1  # one pick per episode
    assert report["train"]["goal_err_median_m"] > 0
    assert "val: {" in printed


@pytest.mark.parametrize(("goal", "message"), [(False, "has no goal head"), (None, "cannot load")])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, goal: bool | None, message: str) -> None:
    ckpt = tmp_path / "m"
    if goal is not None:
        tiny_artifact(ckpt, "manipulation")
    code = script.main(["--ckpt", str(ckpt), "--data", str(tmp_path), "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
