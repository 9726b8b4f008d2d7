"""skills/vla/settings.py (agentrt vla settings): changed inference settings; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from skills.vla import settings as vla_settings
from skills.vla.artifact import load_policy
from tests.skills.vla.helpers import FakeTextEncoder, tiny_artifact


def test_sets_a_nested_field_keeps_the_weights_and_records_the_change(tmp_path: Path, capsys) -> None:
    tiny_artifact(tmp_path / "m", "manipulation")
    out = tmp_path / "m2"
    settings = ["seed=7", 'crops={"head": [0.2, 0.3, 0.6]}']
    argv = ["--ckpt", str(tmp_path / "m"), "--out", str(out), "--set", settings[0], "--set", settings[1]]
    assert vla_settings.main(argv) == 0
    assert json.loads(capsys.readouterr().out)["set"] == settings
    before = load_policy(tmp_path / "m", text_encoder=FakeTextEncoder())
    after = load_policy(out, text_encoder=FakeTextEncoder())
    assert after.config.seed == 7 and after.config.crops["head"] == pytest.approx((0.2, 0.3, 0.6))
    for key, value in before.model.state_dict().items():
        assert torch.equal(value, after.model.state_dict()[key]), key
    assert after.provenance["config_changes"] == [{"from": str(tmp_path / "m"), "set": settings}]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("nonsense", "wants KEY=VALUE"),
        ("depth_goal.align_yaw=true", "no 'depth_goal.align_yaw'"),  # the tiny model has no depth goal
        ("no_such_field=1", "no 'no_such_field'"),
        ("chunk_size=abc", "invalid setting"),
        ("d_model=48", "change the network's shape"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, setting: str, message: str) -> None:
    tiny_artifact(tmp_path / "m", "manipulation")
    code = vla_settings.main(["--ckpt", str(tmp_path / "m"), "--out", str(tmp_path / "o"), "--set", setting])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.json").exists()
