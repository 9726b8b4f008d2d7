"""scripts/pick_after_learned_nav.py: the learned drive, then the learned pick; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

from agentrt.core.registry import SCENES
from skills.vla.evaluate import pick_draw, setup_case
from tests.scripts.helpers import load_script
from tests.skills.vla.helpers import tiny_artifact

navpick = load_script("pick_after_learned_nav")


def test_the_evaluations_object_is_drawn() -> None:
    env = SCENES.get("kitchen-v0")()
    try:
        for seed in (100000, 100001):
            with env.unwrapped.cameras_paused():
                case, _ = setup_case(env, "pick", seed)
            env.reset(seed=seed)
            obj, origin = pick_draw(env.unwrapped.describe(), seed)
            assert obj == case.args["object"] and env.unwrapped.describe().object(obj).location == origin
    finally:
        env.close()


def test_untrained_skills_are_run_and_reported(tmp_path: Path, capsys) -> None:
    manip = tiny_artifact(tmp_path / "manip", "manipulation")
    nav = tiny_artifact(tmp_path / "nav", "navigation")
    out = tmp_path / "seeds.json"
    argv = [
        "--ckpt",
        str(manip),
        "--nav-ckpt",
        str(nav),
        "--episodes",
        "1",
        "--max-steps",
        "2",
        "--json",
        str(out),
    ]
    assert navpick.main(argv) == 0
    (row,) = json.loads(out.read_text())["seeds"]
    assert row["seed"] == 100000 and row["drove"] is False and row["picked"] is None  # 2 steps: not there
    assert row["offset_m"] > 0 and "0/1 drives arrived" in capsys.readouterr().out


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    assert navpick.main(["--ckpt", str(tmp_path / "none"), "--episodes", "0"]) == 2
    assert "--episodes must be at least 1" in capsys.readouterr().err
    assert navpick.main(["--ckpt", str(tmp_path / "none"), "--nav-ckpt", str(tmp_path / "none")]) == 2
    assert "pick_after_learned_nav:" in capsys.readouterr().err
    assert navpick.main(["--ckpt", str(tmp_path / "none"), "--nav-done", '{"max_hold_steps": -1}']) == 2
    assert "--nav-done is not a DoneConfig" in capsys.readouterr().err
