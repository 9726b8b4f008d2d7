"""Normalisation of state and actions with dataset statistics; stored inside the artifact.

- state ``(..., W)`` (``config.state_width``: 18, plus a cosine per sin/cos angle):
  ``(s - mean) / std`` (std floored at ``STD_FLOOR``);
- actions ``(..., A)``: affine map of ``[low, high]`` (per-dim min and max over the
  training frames) onto ``[-1, 1]``; a dim that never varied maps to ``0`` and back to
  ``low``. The tokens head bins this ``[-1, 1]`` range.
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field, model_validator

from skills.vla.config import EE_POS

STD_FLOOR = 1e-3
RANGE_FLOOR = 1e-6


class NormStats(BaseModel):
    """Statistics of the frames a model was trained on, as plain lists (JSON in the artifact)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state_mean: list[float] = Field(description="(W,) mean of the prepared states (W = config.state_width)")
    state_std: list[float] = Field(description="(W,) population std of the prepared states")
    action_low: list[float] = Field(description="(A,) per-dim minimum of the model's action dims, env units")
    action_high: list[float] = Field(description="(A,) per-dim maximum, env units")

    @model_validator(mode="after")
    def _check(self) -> NormStats:
        if len(self.state_mean) != len(self.state_std) or len(self.action_low) != len(self.action_high):
            raise ValueError("normalisation statistics have mismatched lengths")
        values = self.state_mean + self.state_std + self.action_low + self.action_high
        if not np.all(np.isfinite(values)):
            raise ValueError("normalisation statistics are not finite")
        if any(h < lo for lo, h in zip(self.action_low, self.action_high, strict=True)):
            raise ValueError("action_high < action_low")
        return self

    @classmethod
    def from_arrays(cls, states: np.ndarray, actions: np.ndarray) -> NormStats:
        """From ``(N, W)`` prepared states and ``(N, A)`` actions of the training frames."""
        if len(states) == 0 or len(actions) == 0:
            raise ValueError("no frames to compute normalisation statistics from")
        s, a = np.asarray(states, np.float64), np.asarray(actions, np.float64)
        return cls(
            state_mean=s.mean(0).tolist(),
            state_std=s.std(0).tolist(),
            action_low=a.min(0).tolist(),
            action_high=a.max(0).tolist(),
        )


class Normalizer:
    """Torch transforms built from :class:`NormStats` (float32, on CPU)."""

    def __init__(self, stats: NormStats) -> None:
        self.stats = stats
        self.state_mean = torch.tensor(stats.state_mean, dtype=torch.float32)
        self.state_std = torch.tensor(stats.state_std, dtype=torch.float32).clamp_min(STD_FLOOR)
        low = torch.tensor(stats.action_low, dtype=torch.float32)
        high = torch.tensor(stats.action_high, dtype=torch.float32)
        self.action_low = low
        self.action_span = high - low
        self._varies = self.action_span > RANGE_FLOOR

    def state(self, state: torch.Tensor) -> torch.Tensor:
        """``(..., W)`` prepared -> standardised."""
        return (state - self.state_mean) / self.state_std

    def goal(self, goal: torch.Tensor) -> torch.Tensor:
        """``(..., 3)`` goal (m, base frame) -> standardised like the end-effector position."""
        return (goal - self.state_mean[EE_POS]) / self.state_std[EE_POS]

    def ungoal(self, goal: torch.Tensor) -> torch.Tensor:
        """``(..., 3)`` standardised goal -> m, base frame."""
        return goal * self.state_std[EE_POS] + self.state_mean[EE_POS]

    def action(self, action: torch.Tensor) -> torch.Tensor:
        """``(..., A)`` env units -> ``[-1, 1]`` (unclipped outside the training range)."""
        span = torch.where(self._varies, self.action_span, torch.ones_like(self.action_span))
        out = 2.0 * (action - self.action_low) / span - 1.0
        return torch.where(self._varies, out, torch.zeros_like(out))

    def unaction(self, normalized: torch.Tensor) -> torch.Tensor:
        """``(..., A)`` in ``[-1, 1]`` (clipped) -> env units."""
        x = normalized.clamp(-1.0, 1.0)
        return self.action_low + (x + 1.0) * 0.5 * self.action_span
