"""Reading and writing the ``meta/`` files: info, stats, tasks, skills, episodes.

Every writer here writes a complete file and ``fsync``s it; making it visible atomically
(a rename) is the caller's job (:mod:`agentrt.datasets.writer` stages then renames).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from agentrt.datasets import constants as K
from agentrt.datasets.errors import DatasetError
from agentrt.datasets.stats import Stats, stats_from_json, stats_to_json


def fsync_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and flush it to the disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_json(path: Path, obj: Any) -> None:
    fsync_write(path, (json.dumps(obj, indent=2) + "\n").encode())


def write_parquet(path: Path, table: pa.Table) -> None:
    """Write ``table`` (snappy) and ``fsync`` it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="snappy")
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def new_info(
    features: Mapping[str, Any], fps: int, robot_type: str | None, chunks_size: int = K.DEFAULT_CHUNK_SIZE
) -> dict[str, Any]:
    """An empty dataset's ``meta/info.json``, keys as lerobot's ``DatasetInfo``."""
    has_video = any(ft["dtype"] == "video" for ft in features.values())
    return {
        "codebase_version": K.CODEBASE_VERSION,
        "fps": int(fps),
        "features": dict(features),
        "total_episodes": 0,
        "total_frames": 0,
        "total_tasks": 0,
        "chunks_size": chunks_size,
        "data_files_size_in_mb": K.DEFAULT_DATA_FILE_SIZE_IN_MB,
        "video_files_size_in_mb": K.DEFAULT_VIDEO_FILE_SIZE_IN_MB,
        "data_path": K.DATA_PATH,
        "video_path": K.VIDEO_PATH if has_video else None,
        "robot_type": robot_type,
        "splits": {},
    }


# ------------------------------------------------------------- string tables
def string_table(strings: Sequence[str], name: str, index_column: str) -> pa.Table:
    """A table ``{index_column: 0..n-1}`` indexed by ``name``, as pandas would write it.

    lerobot reads ``meta/tasks.parquet`` with pandas and looks tasks up in the index, so
    the pandas metadata naming ``task`` as the index column is part of the format.
    """
    table = pa.table(
        {index_column: pa.array(range(len(strings)), pa.int64()), name: pa.array(list(strings), pa.string())}
    )
    pandas_meta = {
        "index_columns": [name],
        "column_indexes": [
            {
                "name": None,
                "field_name": None,
                "pandas_type": "unicode",
                "numpy_type": "object",
                "metadata": {"encoding": "UTF-8"},
            }
        ],
        "columns": [
            {
                "name": index_column,
                "field_name": index_column,
                "pandas_type": "int64",
                "numpy_type": "int64",
                "metadata": None,
            },
            {
                "name": name,
                "field_name": name,
                "pandas_type": "unicode",
                "numpy_type": "object",
                "metadata": None,
            },
        ],
        "creator": {"library": "pyarrow", "version": pa.__version__},
        "pandas_version": "2.2.3",
    }
    return table.replace_schema_metadata({b"pandas": json.dumps(pandas_meta).encode()})


def read_string_table(path: Path, name: str, index_column: str) -> list[str]:
    """The strings of a :func:`string_table`, ordered by their index; checks it is 0..n-1."""
    table = pq.read_table(path)
    pairs = sorted(zip(table[index_column].to_pylist(), table[name].to_pylist(), strict=True))
    if [i for i, _ in pairs] != list(range(len(pairs))):
        raise DatasetError(f"{path}: {index_column} is not 0..{len(pairs) - 1}")
    return [s for _, s in pairs]


# ------------------------------------------------------------------ episodes
def episodes_schema(features: Mapping[str, Any]) -> pa.Schema:
    """The fixed schema of ``meta/episodes/*.parquet`` rows for a feature spec."""
    fields = [
        (K.EPISODE_INDEX, pa.int64()),
        (K.EP_TASKS, pa.list_(pa.string())),
        (K.EP_LENGTH, pa.int64()),
        (K.EP_DATA_CHUNK, pa.int64()),
        (K.EP_DATA_FILE, pa.int64()),
        (K.EP_FROM, pa.int64()),
        (K.EP_TO, pa.int64()),
    ]
    for key, ft in features.items():
        if ft["dtype"] == "video":
            fields += [
                (K.video_column(key, "chunk_index"), pa.int64()),
                (K.video_column(key, "file_index"), pa.int64()),
                (K.video_column(key, "from_timestamp"), pa.float64()),
                (K.video_column(key, "to_timestamp"), pa.float64()),
            ]
    fields += [
        (K.EP_META_CHUNK, pa.int64()),
        (K.EP_META_FILE, pa.int64()),
        (K.EP_SUCCESS, pa.bool_()),
        (K.EP_PROVENANCE, pa.string()),
    ]
    for key, ft in features.items():
        depth = 3 if ft["dtype"] == "video" else 1
        for stat in K.STAT_NAMES:
            leaf = pa.int64() if stat == "count" else pa.float64()
            kind = pa.list_(leaf) if stat == "count" else _nested_list(leaf, depth)
            fields.append((K.stats_column(key, stat), kind))
    return pa.schema(fields)


def _nested_list(leaf: pa.DataType, depth: int) -> pa.DataType:
    kind = leaf
    for _ in range(depth):
        kind = pa.list_(kind)
    return kind


def episodes_table(rows: Sequence[Mapping[str, Any]], features: Mapping[str, Any]) -> pa.Table:
    schema = episodes_schema(features)
    columns = {f.name: [_plain(row[f.name]) for row in rows] for f in schema}
    return pa.table(columns, schema=schema)


def _plain(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.ndarray) else value


def read_episodes(root: Path) -> list[dict[str, Any]]:
    """All episode rows from every ``meta/episodes/chunk-*/file-*.parquet``, by file order."""
    rows: list[dict[str, Any]] = []
    for path in sorted((root / K.EPISODES_DIR).glob("chunk-*/file-*.parquet")):
        rows += pq.read_table(path).to_pylist()
    return rows


def episode_stats(row: Mapping[str, Any], features: Mapping[str, Any]) -> dict[str, Stats]:
    """The per-episode statistics stored in an episodes row."""
    raw = {
        key: {stat: row[K.stats_column(key, stat)] for stat in K.STAT_NAMES}
        for key in features
        if row.get(K.stats_column(key, "mean")) is not None
    }
    return stats_from_json(raw)


def episode_stats_columns(stats: Mapping[str, Stats]) -> dict[str, Any]:
    return {
        K.stats_column(key, stat): value
        for key, ft in stats_to_json(stats).items()
        for stat, value in ft.items()
    }


# --------------------------------------------------------------- whole meta
@dataclass
class DatasetMeta:
    """Everything in ``meta/`` of one dataset root, loaded."""

    root: Path
    info: dict[str, Any]
    tasks: list[str]
    skills: list[str]
    episodes: list[dict[str, Any]]
    stats: dict[str, Stats] = field(default_factory=dict)

    @property
    def fps(self) -> int:
        return int(self.info["fps"])

    @property
    def features(self) -> dict[str, Any]:
        return self.info["features"]

    @property
    def video_keys(self) -> list[str]:
        return [k for k, ft in self.features.items() if ft["dtype"] == "video"]

    @property
    def total_frames(self) -> int:
        return int(self.info["total_frames"])

    def data_file(self, chunk_index: int, file_index: int) -> Path:
        return self.root / self.info["data_path"].format(chunk_index=chunk_index, file_index=file_index)

    def video_file(self, video_key: str, chunk_index: int, file_index: int) -> Path:
        rel = self.info["video_path"].format(
            video_key=video_key, chunk_index=chunk_index, file_index=file_index
        )
        return self.root / rel

    def episode_data_file(self, row: Mapping[str, Any]) -> Path:
        return self.data_file(row[K.EP_DATA_CHUNK], row[K.EP_DATA_FILE])

    def episode_video_file(self, row: Mapping[str, Any], video_key: str) -> Path:
        return self.video_file(
            video_key,
            row[K.video_column(video_key, "chunk_index")],
            row[K.video_column(video_key, "file_index")],
        )


def same_spec(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two feature specs agree on every key's dtype, shape and names."""

    def core(spec: Mapping[str, Any]) -> dict:
        return {k: (v["dtype"], list(v["shape"]), v.get("names")) for k, v in spec.items()}

    return core(a) == core(b)


def is_dataset(root: Path) -> bool:
    return (root / K.INFO_PATH).is_file()


def load_meta(root: str | Path) -> DatasetMeta:
    """Load ``root/meta``.

    Raises:
        DatasetError: ``root`` is missing, not a dataset, or its metadata cannot be read.
    """
    root = Path(root)
    if not root.exists():
        raise DatasetError(f"no such directory: {root}")
    if not is_dataset(root):
        raise DatasetError(f"not a dataset (no {K.INFO_PATH}): {root}")
    try:
        info = json.loads((root / K.INFO_PATH).read_text())
        tasks_path, skills_path = root / K.TASKS_PATH, root / K.SKILLS_PATH
        tasks = read_string_table(tasks_path, "task", K.TASK_INDEX) if tasks_path.exists() else []
        skills = read_string_table(skills_path, "skill", K.SKILL_INDEX) if skills_path.exists() else []
        stats_path = root / K.STATS_PATH
        stats = stats_from_json(json.loads(stats_path.read_text())) if stats_path.exists() else {}
        episodes = read_episodes(root)
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise DatasetError(f"cannot read the metadata of {root}: {exc}") from exc
    if info.get("codebase_version") != K.CODEBASE_VERSION:
        raise DatasetError(
            f"{root}: codebase_version {info.get('codebase_version')!r}, expected {K.CODEBASE_VERSION}"
        )
    return DatasetMeta(root, info, tasks, skills, episodes, stats)


def next_file(chunk_index: int, file_index: int, chunks_size: int) -> tuple[int, int]:
    """The position after ``(chunk, file)``: the next file, or the first of the next chunk."""
    if file_index + 1 >= chunks_size:
        return chunk_index + 1, 0
    return chunk_index, file_index + 1
