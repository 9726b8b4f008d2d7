"""scripts/grounding_probe.py: labelled head crops from the kitchen; a probe that learns to find a spot."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.scripts.helpers import load_script

script = load_script("grounding_probe")


def test_generate_labels_every_object_in_the_crop() -> None:
    pairs = script.generate("kitchen-v0", 500_000, 1)
    n = len(pairs["texts"])
    assert n >= 3 and pairs["images"].shape == (n, 3, 64, 64) and pairs["images"].dtype == np.uint8
    assert pairs["xy"].shape == (n, 2) and (np.abs(pairs["xy"]) < 1).all()
    assert all(t.startswith("pick up the ") for t in pairs["texts"]) and set(pairs["seeds"]) == {500_000}
    assert len(set(pairs["texts"])) == n  # every object is named apart from the others
    assert pairs["images"].std() > 10  # a rendered kitchen, not a blank frame


def _squares(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Grey images with one white 6 px square; its centre in [-1, 1] crop coordinates."""
    images = np.full((n, 3, 64, 64), 80, np.uint8)
    corners = rng.integers(4, 54, (n, 2))
    for image, (r, c) in zip(images, corners, strict=True):
        image[:, r : r + 6, c : c + 6] = 255
    return images, np.stack([(corners[:, 1] + 3) / 32 - 1, (corners[:, 0] + 3) / 32 - 1], 1).astype(
        np.float32
    )


def test_the_probe_learns_to_find_a_spot_it_has_not_seen() -> None:
    rng = np.random.default_rng(0)
    train_images, train_xy = _squares(512, rng)
    test_images, test_xy = _squares(64, rng)
    text = torch.zeros(512, 384)
    history = script.probe(
        train_images,
        text,
        train_xy,
        {"held_out": (test_images, text[:64], test_xy)},
        steps=300,
        report_every=300,
    )
    exact, within_one = history[-1]["held_out"]
    assert within_one >= 0.9, history


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "--out", "x.npz", "--scenes", "0"], "--scenes must be at least 1"),
        (["probe", "--train", "synth", "--data", ".", "--cache-dir", "c"], "needs --synth"),
        (["probe", "--train", "real", "--data", "/nonexistent", "--cache-dir", "c"], "/nonexistent"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv: list[str], message: str) -> None:
    assert script.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
