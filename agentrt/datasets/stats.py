"""Feature statistics as lerobot keeps them: ``min``, ``max``, ``mean``, ``std``, ``count``.

- Vectors ``(N, D)``: statistics over frames, each of shape ``(D,)``; scalar columns give ``(1,)``.
- Images: per channel over all pixels of all frames, shape ``(3, 1, 1)``, scaled to ``[0, 1]``
  (divided by 255); ``count`` is the number of frames.
- ``std`` is the population standard deviation (``ddof=0``); ``count`` has shape ``(1,)``.

Per-episode statistics are merged with the parallel-variance formula
(:func:`aggregate_stats`), so ``stats.json`` always equals the statistics of all frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

Stats = dict[str, np.ndarray]
"""``{"min", "max", "mean", "std", "count"}`` -> array."""


def vector_stats(values: np.ndarray) -> Stats:
    """Statistics of ``(N, D)`` (or ``(N,)``, treated as ``(N, 1)``) values over the frames."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    return {
        "min": array.min(axis=0),
        "max": array.max(axis=0),
        "mean": array.mean(axis=0),
        "std": array.std(axis=0),
        "count": np.array([array.shape[0]]),
    }


class ImageStats:
    """Per-channel statistics of ``(H, W, 3)`` uint8 frames, accumulated one frame at a time."""

    def __init__(self) -> None:
        self.frames = 0
        self.pixels = 0
        self._sum = np.zeros(3)
        self._sumsq = np.zeros(3)
        self._min = np.full(3, 255.0)
        self._max = np.zeros(3)

    def update(self, image: np.ndarray) -> None:
        pixels = image.reshape(-1, image.shape[-1]).astype(np.float64)
        self.frames += 1
        self.pixels += pixels.shape[0]
        self._sum += pixels.sum(axis=0)
        self._sumsq += np.square(pixels).sum(axis=0)
        self._min = np.minimum(self._min, pixels.min(axis=0))
        self._max = np.maximum(self._max, pixels.max(axis=0))

    def result(self) -> Stats:
        """The statistics in ``[0, 1]``, each ``(3, 1, 1)``; ``count`` is the number of frames."""
        if self.frames == 0:
            raise ValueError("no frames")
        mean = self._sum / self.pixels
        var = np.maximum(self._sumsq / self.pixels - mean**2, 0.0)

        def channel(value: np.ndarray) -> np.ndarray:
            return (value / 255.0).reshape(3, 1, 1)

        return {
            "min": channel(self._min),
            "max": channel(self._max),
            "mean": channel(mean),
            "std": channel(np.sqrt(var)),
            "count": np.array([self.frames]),
        }


def aggregate_feature_stats(parts: Sequence[Stats]) -> Stats:
    """Merge the statistics of disjoint sets of frames into those of their union."""
    means = np.stack([np.asarray(p["mean"], dtype=np.float64) for p in parts])
    variances = np.stack([np.square(np.asarray(p["std"], dtype=np.float64)) for p in parts])
    counts = np.stack([np.asarray(p["count"], dtype=np.float64).reshape(-1)[0] for p in parts])
    weights = counts.reshape((-1,) + (1,) * (means.ndim - 1))
    total = counts.sum()
    mean = (means * weights).sum(axis=0) / total
    variance = ((variances + np.square(means - mean)) * weights).sum(axis=0) / total
    return {
        "min": np.min(np.stack([p["min"] for p in parts]), axis=0),
        "max": np.max(np.stack([p["max"] for p in parts]), axis=0),
        "mean": mean,
        "std": np.sqrt(variance),
        "count": np.array([int(total)]),
    }


def aggregate_stats(parts: Sequence[Mapping[str, Stats]]) -> dict[str, Stats]:
    """:func:`aggregate_feature_stats` for every feature present in all of ``parts``."""
    parts = [p for p in parts if p]
    if not parts:
        return {}
    keys = [k for k in parts[0] if all(k in p for p in parts)]
    return {key: aggregate_feature_stats([p[key] for p in parts]) for key in keys}


def stats_to_json(stats: Mapping[str, Stats]) -> dict[str, dict[str, list]]:
    """Arrays as nested lists, the way ``meta/stats.json`` holds them."""
    return {key: {name: np.asarray(v).tolist() for name, v in ft.items()} for key, ft in stats.items()}


def stats_from_json(raw: Mapping[str, Mapping[str, list]]) -> dict[str, Stats]:
    """Nested lists back to arrays (``float64``; ``count`` as ``int64``)."""
    return {
        key: {
            name: np.asarray(v, dtype=np.int64 if name == "count" else np.float64) for name, v in ft.items()
        }
        for key, ft in raw.items()
    }
