"""agentrt train pointer: labelled views, a trained pointer inside a new artifact; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from skills.vla import pointer_train as pointer
from skills.vla.artifact import load_policy
from skills.vla.camera import PinholeCamera
from skills.vla.depth_goal import DepthGoal
from tests.skills.vla.helpers import FakeTextEncoder, tiny_artifact

CAMERA = PinholeCamera(eye=(0.0, 0.0, 1.0), target=(1.0, 0.0, 0.0), up=(0.0, 0.0, 1.0), fov_deg=70.0)
DEPTH_GOAL = dict(
    cnn_widths=(8, 16, 16), keypoints=2, goal_weight=1.0, goal_source="keypoints",
    crops={"head": pointer.CROP}, depth_goal=DepthGoal(camera=CAMERA, behind_m=0.02),
)  # fmt: skip


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pointer") / "views.npz"
    assert (
        pointer.main(["generate", "--out", str(out), "--scenes", "3", "--seed-start", "600000", "--places"])
        == 0
    )
    return out


def test_generated_pairs_name_objects_and_receptacles_with_their_pixels(views: Path) -> None:
    data = dict(np.load(views))
    s = data["rgb"].shape[1]
    assert data["rgb"].shape[1:] == (s, s, 3) and data["depth"].shape[1:] == data["labels"].shape[1:] == (
        s,
        s,
    )
    texts = data["text"].astype(str)
    picks, places = np.char.startswith(texts, "pick up the "), np.char.startswith(texts, "put the ")
    assert picks.any() and places.any() and (picks | places).all()
    visible = data["label"] > 0
    assert visible.any() and (~visible).any()  # decoys and hidden objects answer "not visible"
    for view, label in zip(data["view"][visible], data["label"][visible], strict=True):
        assert (data["labels"][view] == label).sum() >= pointer.MIN_PIXELS


def test_train_writes_an_artifact_with_the_pointer_and_check_scores_it(
    views: Path, tmp_path: Path, capsys
) -> None:
    tiny_artifact(tmp_path / "manip", "manipulation", **DEPTH_GOAL)
    out = tmp_path / "manip-pointer"
    argv = ["train", "--data", str(views), "--ckpt", str(tmp_path / "manip"), "--out", str(out)]
    assert pointer.main([*argv, "--steps", "3", "--batch", "8", "--val-scenes", "1"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0.0 <= report["held_out"]["on_object"] <= 1.0 and "places" in report["held_out"]
    policy = load_policy(out, text_encoder=FakeTextEncoder())
    assert policy.model.pointer is not None and policy.config.pointer is not None
    assert policy.config.pointer.places and policy.provenance["pointer"]["steps"] == 3
    assert pointer.main(["check", "--ckpt", str(out), "--episodes", "2"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["cases"] == 2 and summary["visible"] + summary["hidden"] == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "--out", "x.npz", "--scenes", "0"], "--scenes must be at least 1"),
        (["train", "--data", "missing.npz", "--ckpt", "m", "--out", "o"], "no such data file"),
        (["train", "--data", "VIEWS", "--ckpt", "m", "--out", "m"], "--out must differ"),
        (["train", "--data", "VIEWS", "--ckpt", "plain", "--out", "o"], "has no depth goal"),
        (["check", "--ckpt", "m"], "has no pointer"),
        (["check", "--ckpt", "nothing-here"], "cannot load"),
    ],
)
def test_bad_input_exits_2_with_one_line(views: Path, tmp_path: Path, capsys, argv, message) -> None:
    tiny_artifact(tmp_path / "m", "manipulation", **DEPTH_GOAL)
    tiny_artifact(tmp_path / "plain", "manipulation")
    paths = {"m": tmp_path / "m", "plain": tmp_path / "plain", "o": tmp_path / "o", "VIEWS": views}
    paths |= {"missing.npz": tmp_path / "missing.npz", "x.npz": tmp_path / "x.npz"}
    paths |= {"nothing-here": tmp_path / "nothing-here"}
    code = pointer.main([str(paths.get(a, a)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
