"""agentrt vla dagger: relabelled learned runs become dataset episodes; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentrt.collect import dagger
from agentrt.datasets import constants as K
from agentrt.datasets.torch_dataset import EpisodeDataset
from tests.skills.vla.helpers import tiny_artifact


def test_runs_are_written_as_navigate_to_episodes_and_appended(tmp_path: Path, capsys) -> None:
    nav = tmp_path / "nav"
    tiny_artifact(nav, "navigation")
    out = tmp_path / "dagger"
    argv = ["--ckpt", str(nav), "--out", str(out), "--episodes", "1", "--max-steps", "4"]
    assert dagger.main([*argv, "--seed-start", "210000"]) == 0
    assert dagger.main([*argv, "--seed-start", "210001"]) == 0  # appends
    assert "now has 2 episodes" in capsys.readouterr().out
    ds = EpisodeDataset(out, video_keys=())
    assert len(ds.meta.episodes) == 2 and ds.meta.skills == ["navigate_to"]
    assert len(ds.columns[K.EPISODE_INDEX]) == 8
    prov = json.loads(sorted((out / K.PROVENANCE_DIR).glob("episode-*.json"))[0].read_text())
    assert prov["seed"] == 210000 and prov["extra"]["dagger"]["driver"] == str(nav)
    assert prov["extra"]["dagger"]["steps"] == 4


def test_pick_runs_are_written_as_pick_episodes(tmp_path: Path) -> None:
    manip = tmp_path / "manip"
    tiny_artifact(manip, "manipulation")
    out = tmp_path / "dagger"
    argv = ["--ckpt", str(manip), "--out", str(out), "--skill", "pick", "--episodes", "1", "--max-steps", "3"]
    assert dagger.main([*argv, "--seed-start", "210000"]) == 0
    ds = EpisodeDataset(out, video_keys=())
    assert ds.meta.skills == ["pick"] and len(ds.columns[K.EPISODE_INDEX]) == 3
    prov = json.loads(sorted((out / K.PROVENANCE_DIR).glob("episode-*.json"))[0].read_text())
    assert "PickRelabeller" in prov["skill_impls"]["0"]


@pytest.mark.parametrize(
    ("family", "extra", "message"),
    [
        (None, [], "cannot load"),
        ("manipulation", [], "does not navigate_to"),
        ("manipulation", ["--skill", "place"], "is not relabelled"),
        ("navigation", ["--episodes", "0"], "at least 1"),
        (
            "navigation",
            ["--seed-start", "199990", "--episodes", "20"],
            "seeds 200000-200009 of the test split",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, family, extra, message) -> None:
    ckpt = tmp_path / "m"
    if family:
        tiny_artifact(ckpt, family)
    code = dagger.main(["--ckpt", str(ckpt), "--out", str(tmp_path / "d"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
