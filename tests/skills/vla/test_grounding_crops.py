"""Labelled head crops rendered from the kitchen (skills/vla/grounding_crops.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skills.vla.grounding_crops import generate, main


def test_generate_labels_every_object_in_the_crop() -> None:
    pairs = generate("kitchen-v0", 500_000, 1)
    n = len(pairs["texts"])
    assert n >= 3 and pairs["images"].shape == (n, 3, 64, 64) and pairs["images"].dtype == np.uint8
    assert pairs["xy"].shape == (n, 2) and (np.abs(pairs["xy"]) < 1).all()
    assert all(t.startswith("pick up the ") for t in pairs["texts"]) and set(pairs["seeds"]) == {500_000}
    assert len(set(pairs["texts"])) == n  # every object is named apart from the others
    assert pairs["images"].std() > 10  # a rendered kitchen, not a blank frame


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--scenes", "0"], "--scenes must be at least 1"),
        (["--scenes", "5", "--seed-start", "199998"], "of the test split"),
        (["--scenes", "1", "--scene", "nowhere-v9"], "nowhere-v9"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, argv: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    assert main(["--out", str(tmp_path / "x.npz"), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and not (tmp_path / "x.npz").exists()
