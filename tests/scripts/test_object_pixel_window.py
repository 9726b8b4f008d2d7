"""scripts/object_pixel_window.py: pick targets project inside the head camera frame."""

from __future__ import annotations

import re

from tests.scripts.helpers import load_script

window = load_script("object_pixel_window")


def test_targets_project_below_the_horizon_inside_the_frame(capsys) -> None:
    assert window.main(["--episodes", "2", "--seed-start", "100000"]) == 0
    out = capsys.readouterr().out
    top, bottom, left, right = map(
        int, re.search(r"rows (\d+)-(\d+), columns (\d+)-(\d+) of 128x128", out).groups()
    )
    assert 40 <= top <= bottom < 128 and 0 <= left <= right < 128  # on the counter, not the wall above it
