"""``EpisodeDataset``: a torch ``Dataset`` of observation histories and action chunks.

Sample ``i`` is frame ``i`` of the dataset (global ``index``). With ``n_obs_steps = To``
and ``horizon = Ta`` it holds, for frame ``t`` of its episode:

- ``observation.state``: ``(To, D)`` float32, frames ``t-To+1 .. t``
- ``observation.images.<camera>``: ``(To, 3, H, W)`` float32 in ``[0, 1]``
- ``action``: ``(Ta, A)`` float32, frames ``t .. t+Ta-1``
- ``<key>_is_pad``: ``(To,)`` or ``(Ta,)`` bool, true where the window left the episode;
  padded entries repeat the episode's first (history) or last (chunk) frame, as lerobot does
- ``task`` (str), ``task_index``, ``skill`` (str), ``subgoal_index``, ``episode_index``,
  ``frame_index``, ``index``, ``timestamp``

Low-dimensional columns are loaded once (numpy). Video is decoded one episode at a time
and kept in an LRU cache bounded by ``cache_bytes``; shuffled access over many episodes
decodes often, so prefer an episode-aware sampler or more cache for big datasets.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import torch
from torch.utils.data import Dataset

from agentrt.datasets import constants as K
from agentrt.datasets.errors import DatasetError
from agentrt.datasets.meta import DatasetMeta, load_meta
from agentrt.datasets.tables import frame_schema, table_columns
from agentrt.datasets.video import decode_range


class EpisodeDataset(Dataset):
    """Windows over the dataset at ``root``; see the module docstring for the sample layout.

    Args:
        root: dataset root.
        n_obs_steps: observation history length ``To`` (>= 1).
        horizon: action chunk length ``Ta`` (>= 1).
        video_keys: cameras to decode (default all; ``()`` for none).
        cache_bytes: bound on decoded frames kept in memory (per worker process).
    """

    def __init__(
        self,
        root: str | Path,
        *,
        n_obs_steps: int = 1,
        horizon: int = 1,
        video_keys: tuple[str, ...] | None = None,
        cache_bytes: int = 512 * 2**20,
    ) -> None:
        if n_obs_steps < 1 or horizon < 1:
            raise ValueError("n_obs_steps and horizon must be >= 1")
        self.meta: DatasetMeta = load_meta(root)
        self.n_obs_steps, self.horizon = n_obs_steps, horizon
        self.video_keys = list(self.meta.video_keys if video_keys is None else video_keys)
        unknown = set(self.video_keys) - set(self.meta.video_keys)
        if unknown:
            raise DatasetError(f"no such cameras {sorted(unknown)}; the dataset has {self.meta.video_keys}")
        self.columns = _load_columns(self.meta)
        self.state_keys = [k for k in self.columns if k.startswith("observation.")]
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()
        self._cached = 0
        self.stats = {
            key: {name: torch.as_tensor(value, dtype=torch.float32) for name, value in ft.items()}
            for key, ft in self.meta.stats.items()
        }
        """``stats.json`` as float32 tensors: ``stats[key]["mean"|"std"|"min"|"max"]``."""

    def __len__(self) -> int:
        return self.meta.total_frames

    def __getitem__(self, i: int) -> dict[str, Any]:
        if not 0 <= i < len(self):
            raise IndexError(i)
        c = self.columns
        episode = int(c[K.EPISODE_INDEX][i])
        row = self.meta.episodes[episode]
        lo, hi = row[K.EP_FROM], row[K.EP_TO]
        obs_idx, obs_pad = _window(i - self.n_obs_steps + 1, self.n_obs_steps, lo, hi)
        act_idx, act_pad = _window(i, self.horizon, lo, hi)
        sample: dict[str, Any] = {}
        for key in self.state_keys:
            sample[key] = torch.from_numpy(c[key][obs_idx])
            sample[f"{key}_is_pad"] = torch.from_numpy(obs_pad)
        for key in self.video_keys:
            frames = self._episode_frames(episode, key)[obs_idx - lo]
            sample[key] = torch.from_numpy(frames).permute(0, 3, 1, 2).float().div_(255.0)
            sample[f"{key}_is_pad"] = torch.from_numpy(obs_pad)
        sample[K.ACTION] = torch.from_numpy(c[K.ACTION][act_idx])
        sample[f"{K.ACTION}_is_pad"] = torch.from_numpy(act_pad)
        for key in (
            K.TIMESTAMP,
            K.FRAME_INDEX,
            K.EPISODE_INDEX,
            K.INDEX,
            K.TASK_INDEX,
            K.SKILL_INDEX,
            K.SUBGOAL_INDEX,
        ):
            if key in c:
                sample[key] = torch.as_tensor(c[key][i])
        sample["task"] = self.meta.tasks[int(c[K.TASK_INDEX][i])]
        if K.SKILL_INDEX in c and self.meta.skills:
            sample["skill"] = self.meta.skills[int(c[K.SKILL_INDEX][i])]
        return sample

    def normalize(self, key: str, value: torch.Tensor) -> torch.Tensor:
        """``(value - mean) / std`` with ``key``'s statistics (std floored at 1e-8)."""
        stats = self.stats[key]
        return (value - stats["mean"]) / stats["std"].clamp_min(1e-8)

    def _episode_frames(self, episode: int, key: str) -> np.ndarray:
        cached = self._cache.get((episode, key))
        if cached is not None:
            self._cache.move_to_end((episode, key))
            return cached
        row = self.meta.episodes[episode]
        frames = decode_range(
            self.meta.episode_video_file(row, key),
            row[K.video_column(key, "from_timestamp")],
            row[K.video_column(key, "to_timestamp")],
            self.meta.fps,
        )
        if len(frames) != row[K.EP_LENGTH]:
            raise DatasetError(
                f"episode {episode}: {key} decodes to {len(frames)} frames, expected {row[K.EP_LENGTH]}"
            )
        self._cache[(episode, key)] = frames
        self._cached += frames.nbytes
        while self._cached > self.cache_bytes and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._cached -= dropped.nbytes
        return frames


def _window(start: int, length: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``start .. start+length-1`` clamped to ``[lo, hi)`` and where they were clamped."""
    raw = np.arange(start, start + length)
    return np.clip(raw, lo, hi - 1), (raw < lo) | (raw >= hi)


def _load_columns(meta: DatasetMeta) -> dict[str, np.ndarray]:
    """Every Parquet column of the dataset, ordered by the global ``index``."""
    schema = frame_schema(meta.features)
    paths = sorted({meta.episode_data_file(row) for row in meta.episodes})
    if not paths:
        return {field.name: np.zeros((0,)) for field in schema}
    try:
        table = pa.concat_tables([pq.read_table(p, schema=schema) for p in paths])
    except (OSError, pa.ArrowException) as exc:
        raise DatasetError(f"cannot read the frames of {meta.root}: {exc}") from exc
    columns = table_columns(table)
    order = np.argsort(columns[K.INDEX], kind="stable")
    columns = {k: np.ascontiguousarray(v[order]) for k, v in columns.items()}
    if not np.array_equal(columns[K.INDEX], np.arange(meta.total_frames)):
        raise DatasetError(f"{meta.root}: frame indices are not 0..{meta.total_frames - 1}; run verify")
    return columns
