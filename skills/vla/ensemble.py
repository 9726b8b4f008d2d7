"""Executing action chunks at the 10 Hz control rate: temporal ensembling or receding horizon.

A :class:`~skills.vla.protocol.ChunkPolicy` predicts ``(chunk_size, action_dim)`` actions at
once; row ``i`` is meant for the ``i``-th 10 Hz step after the observation it saw. The
:class:`ChunkExecutor` decides *when* to ask for a new chunk and *which* action to apply at
each step:

- ``"temporal"`` (ACT, Zhao et al. 2023): a chunk is requested every ``query_every`` steps
  (every step by default). At step ``t`` every chunk still covering ``t`` votes with its row
  ``t - t0``; the votes are averaged with weights ``w_i = exp(-k * i)``, ``i = 0`` being the
  *oldest* chunk, so larger ``k`` trusts old predictions more and ``k = 0`` is a plain mean.
- ``"receding"``: a chunk is requested, its first ``execute_steps`` rows are applied open loop,
  then the next chunk is requested (``execute_steps = chunk_size`` is plain open-loop chunking).

Steps are counted from 0 at the start of each skill call; the executor holds no clock.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class ExecutionConfig(BaseModel):
    """How a learned skill turns predicted chunks into one action per 10 Hz step."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["temporal", "receding"] = Field(
        default="temporal", description="temporal ensembling (ACT) or receding horizon"
    )
    temporal_k: float = Field(
        default=0.01, ge=0.0, description="ensemble weight decay per chunk age (ACT's m); 0 = plain mean"
    )
    query_every: int = Field(default=1, ge=1, description="temporal mode: steps between chunk requests")
    execute_steps: int | None = Field(
        default=None, ge=1, description="receding mode: rows applied per chunk (None = the whole chunk)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> ExecutionConfig:
        if self.mode == "temporal" and self.execute_steps is not None:
            raise ValueError("execute_steps applies to mode='receding' only")
        if self.mode == "receding" and self.query_every != 1:
            raise ValueError("query_every applies to mode='temporal' only (use execute_steps)")
        return self


class ChunkExecutor:
    """Per-step actions from overlapping chunks (see the module docstring).

    Use per step ``t = 0, 1, ...``: if :meth:`needs_chunk` ``(t)``, predict and :meth:`add`
    the chunk, then apply :meth:`action` ``(t)``.

    Args:
        config: the execution settings.
        chunk_size: rows per chunk (the policy's ``chunk_size``).
    """

    def __init__(self, config: ExecutionConfig, chunk_size: int) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        if config.mode == "temporal" and config.query_every > chunk_size:
            raise ValueError(
                f"query_every={config.query_every} leaves steps no chunk covers (chunk_size={chunk_size})"
            )
        if config.execute_steps is not None and config.execute_steps > chunk_size:
            raise ValueError(f"execute_steps={config.execute_steps} exceeds chunk_size={chunk_size}")
        self.config = config
        self.chunk_size = chunk_size
        self._chunks: list[tuple[int, np.ndarray]] = []  # (start step, (chunk_size, dim)), oldest first

    @property
    def interval(self) -> int:
        """Steps between chunk requests."""
        if self.config.mode == "temporal":
            return self.config.query_every
        return self.config.execute_steps or self.chunk_size

    def reset(self) -> None:
        """Forget every chunk (a new skill call starts at step 0)."""
        self._chunks.clear()

    def needs_chunk(self, step: int) -> bool:
        """Whether a new chunk must be predicted before :meth:`action` at ``step``."""
        if not self._chunks:
            return True
        return step - self._chunks[-1][0] >= self.interval

    def add(self, chunk: np.ndarray, step: int) -> None:
        """Record a chunk predicted from the observation at ``step``; row 0 is for ``step``."""
        chunk = np.asarray(chunk, dtype=np.float32)
        if chunk.ndim != 2 or chunk.shape[0] != self.chunk_size:
            raise ValueError(f"expected a ({self.chunk_size}, action_dim) chunk, got shape {chunk.shape}")
        if not np.all(np.isfinite(chunk)):
            raise ValueError("the policy predicted a non-finite action")
        if self._chunks and chunk.shape[1] != self._chunks[-1][1].shape[1]:
            raise ValueError(f"action_dim changed from {self._chunks[-1][1].shape[1]} to {chunk.shape[1]}")
        self._chunks.append((step, chunk))
        self._chunks = [(t0, c) for t0, c in self._chunks if t0 + self.chunk_size > step]

    def action(self, step: int) -> np.ndarray:
        """The ``(action_dim,)`` float32 action to apply at ``step``."""
        live = [(t0, c) for t0, c in self._chunks if t0 <= step < t0 + self.chunk_size]
        if not live:
            raise RuntimeError(f"no chunk covers step {step}; call add() when needs_chunk() says so")
        if self.config.mode == "receding":
            t0, chunk = live[-1]
            return chunk[step - t0].copy()
        rows = np.stack([c[step - t0] for t0, c in live])  # oldest first
        weights = np.exp(-self.config.temporal_k * np.arange(len(live)))
        return (weights @ rows / weights.sum()).astype(np.float32)


__all__ = ["ChunkExecutor", "ExecutionConfig"]
