"""Known answers for chunk execution: ACT temporal ensembling and receding horizon."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from skills.vla.ensemble import ChunkExecutor, ExecutionConfig


def _col(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)[:, None]


def _run(
    executor: ExecutionConfig, chunks: dict[int, np.ndarray], steps: int, size: int
) -> tuple[list[float], list[int]]:
    ex = ChunkExecutor(executor, size)
    out, queried = [], []
    for t in range(steps):
        if ex.needs_chunk(t):
            queried.append(t)
            ex.add(chunks[t], t)
        out.append(float(ex.action(t)[0]))
    return out, queried


def test_temporal_ensemble_known_answer() -> None:
    # chunks of 3 predicted at steps 0, 1, 2; at step 2 all three vote: A[2]=3, B[1]=6, C[0]=9,
    # weights exp(-0.5 * i) with i = 0 the oldest: (3 + 6 e^-0.5 + 9 e^-1) / (1 + e^-0.5 + e^-1)
    chunks = {0: _col(0, 0, 3), 1: _col(2, 6, 0), 2: _col(9, 0, 0), 3: _col(1, 0, 0)}
    actions, queried = _run(ExecutionConfig(temporal_k=0.5), chunks, 3, 3)
    assert queried == [0, 1, 2]
    assert actions[0] == pytest.approx(0.0)
    assert actions[1] == pytest.approx(0.0 * 1 / (1 + np.exp(-0.5)) + 2 * np.exp(-0.5) / (1 + np.exp(-0.5)))
    assert actions[2] == pytest.approx(5.0395299965105815, rel=1e-6)


def test_temporal_ensemble_drops_expired_chunks_and_k0_is_mean() -> None:
    chunks = {t: _col(10 * t, 10 * t + 1) for t in range(4)}
    actions, _ = _run(ExecutionConfig(temporal_k=0.0), chunks, 4, 2)
    # step t: chunk t row 0 (10t) and chunk t-1 row 1 (10(t-1)+1) -> mean
    assert actions == pytest.approx([0.0, (1 + 10) / 2, (11 + 20) / 2, (21 + 30) / 2])


def test_temporal_query_every_two() -> None:
    chunks = {0: _col(0, 1, 2, 3), 2: _col(20, 21, 22, 23)}
    actions, queried = _run(ExecutionConfig(temporal_k=0.5, query_every=2), chunks, 4, 4)
    assert queried == [0, 2]
    w = np.exp(-0.5)
    assert actions == pytest.approx([0, 1, (2 + 20 * w) / (1 + w), (3 + 21 * w) / (1 + w)])


def test_receding_horizon_applies_first_rows_then_requeries() -> None:
    chunks = {0: _col(0, 1, 2, 3), 2: _col(20, 21, 22, 23), 4: _col(40, 41, 42, 43)}
    actions, queried = _run(ExecutionConfig(mode="receding", execute_steps=2), chunks, 5, 4)
    assert queried == [0, 2, 4]
    assert actions == [0, 1, 20, 21, 40]


def test_open_loop_chunking_uses_whole_chunk() -> None:
    chunks = {0: _col(0, 1, 2), 3: _col(30, 31, 32)}
    actions, queried = _run(ExecutionConfig(mode="receding"), chunks, 4, 3)
    assert queried == [0, 3]
    assert actions == [0, 1, 2, 30]


def test_reset_forgets_chunks() -> None:
    ex = ChunkExecutor(ExecutionConfig(), 2)
    ex.add(_col(1, 2), 0)
    assert not ex.needs_chunk(0)
    ex.reset()
    assert ex.needs_chunk(0)
    with pytest.raises(RuntimeError, match="no chunk covers"):
        ex.action(0)


@pytest.mark.parametrize(
    "chunk", [np.zeros((3, 7)), np.zeros(2), np.array([[np.nan] * 7, [0] * 7])], ids=["rows", "1d", "nan"]
)
def test_bad_chunks_rejected(chunk: np.ndarray) -> None:
    with pytest.raises(ValueError):
        ChunkExecutor(ExecutionConfig(), 2).add(chunk, 0)


def test_config_validation() -> None:
    with pytest.raises(ValidationError):
        ExecutionConfig(mode="temporal", execute_steps=2)
    with pytest.raises(ValidationError):
        ExecutionConfig(mode="receding", query_every=2)
    with pytest.raises(ValidationError):
        ExecutionConfig(unknown=1)
    with pytest.raises(ValueError, match="exceeds"):
        ChunkExecutor(ExecutionConfig(mode="receding", execute_steps=5), 4)
    with pytest.raises(ValueError, match="leaves steps"):
        ChunkExecutor(ExecutionConfig(query_every=5), 4)
