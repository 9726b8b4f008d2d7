"""scripts/release_travel.py: one release measured both ways; bad input exits 2."""

from __future__ import annotations

import re

import pytest

from scenes.robots.panda import PandaArm
from tests.scripts.helpers import load_script

release_travel = load_script("release_travel")


@pytest.fixture(autouse=True)
def _restore_release():
    yield
    PandaArm.let_go_through = True


def test_one_release_is_measured(capsys) -> None:
    assert release_travel.main(["--seeds", "100000:100001"]) == 0
    out = capsys.readouterr().out
    moved = float(re.search(r"moved\s+([\d.]+) cm", out).group(1))
    assert moved < 3.0 and "let go through: 1 releases" in out
    assert release_travel.main(["--seeds", "100000:100001", "--push"]) == 0
    assert "push: 1 releases" in capsys.readouterr().out
    assert PandaArm.let_go_through is False


@pytest.mark.parametrize(
    ("argv", "message"), [(["--seeds", "a:b"], "START:STOP"), (["--scene", "nope"], "nope")]
)
def test_bad_input_exits_2(argv: list[str], message: str, capsys) -> None:
    assert release_travel.main(argv) == 2
    assert message in capsys.readouterr().err
