"""scripts/place_after_learned.py: the set-up mix, a base offset, the learned place; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scripts.helpers import load_script
from tests.skills.vla.helpers import tiny_artifact

place_after = load_script("place_after_learned")


def test_an_untrained_place_from_an_offset_base_is_run_and_reported(tmp_path: Path, capsys) -> None:
    manip = tiny_artifact(tmp_path / "manip", "manipulation")
    out = tmp_path / "seeds.json"
    argv = ["--ckpt", str(manip), "--episodes", "1", "--nav", "scripted", "--base-offset-m", "0.15"]
    assert place_after.main([*argv, "--json", str(out)]) == 0
    (row,) = json.loads(out.read_text())["seeds"]
    assert row["drove_to_receptacle"] and row["offset_stays_at"] is True
    assert 0.0 < row["offset_m"] <= 0.2 and isinstance(row["placed"], bool)
    assert "a base offset up to 0.15 m: 1/1 set up" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--episodes", "0"], "at least 1"), (["--base-offset-m", "0.25"], "--base-offset-m")],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, extra: list[str], message: str) -> None:
    code = place_after.main(["--ckpt", str(tmp_path / "none"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
