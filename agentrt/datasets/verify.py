"""``verify``: check a dataset root end to end and list every fault found.

Checks the schema (info keys, feature columns of every data file), indices (episodes
``0..E-1``, frames ``index`` contiguous, ``frame_index`` ``0..len-1`` per episode,
``timestamp = frame_index / fps``, task and skill ids in their tables), offsets
(``dataset_from_index``/``dataset_to_index``), that every video decodes with exactly one
frame per Parquet row of each episode, that no file is unreferenced, and that
``stats.json`` equals the aggregate of the per-episode statistics, which in turn equal
those recomputed from the Parquet rows (vector features).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from agentrt.datasets import constants as K
from agentrt.datasets import journal
from agentrt.datasets.errors import DatasetError
from agentrt.datasets.meta import DatasetMeta, episode_stats, load_meta
from agentrt.datasets.stats import aggregate_stats, vector_stats
from agentrt.datasets.tables import frame_schema, table_columns
from agentrt.datasets.video import count_in_range, frame_times

REQUIRED_INFO = (
    "codebase_version",
    "fps",
    "features",
    "total_episodes",
    "total_frames",
    "total_tasks",
    "chunks_size",
    "data_path",
    "video_path",
)


def verify(root: str | Path, *, check_videos: bool = True) -> list[str]:
    """Every fault of the dataset at ``root``, one line each; empty when it is sound.

    Raises:
        DatasetError: ``root`` is not a dataset at all (missing, no ``meta/info.json``).
    """
    root = Path(root)
    faults = [f"{item}: open it with DatasetWriter.open(root) to recover" for item in journal.pending(root)]
    meta = load_meta(root)
    faults += _check_info(meta)
    if faults and any("features" in f for f in faults):
        return faults
    faults += _check_episodes(meta)
    frames, data_faults = _read_data(meta)
    faults += data_faults
    if frames is not None:
        faults += _check_frames(meta, frames)
        faults += _check_stats(meta, frames)
    if check_videos:
        faults += _check_videos(meta)
    faults += _check_provenance(meta)
    return faults


def _check_info(meta: DatasetMeta) -> list[str]:
    faults = [f"meta/info.json lacks {key!r}" for key in REQUIRED_INFO if key not in meta.info]
    for key in K.INDEX_COLUMNS:
        if key not in meta.features:
            faults.append(f"features lack {key!r}")
    if meta.info.get("total_tasks") != len(meta.tasks):
        faults.append(
            f"total_tasks is {meta.info.get('total_tasks')} but meta/tasks.parquet has {len(meta.tasks)}"
        )
    return faults


def _check_episodes(meta: DatasetMeta) -> list[str]:
    faults = []
    indices = [row[K.EPISODE_INDEX] for row in meta.episodes]
    if indices != list(range(len(indices))):
        faults.append(f"episode indices are not 0..{len(indices) - 1}: {_short(indices)}")
    if len(indices) != meta.info["total_episodes"]:
        faults.append(f"info says {meta.info['total_episodes']} episodes, metadata has {len(indices)}")
    expected_from = 0
    for row in meta.episodes:
        ep = row[K.EPISODE_INDEX]
        if row[K.EP_FROM] != expected_from:
            faults.append(f"episode {ep}: dataset_from_index {row[K.EP_FROM]}, expected {expected_from}")
        if row[K.EP_TO] - row[K.EP_FROM] != row[K.EP_LENGTH]:
            faults.append(f"episode {ep}: length {row[K.EP_LENGTH]} != to - from")
        unknown = [t for t in row[K.EP_TASKS] if t not in meta.tasks]
        if unknown:
            faults.append(f"episode {ep}: tasks not in meta/tasks.parquet: {unknown}")
        expected_from = row[K.EP_TO]
    if expected_from != meta.total_frames:
        faults.append(f"info says {meta.total_frames} frames, episodes cover {expected_from}")
    return faults


def _read_data(meta: DatasetMeta) -> tuple[dict[str, np.ndarray] | None, list[str]]:
    faults, tables = [], []
    schema = frame_schema(meta.features)
    referenced = {meta.episode_data_file(row) for row in meta.episodes}
    on_disk = set((meta.root / K.DATA_DIR).glob("chunk-*/file-*.parquet"))
    faults += [f"{_rel(meta, p)}: data file no episode references" for p in sorted(on_disk - referenced)]
    for path in sorted(referenced):
        if not path.exists():
            faults.append(f"{_rel(meta, path)}: missing data file")
            continue
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            faults.append(f"{_rel(meta, path)}: unreadable Parquet ({exc})")
            continue
        if set(table.schema.names) != set(schema.names):
            faults.append(
                f"{_rel(meta, path)}: columns {sorted(table.schema.names)} != features {sorted(schema.names)}"
            )
            continue
        tables.append(table.select(schema.names).cast(schema))
    if faults:
        return None, faults
    if not tables:
        return {}, faults
    return table_columns(pa.concat_tables(tables)), faults


def _check_frames(meta: DatasetMeta, frames: dict[str, np.ndarray]) -> list[str]:
    if not frames:
        return [] if meta.total_frames == 0 else [f"no frames but info says {meta.total_frames}"]
    faults = []
    order = np.argsort(frames[K.INDEX], kind="stable")
    index = frames[K.INDEX][order]
    if len(index) != meta.total_frames or not np.array_equal(index, np.arange(len(index))):
        faults.append(f"frame index is not 0..{meta.total_frames - 1} ({len(index)} rows; {_gaps(index)})")
    episode = frames[K.EPISODE_INDEX][order]
    for row in meta.episodes:
        ep, lo, hi = row[K.EPISODE_INDEX], row[K.EP_FROM], row[K.EP_TO]
        mask = episode == ep
        count = int(mask.sum())
        if count != row[K.EP_LENGTH]:
            faults.append(f"episode {ep}: {count} Parquet rows, metadata says {row[K.EP_LENGTH]}")
            continue
        if not np.array_equal(index[mask], np.arange(lo, hi)):
            faults.append(f"episode {ep}: rows are not index {lo}..{hi - 1}")
        fi = frames[K.FRAME_INDEX][order][mask]
        if not np.array_equal(fi, np.arange(count)):
            faults.append(f"episode {ep}: frame_index is not 0..{count - 1}")
        ts = frames[K.TIMESTAMP][order][mask]
        if not np.allclose(ts, fi / meta.fps, atol=1e-4):
            faults.append(f"episode {ep}: timestamp != frame_index / fps")
    for key, table in ((K.TASK_INDEX, meta.tasks), (K.SKILL_INDEX, meta.skills)):
        if (
            key in frames
            and len(frames[key])
            and (frames[key].min() < 0 or frames[key].max() >= max(len(table), 1))
        ):
            faults.append(f"{key} outside its table of {len(table)}")
    return faults


def _check_stats(meta: DatasetMeta, frames: dict[str, np.ndarray]) -> list[str]:
    faults = []
    per_episode = [episode_stats(row, meta.features) for row in meta.episodes]
    for row, ep_stats in zip(meta.episodes, per_episode, strict=True):
        mask = frames[K.EPISODE_INDEX] == row[K.EPISODE_INDEX] if frames else None
        for key, stats in ep_stats.items():
            if key in frames and mask is not None and mask.any():
                fresh = vector_stats(frames[key][mask])
                if not all(np.allclose(fresh[s], stats[s], rtol=1e-5, atol=1e-6) for s in K.STAT_NAMES):
                    faults.append(f"episode {row[K.EPISODE_INDEX]}: stats of {key} differ from its rows")
    expected = aggregate_stats(per_episode)
    missing = [
        k
        for k, ft in meta.features.items()
        if ft["dtype"] != "string" and meta.episodes and k not in meta.stats
    ]
    faults += [f"meta/stats.json lacks {key}" for key in missing]
    for key, stats in expected.items():
        if key in meta.stats and not all(
            np.allclose(np.asarray(meta.stats[key][s], dtype=float), stats[s], rtol=1e-5, atol=1e-6)
            for s in K.STAT_NAMES
        ):
            faults.append(f"meta/stats.json {key} differs from the aggregate of the episodes")
    return faults


def _check_videos(meta: DatasetMeta) -> list[str]:
    faults = []
    for key in meta.video_keys:
        by_file = defaultdict(list)
        for row in meta.episodes:
            by_file[meta.episode_video_file(row, key)].append(row)
        on_disk = set((meta.root / K.VIDEO_DIR / key).glob("chunk-*/file-*.mp4"))
        faults += [f"{_rel(meta, p)}: video no episode references" for p in sorted(on_disk - set(by_file))]
        for path, rows in sorted(by_file.items()):
            if not path.exists():
                faults.append(
                    f"{_rel(meta, path)}: missing video for episodes {[r[K.EPISODE_INDEX] for r in rows]}"
                )
                continue
            try:
                times = frame_times(path)
            except DatasetError as exc:
                faults.append(f"{_rel(meta, path)}: {exc}")
                continue
            covered = 0
            for row in rows:
                lo = row[K.video_column(key, "from_timestamp")]
                hi = row[K.video_column(key, "to_timestamp")]
                count = count_in_range(times, lo, hi, meta.fps)
                covered += count
                if count != row[K.EP_LENGTH]:
                    faults.append(
                        f"episode {row[K.EPISODE_INDEX]}: {key} has {count} video frames "
                        f"for {row[K.EP_LENGTH]} rows"
                    )
            if covered != len(times):
                faults.append(f"{_rel(meta, path)}: {len(times) - covered} frames belong to no episode")
    return faults


def _check_provenance(meta: DatasetMeta) -> list[str]:
    return [
        f"episode {row[K.EPISODE_INDEX]}: missing {row[K.EP_PROVENANCE]}"
        for row in meta.episodes
        if row.get(K.EP_PROVENANCE) and not (meta.root / row[K.EP_PROVENANCE]).exists()
    ]


def _rel(meta: DatasetMeta, path: Path) -> str:
    return str(path.relative_to(meta.root))


def _short(values: list[int]) -> str:
    return str(values if len(values) <= 12 else values[:6] + ["..."] + values[-3:])


def _gaps(index: np.ndarray) -> str:
    if len(index) == 0:
        return "empty"
    missing = np.setdiff1d(np.arange(index.max() + 1), index)
    dupes = len(index) - len(np.unique(index))
    return f"missing {_short(missing.tolist())}, {dupes} duplicates"
