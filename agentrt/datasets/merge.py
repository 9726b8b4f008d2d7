"""``merge``: combine datasets into a new one, re-indexed and packed many episodes per file.

Episodes keep their order (all of the first source, then the second, ...). Episode and
frame indices are renumbered from 0, task and skill tables are unioned in order of first
appearance, per-episode statistics are recomputed for the renumbered columns and
aggregated again. With one source, ``merge`` is the consolidation step that packs a
freshly written dataset (one file per episode) into few large files.

Videos are concatenated without re-encoding when an episode owns its whole source file
(always so for :class:`DatasetWriter` output); an episode cut out of a shared file is
decoded and re-encoded. The output is built in a hidden sibling folder and renamed into
place at the end, so ``out`` appears complete or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from agentrt.datasets import constants as K
from agentrt.datasets import journal
from agentrt.datasets.errors import DatasetError
from agentrt.datasets.meta import (
    DatasetMeta,
    episode_stats,
    episode_stats_columns,
    episodes_table,
    load_meta,
    new_info,
    next_file,
    same_spec,
    string_table,
    write_json,
    write_parquet,
)
from agentrt.datasets.stats import aggregate_stats, stats_to_json, vector_stats
from agentrt.datasets.tables import frame_schema, frames_table, table_columns
from agentrt.datasets.video import EpisodeVideoEncoder, VideoOptions, concat_videos, decode_range, frame_times

REMAPPED = (K.EPISODE_INDEX, K.INDEX, K.TASK_INDEX, K.SKILL_INDEX)


def merge(
    sources: Sequence[str | Path],
    out: str | Path,
    *,
    file_size_mb: float = K.DEFAULT_VIDEO_FILE_SIZE_IN_MB,
    video: VideoOptions | None = None,
) -> DatasetMeta:
    """Write the episodes of ``sources`` to the new dataset ``out``; return its metadata.

    Args:
        sources: dataset roots, at least one; same features and fps.
        out: must not exist yet.
        file_size_mb: start a new data/video file once a file's episodes would pass this size.

    Raises:
        DatasetError: a source is not a dataset or has an unfinished commit, features or
            fps differ, ``out`` exists, or writing fails (nothing is left at ``out``).
    """
    out = Path(out)
    metas = [load_meta(s) for s in sources]
    if not metas:
        raise DatasetError("merge needs at least one dataset")
    for meta in metas:
        if journal.pending(meta.root):
            raise DatasetError(f"{meta.root} has an unfinished commit; open it with DatasetWriter.open first")
        if not same_spec(meta.features, metas[0].features) or meta.fps != metas[0].fps:
            raise DatasetError(f"{meta.root}: features or fps differ from {metas[0].root}")
    if out.exists():
        raise DatasetError(f"{out} exists; merge writes a new dataset")
    work = out.parent / f".{out.name}.merging-{uuid.uuid4().hex[:8]}"
    try:
        _Merger(metas, work, file_size_mb * 2**20, video or VideoOptions()).run()
        os.replace(work, out)
    except OSError as exc:
        raise DatasetError(f"merging into {out} failed: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return load_meta(out)


class _Merger:
    def __init__(self, metas: list[DatasetMeta], work: Path, limit_bytes: float, video: VideoOptions) -> None:
        self.metas, self.work, self.limit, self.video = metas, work, limit_bytes, video
        first = metas[0]
        self.features = first.features
        self.fps = first.fps
        self.info = new_info(
            first.features, first.fps, first.info.get("robot_type"), first.info["chunks_size"]
        )
        self.tasks: list[str] = []
        self.skills: list[str] = []
        self.rows: list[dict[str, Any]] = []
        self.ep_stats: list[dict] = []
        self.frames = 0

    def run(self) -> None:
        self.work.mkdir(parents=True)
        position = (0, 0)
        group: list[tuple[DatasetMeta, dict]] = []
        size = 0.0
        for meta in self.metas:
            video_bytes = sum(p.stat().st_size for p in (meta.root / K.VIDEO_DIR).rglob("*.mp4"))
            for row in meta.episodes:
                share = row[K.EP_LENGTH] / max(meta.total_frames, 1)
                cost = share * video_bytes + row[K.EP_LENGTH] * 64  # + a rough Parquet row
                if group and size + cost > self.limit:
                    self._write_group(group, position)
                    position, group, size = next_file(*position, self.info["chunks_size"]), [], 0.0
                group.append((meta, row))
                size += cost
        if group:
            self._write_group(group, position)
        total = len(self.rows)
        self.info.update(
            total_episodes=total,
            total_frames=self.frames,
            total_tasks=len(self.tasks),
            splits={"train": f"0:{total}"},
        )
        write_parquet(self.work / K.TASKS_PATH, string_table(self.tasks, "task", K.TASK_INDEX))
        write_parquet(self.work / K.SKILLS_PATH, string_table(self.skills, "skill", K.SKILL_INDEX))
        write_json(self.work / K.STATS_PATH, stats_to_json(aggregate_stats(self.ep_stats)))
        write_json(self.work / K.INFO_PATH, self.info)

    def _write_group(self, group: list[tuple[DatasetMeta, dict]], position: tuple[int, int]) -> None:
        chunk, file = position
        tables, rows = [], []
        starts = {key: [] for key in self.features if self.features[key]["dtype"] == "video"}
        for meta, src in group:
            index, n = len(self.rows) + len(rows), src[K.EP_LENGTH]
            columns = self._remapped_columns(meta, src, index)
            tables.append(frames_table(columns, self.features))
            stats = episode_stats(src, self.features)
            stats.update({key: vector_stats(columns[key]) for key in columns})
            self.ep_stats.append(stats)
            row = dict(src)
            row.update(episode_stats_columns(stats))
            row.update(
                {
                    K.EPISODE_INDEX: index,
                    K.EP_FROM: self.frames,
                    K.EP_TO: self.frames + n,
                    K.EP_DATA_CHUNK: chunk,
                    K.EP_DATA_FILE: file,
                    K.EP_META_CHUNK: chunk,
                    K.EP_META_FILE: file,
                    K.EP_PROVENANCE: K.PROVENANCE_PATH.format(episode_index=index),
                }
            )
            self._copy_provenance(meta, src, index)
            self.frames += n
            rows.append(row)
        for key, offsets in starts.items():
            target = self.work / K.VIDEO_PATH.format(video_key=key, chunk_index=chunk, file_index=file)
            target.parent.mkdir(parents=True, exist_ok=True)
            pieces = [self._video_piece(meta, src, key, i) for i, (meta, src) in enumerate(group)]
            offsets += concat_videos(pieces, target)
            if len(frame_times(target)) != sum(src[K.EP_LENGTH] for _, src in group):
                raise DatasetError(f"{target}: concatenated video lost frames")
            for row, (_, duration), start in zip(rows, pieces, offsets, strict=True):
                row[K.video_column(key, "chunk_index")], row[K.video_column(key, "file_index")] = chunk, file
                row[K.video_column(key, "from_timestamp")] = start
                row[K.video_column(key, "to_timestamp")] = start + duration
        write_parquet(
            self.work / K.DATA_PATH.format(chunk_index=chunk, file_index=file), pa.concat_tables(tables)
        )
        write_parquet(
            self.work / K.EPISODES_PATH.format(chunk_index=chunk, file_index=file),
            episodes_table(rows, self.features),
        )
        shutil.rmtree(self.work / "pieces", ignore_errors=True)
        self.rows += rows

    def _remapped_columns(self, meta: DatasetMeta, src: dict, index: int) -> dict[str, np.ndarray]:
        table = pq.read_table(meta.episode_data_file(src), schema=frame_schema(self.features))
        table = table.filter(pc.equal(table[K.EPISODE_INDEX], src[K.EPISODE_INDEX]))
        columns = table_columns(table)
        order = np.argsort(columns[K.FRAME_INDEX], kind="stable")
        columns = {k: v[order] for k, v in columns.items()}
        n = len(order)
        if n != src[K.EP_LENGTH]:
            raise DatasetError(
                f"{meta.root}: episode {src[K.EPISODE_INDEX]} has {n} rows, expected {src[K.EP_LENGTH]}"
            )
        columns[K.EPISODE_INDEX] = np.full(n, index, dtype=np.int64)
        columns[K.INDEX] = np.arange(self.frames, self.frames + n, dtype=np.int64)
        columns[K.TASK_INDEX] = _reindex(columns[K.TASK_INDEX], meta.tasks, self.tasks)
        if K.SKILL_INDEX in columns:
            columns[K.SKILL_INDEX] = _reindex(columns[K.SKILL_INDEX], meta.skills, self.skills)
        return columns

    def _video_piece(self, meta: DatasetMeta, src: dict, key: str, i: int) -> tuple[Path, float]:
        path = meta.episode_video_file(src, key)
        lo, hi = src[K.video_column(key, "from_timestamp")], src[K.video_column(key, "to_timestamp")]
        n = src[K.EP_LENGTH]
        if lo == 0 and len(frame_times(path)) == n:
            return path, n / self.fps
        frames = decode_range(path, lo, hi, self.fps)
        piece = self.work / "pieces" / f"{key}-{i}.mp4"
        piece.parent.mkdir(parents=True, exist_ok=True)
        encoder = EpisodeVideoEncoder(piece, frames.shape[1], frames.shape[2], self.fps, self.video)
        for frame in frames:
            encoder.write(frame)
        encoder.close()
        return piece, n / self.fps

    def _copy_provenance(self, meta: DatasetMeta, src: dict, index: int) -> None:
        record: dict[str, Any] = {}
        if src.get(K.EP_PROVENANCE) and (meta.root / src[K.EP_PROVENANCE]).exists():
            record = json.loads((meta.root / src[K.EP_PROVENANCE]).read_text())
        record["episode_index"] = index
        record.setdefault("extra", {})["merged_from"] = {
            "dataset": str(meta.root),
            "episode_index": src[K.EPISODE_INDEX],
        }
        write_json(self.work / K.PROVENANCE_PATH.format(episode_index=index), record)


def _reindex(ids: np.ndarray, old: list[str], new: list[str]) -> np.ndarray:
    for text in old:
        if text not in new:
            new.append(text)
    mapping = np.asarray([new.index(t) for t in old] or [0], dtype=np.int64)
    return mapping[ids]
