"""agentrt vla demos: expert calls become one-subgoal episodes; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from agentrt.collect import demos
from agentrt.datasets import constants as K
from agentrt.datasets.torch_dataset import EpisodeDataset


def test_expert_calls_are_recorded_from_the_evaluation_start_and_appended(tmp_path: Path, capsys) -> None:
    out = tmp_path / "demos"
    assert (
        demos.main(["--out", str(out), "--skills", "pick", "--episodes", "1", "--seed-start", "300000"]) == 0
    )
    assert (
        demos.main(["--out", str(out), "--skills", "pick", "--episodes", "1", "--seed-start", "300001"]) == 0
    )
    assert "now has 2 episodes" in capsys.readouterr().out
    ds = EpisodeDataset(out, video_keys=())
    assert ds.meta.skills == ["pick"] and len(ds.meta.episodes) == 2
    assert set(np.unique(ds.columns[K.SUBGOAL_INDEX])) == {0}
    gripper = ds.columns[K.ACTION][:, 6]
    assert gripper[0] < 0 and gripper.max() > 0  # approaches open, then closes on the object
    assert all(task.startswith("pick up the ") for task in ds.meta.tasks)
    prov = json.loads(sorted((out / K.PROVENANCE_DIR).glob("episode-*.json"))[0].read_text())
    assert prov["seed"] == 300000 and prov["extra"]["skill_demo"]["skill"] == "pick"


@pytest.mark.parametrize("wander", [False, True])
def test_a_drive_holding_an_object_is_recorded_with_the_gripper_closed(tmp_path: Path, wander: bool) -> None:
    out = tmp_path / "demos"
    argv = [
        *(["--wander"] if wander else []),
        "--out",
        str(out),
        "--skills",
        "navigate_to",
        "--carry",
        "--episodes",
        "1",
        "--seed-start",
        "300000",
    ]
    assert demos.main(argv) == 0
    ds = EpisodeDataset(out, video_keys=())
    assert ds.meta.skills == ["navigate_to"] and len(ds.meta.episodes) == 1
    assert np.all(ds.columns[K.ACTION][:, 6] > 0)  # the hand stays closed on what it carries
    assert np.abs(ds.columns[K.ACTION][:, 7:10]).max() > 0.1  # the base drives
    assert all(task.startswith("go to the ") for task in ds.meta.tasks)
    prov = json.loads(sorted((out / K.PROVENANCE_DIR).glob("episode-*.json"))[0].read_text())
    assert prov["extra"]["skill_demo"]["carry"] is True
    assert prov["extra"]["skill_demo"]["wander"] is wander


def test_an_offset_base_and_dart_noise_are_recorded_in_the_provenance(tmp_path: Path) -> None:
    out = tmp_path / "demos"
    argv = ["--out", str(out), "--skills", "pick", "--episodes", "1", "--seed-start", "300002"]
    assert demos.main([*argv, "--base-offset-m", "0.12", "--dart-noise-m", "0.01"]) == 0
    prov = json.loads(sorted((out / K.PROVENANCE_DIR).glob("episode-*.json"))[0].read_text())
    assert prov["extra"]["skill_demo"]["base_offset_m"] == 0.12
    assert prov["extra"]["skill_demo"]["dart_noise_m"] == 0.01


def test_a_place_is_demonstrated_from_a_base_driven_off_with_the_object_in_hand(tmp_path: Path) -> None:
    out = tmp_path / "demos"
    argv = ["--out", str(out), "--skills", "place", "--episodes", "1", "--seed-start", "300003"]
    assert demos.main([*argv, "--base-offset-m", "0.15"]) == 0
    ds = EpisodeDataset(out, video_keys=())
    assert ds.meta.skills == ["place"] and len(ds.meta.episodes) == 1
    assert ds.columns[K.ACTION][0, 6] > 0 and ds.columns[K.ACTION][-1, 6] < 0  # held, then let go
    prov = json.loads(sorted((out / K.PROVENANCE_DIR).glob("episode-*.json"))[0].read_text())
    assert prov["extra"]["skill_demo"]["base_offset_m"] == 0.15


class _FakePick:
    """What :func:`_dart` reads of a scripted pick: its phase, its waypoints, and ``_act``."""

    def __init__(self, action: np.ndarray) -> None:
        self.phase = "approach"
        self.sequence = SimpleNamespace(goals=[0, 1, 2, 3], index=0)
        self.action = action

    def _act(self, obs: dict) -> dict:
        return {"arm": self.action.copy()}


def test_dart_executes_noisy_steps_and_records_the_experts() -> None:
    clean = np.array([0.03, 0.0, -0.02, 0.0, 0.0, 0.0, -1.0], np.float32)
    skill, labels = _FakePick(clean), []
    demos._dart(skill, 0.01, np.random.default_rng(0), labels)
    executed = skill._act({})["arm"]
    assert not np.allclose(executed[:3], clean[:3]) and np.array_equal(executed[3:], clean[3:])
    assert np.array_equal(labels[-1]["arm"], clean)
    skill.sequence.index = 3  # the last descent to the grasp point stays clean
    assert np.array_equal(skill._act({})["arm"], clean)
    skill.sequence.index, skill.action = 0, np.array([0.005, 0, 0, 0, 0, 0, -1], np.float32)
    assert np.array_equal(skill._act({})["arm"], skill.action)  # near a waypoint: clean
    assert len(labels) == 3


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--skills", "juggle"], "--skills must name"), (["--episodes", "0"], "at least 1"),
     (["--scene", "moon-v0"], "moon-v0"), (["--base-offset-m", "0.3"], "--base-offset-m must be"),
     (["--dart-noise-m", "0.2"], "--dart-noise-m must be"), (["--carry"], "--carry is for"),
     (["--wander"], "--wander is for"),
     (["--skills", "navigate_to", "--base-offset-m", "0.1"], "--base-offset-m is for")],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, extra: list[str], message: str) -> None:
    code = demos.main(["--out", str(tmp_path / "d"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_demonstrations_from_the_test_split_are_refused(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = demos.main(["--out", str(tmp_path / "d"), "--skills", "pick", "--seed-start", "200500"])
    err = capsys.readouterr().err
    assert code == 2 and "of the test split" in err and "Traceback" not in err
    assert not (tmp_path / "d").exists()
