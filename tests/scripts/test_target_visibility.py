"""scripts/target_visibility.py: visible target pixels per camera from segmentation masks."""

from __future__ import annotations

import re

from tests.scripts.helpers import load_script

visibility = load_script("target_visibility")


def test_the_target_shows_in_the_whole_head_frame_and_less_in_a_crop(capsys) -> None:
    assert visibility.main(["--episodes", "1", "--crop", ""]) == 0
    whole = int(re.search(r"head: median (\d+) px", capsys.readouterr().out).group(1))
    assert visibility.main(["--episodes", "1", "--crop", "0.0,0.0,0.1"]) == 0  # the top-left corner: wall
    corner = int(re.search(r"head: median (\d+) px", capsys.readouterr().out).group(1))
    assert whole > 0 and corner == 0


def test_a_bad_crop_exits_2(capsys) -> None:
    assert visibility.main(["--crop", "0.3,0.3"]) == 2
    assert "TOP,LEFT,SIDE" in capsys.readouterr().err
