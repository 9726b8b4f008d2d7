"""Known answers of the 256-bin action tokenizer at bin edges and centres."""

from __future__ import annotations

import pytest
import torch

from skills.vla.tokenizer import ActionTokenizer

W = 2.0 / 256  # bin width over [-1, 1]
EPS = 1e-6  # "just below an edge", still distinct in float32


@pytest.mark.parametrize(
    ("value", "token"),
    [
        (-1.0, 0),  # lower range edge
        (-1.0 + W, 1),  # first inner edge belongs to the upper bin
        (-1.0 + W - EPS, 0),  # just below it
        (0.0, 128),  # the middle edge
        (-EPS, 127),
        (1.0 - W, 255),  # last inner edge
        (1.0 - W - EPS, 254),
        (1.0, 255),  # upper range edge is in the last bin
        (-3.0, 0),  # clipped
        (7.5, 255),
    ],
)
def test_encode_known_answers_at_bin_edges(value: float, token: int) -> None:
    tok = ActionTokenizer(256)
    assert tok.encode(torch.tensor([value], dtype=torch.float32)).item() == token


def test_decode_gives_bin_centres() -> None:
    tok = ActionTokenizer(256)
    centres = tok.decode(torch.tensor([0, 127, 128, 255]))
    expected = torch.tensor([-1 + W / 2, -W / 2, W / 2, 1 - W / 2])
    torch.testing.assert_close(centres, expected, rtol=0, atol=1e-7)
    assert tok.decode(torch.tensor([-4, 300])).tolist() == pytest.approx([-1 + W / 2, 1 - W / 2])


def test_round_trip_error_is_at_most_half_a_bin() -> None:
    tok = ActionTokenizer(256)
    x = torch.linspace(-1, 1, 10_001)
    err = (tok.decode(tok.encode(x)) - x).abs()
    assert float(err.max()) <= W / 2 + 1e-6
    assert tok.encode(x).min() == 0 and tok.encode(x).max() == 255


def test_small_bin_count_by_hand() -> None:
    tok = ActionTokenizer(4)  # edges -1, -0.5, 0, 0.5, 1
    x = torch.tensor([-1.0, -0.75, -0.5, -0.25, 0.0, 0.49, 0.5, 1.0])
    assert tok.encode(x).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert tok.bin_centers().tolist() == [-0.75, -0.25, 0.25, 0.75]


def test_rejects_bad_settings() -> None:
    with pytest.raises(ValueError):
        ActionTokenizer(1)
    with pytest.raises(ValueError):
        ActionTokenizer(8, low=1.0, high=-1.0)
