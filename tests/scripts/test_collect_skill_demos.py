"""scripts/collect_skill_demos.py: expert pick/place calls become one-subgoal episodes; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agentrt.datasets import constants as K
from agentrt.datasets.torch_dataset import EpisodeDataset
from tests.scripts.helpers import load_script

demos = load_script("collect_skill_demos")


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


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--skills", "juggle"], "--skills must name"), (["--episodes", "0"], "at least 1"),
     (["--scene", "moon-v0"], "moon-v0")],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, extra: list[str], message: str) -> None:
    code = demos.main(["--out", str(tmp_path / "d"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
