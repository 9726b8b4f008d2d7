"""skills.vla.calibration: a calibrated copy of the artifact with a depth goal; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skills.vla import calibration as calibrate
from skills.vla.artifact import load_policy
from tests.skills.vla.helpers import FakeTextEncoder, tiny_artifact

KEYPOINTS = dict(cnn_widths=(8, 16, 16), keypoints=2, goal_weight=1.0, goal_source="keypoints")


def test_writes_the_artifact_with_the_measured_offset(tmp_path: Path, capsys) -> None:
    tiny_artifact(tmp_path / "manip", "manipulation", **KEYPOINTS)
    out = tmp_path / "manip-depth"
    assert calibrate.main(["--ckpt", str(tmp_path / "manip"), "--out", str(out), "--seeds", "0:3"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cases"] == 3 and 0.0 <= report["behind_m"] < 0.1
    policy = load_policy(out, text_encoder=FakeTextEncoder())
    finder = policy.config.depth_goal
    assert finder is not None and finder.behind_m == pytest.approx(report["behind_m"], abs=1e-4)
    assert finder.camera.fov_deg == 70.0 and policy.provenance["depth_goal"]["seeds"] == "0:3"
    assert "head_depth" in policy.obs_keys


def test_the_segment_method_is_calibrated_too(tmp_path: Path, capsys) -> None:
    tiny_artifact(tmp_path / "manip", "manipulation", **KEYPOINTS)
    out = tmp_path / "manip-seg"
    argv = ["--ckpt", str(tmp_path / "manip"), "--out", str(out), "--seeds", "0:3"]
    argv += ["--segment-radius-m", "0.08"]
    assert calibrate.main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["segment_radius_m"] == 0.08 and 0.0 <= report["below_top_m"] < 0.1
    finder = load_policy(out, text_encoder=FakeTextEncoder()).config.depth_goal
    assert finder is not None and finder.segment_radius_m == 0.08
    assert finder.below_top_m == pytest.approx(report["below_top_m"], abs=1e-4)


@pytest.mark.parametrize(
    ("overrides", "extra", "message"),
    [
        (KEYPOINTS, ["--same"], "--out must differ"),
        ({}, [], "cannot take a depth goal"),
        (None, [], "cannot load"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, overrides, extra, message) -> None:
    ckpt = tmp_path / "m"
    if overrides is not None:
        tiny_artifact(ckpt, "manipulation", **overrides)
    out = ckpt if extra == ["--same"] else tmp_path / "out"
    code = calibrate.main(["--ckpt", str(ckpt), "--out", str(out), "--seeds", "0:1"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
