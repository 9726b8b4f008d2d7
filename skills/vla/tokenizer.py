"""Discrete action tokens, RT-1 / OpenVLA style: each normalised action dim in uniform bins.

The normalised range ``[-1, 1]`` is cut into ``n_bins`` equal bins of width ``2 / n_bins``;
bin ``k`` covers ``[-1 + k w, -1 + (k + 1) w)`` (the last bin also holds ``+1``). Values
outside ``[-1, 1]`` are clipped first. Decoding returns bin centres, so the round-trip
error is at most half a bin (``1 / n_bins``).
"""

from __future__ import annotations

import torch


class ActionTokenizer:
    """Normalised actions ``(..., A)`` in ``[-1, 1]`` <-> integer tokens ``(..., A)`` in ``[0, n_bins)``."""

    def __init__(self, n_bins: int = 256, low: float = -1.0, high: float = 1.0) -> None:
        if n_bins < 2 or not high > low:
            raise ValueError(f"need n_bins >= 2 and high > low, got {n_bins}, [{low}, {high}]")
        self.n_bins, self.low, self.high = n_bins, low, high
        self.width = (high - low) / n_bins
        """Bin width (``2 / n_bins`` over ``[-1, 1]``)."""

    def encode(self, actions: torch.Tensor) -> torch.Tensor:
        """Token ids ``int64``, same shape as ``actions``; ``-1 -> 0``, ``+1 -> n_bins - 1``."""
        x = actions.to(torch.float64).clamp(self.low, self.high)
        ids = torch.floor((x - self.low) / self.width).to(torch.int64)
        return ids.clamp_(0, self.n_bins - 1)

    def decode(self, tokens: torch.Tensor) -> torch.Tensor:
        """Bin centres ``float32``, same shape as ``tokens`` (ids are clamped into range)."""
        ids = tokens.to(torch.int64).clamp(0, self.n_bins - 1).to(torch.float64)
        return (self.low + (ids + 0.5) * self.width).to(torch.float32)

    def bin_centers(self) -> torch.Tensor:
        """All ``n_bins`` centres, ``(n_bins,)`` float32."""
        return self.decode(torch.arange(self.n_bins))
