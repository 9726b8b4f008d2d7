"""``DatasetWriter``: append episodes to a LeRobotDataset v3.0 root, each all or nothing.

    writer = DatasetWriter(root, features_from_env(env), fps=10, robot_type="mobile_panda")
    writer.begin_episode(task="put the yellow mug in the sink")
    writer.add_frame(obs, action, skill="pick", subgoal_index=0)   # or add_event(step_event)
    index = writer.end_episode(success=True, provenance={...})     # or discard_episode()
    writer.close()

Each committed episode gets new files (one data file, one MP4 per camera, one episodes
metadata file) and atomically replaced ``meta`` files; see :mod:`agentrt.datasets.journal`.
``merge`` packs many episodes per file later. Images are encoded while they arrive, so
memory holds only the low-dimensional columns of the open episode.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import ValidationError

from agentrt.datasets import constants as K
from agentrt.datasets import journal
from agentrt.datasets.episodes import code_version
from agentrt.datasets.errors import DatasetError
from agentrt.datasets.features import FrameLayout
from agentrt.datasets.meta import (
    DatasetMeta,
    episode_stats_columns,
    episodes_table,
    is_dataset,
    load_meta,
    new_info,
    next_file,
    same_spec,
    string_table,
    write_json,
    write_parquet,
)
from agentrt.datasets.provenance import Provenance, ProvenanceInput, segments_of
from agentrt.datasets.stats import ImageStats, aggregate_stats, stats_to_json, vector_stats
from agentrt.datasets.tables import frames_table
from agentrt.datasets.video import EpisodeVideoEncoder, VideoOptions, frame_times


class DatasetWriter:
    """Appends episodes to the dataset at ``root``; one writer per root (a lock enforces it).

    Args:
        root: dataset directory; created with ``features`` if it holds no dataset yet.
        features: feature spec (see :func:`agentrt.datasets.features_from_env`); needed to
            create, checked against ``meta/info.json`` when appending.
        fps: frame rate of the frames (10 for the policy rate).
        robot_type: free text stored in ``info.json``.
        resume: append to an existing dataset, first finishing or rolling back whatever a
            killed writer left (:meth:`open`). Without it an existing dataset is an error.
        video: encoder settings.

    Raises:
        DatasetError: bad arguments, a locked or unwritable root, a mismatched spec.
    """

    def __init__(
        self,
        root: str | Path,
        features: Mapping[str, Any] | None = None,
        *,
        fps: int = 10,
        robot_type: str | None = None,
        resume: bool = False,
        video: VideoOptions | None = None,
    ) -> None:
        self.root = Path(root)
        self.video = video or VideoOptions()
        self.recovered: list[str] = []
        self._episode: _Episode | None = None
        self._broken: str | None = None
        self._lock = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._lock = _acquire_lock(self.root)
            if is_dataset(self.root):
                if not resume:
                    raise DatasetError(f"{self.root} already holds a dataset; pass resume=True to append")
                self.recovered = journal.recover(self.root)
            else:
                if features is None:
                    raise DatasetError(f"{self.root} holds no dataset; features are needed to create one")
                journal.recover(self.root)
                self._create(dict(features), fps, robot_type)
        except OSError as exc:
            self.close()
            raise DatasetError(f"cannot write the dataset at {self.root}: {_why(exc)}") from exc
        except DatasetError:
            self.close()
            raise
        self.meta: DatasetMeta = load_meta(self.root)
        if features is not None and not same_spec(features, self.meta.features):
            self.close()
            raise DatasetError(f"{self.root}: features differ from the dataset's meta/info.json")
        self.layout = FrameLayout.from_features(self.meta.features)

    @classmethod
    def open(
        cls, root: str | Path, *, resume: bool = True, video: VideoOptions | None = None
    ) -> DatasetWriter:
        """Append to the existing dataset at ``root``.

        With ``resume=True`` (the default) a commit a killed process left half done is
        finished and unfinished episodes in staging are dropped (:attr:`recovered` says
        what was done). With ``resume=False`` such leftovers raise :class:`DatasetError`.
        """
        root = Path(root)
        if not is_dataset(root):
            raise DatasetError(f"not a dataset (no {K.INFO_PATH}): {root}")
        leftovers = journal.pending(root)
        if leftovers and not resume:
            raise DatasetError(f"{root} has {' and '.join(leftovers)}; open with resume=True to recover")
        return cls(root, resume=True, video=video)

    # ------------------------------------------------------------------ episodes
    @property
    def num_episodes(self) -> int:
        return int(self.meta.info["total_episodes"])

    @property
    def in_episode(self) -> bool:
        return self._episode is not None

    def begin_episode(self, task: str | None = None) -> int:
        """Start an episode; ``task`` is the default language task of its frames.

        Returns the index the episode will have if it is committed.
        """
        self._check_usable()
        if self._episode is not None:
            raise DatasetError("an episode is already open; end or discard it first")
        staging = self.root / K.STAGING_DIR / f"ep-{uuid.uuid4().hex[:12]}"
        try:
            staging.mkdir(parents=True)
        except OSError as exc:
            raise DatasetError(f"cannot stage an episode under {self.root}: {_why(exc)}") from exc
        self._episode = _Episode(staging, task)
        return self.num_episodes

    def add_frame(
        self,
        obs: Mapping[str, np.ndarray],
        action: Mapping[str, np.ndarray] | np.ndarray,
        *,
        task: str | None = None,
        skill: str = "",
        subgoal_index: int = 0,
    ) -> None:
        """Append one frame: ``obs`` before ``action`` was applied (scene keys or feature keys).

        Raises:
            DatasetError: no open episode, a value of the wrong shape (the frame is not
                added), or a write failed (the episode is discarded).
        """
        episode = self._require_episode()
        text = task or episode.task
        if not text:
            raise DatasetError("frame has no task: pass task= here or to begin_episode")
        images, vectors = self.layout.frame_values(obs, action)
        try:
            for key, image in images.items():
                episode.encode(key, image, self.meta.fps, self.video)
        except OSError as exc:
            self.discard_episode()
            raise DatasetError(
                f"writing video under {self.root} failed, episode discarded: {_why(exc)}"
            ) from exc
        episode.add(vectors, text, skill, int(subgoal_index))

    def add_event(self, event: Any, subgoal_index: int = 0) -> None:
        """Append a :class:`skills.base.StepEvent` (its ``obs``, ``action``, ``instruction``, ``skill``)."""
        self.add_frame(
            event.obs, event.action, task=event.instruction, skill=event.skill, subgoal_index=subgoal_index
        )

    def discard_episode(self) -> None:
        """Drop the open episode; nothing of it reaches the dataset."""
        if self._episode is not None:
            self._episode.abort()
            self._episode = None

    def end_episode(
        self, success: bool, provenance: Mapping[str, Any] | ProvenanceInput | None = None
    ) -> int:
        """Commit the open episode atomically and return its ``episode_index``.

        Raises:
            DatasetError: no frames, invalid provenance, an encoder that lost frames,
                a full disk or an unwritable directory. The episode is then discarded and
                the dataset is as it was before the call.
        """
        episode = self._require_episode()
        try:
            given = (
                provenance
                if isinstance(provenance, ProvenanceInput)
                else ProvenanceInput(**(provenance or {}))
            )
        except ValidationError as exc:
            raise DatasetError(
                f"invalid provenance: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
            ) from exc
        if episode.length == 0:
            self.discard_episode()
            raise DatasetError("cannot commit an episode without frames")
        try:
            moves, meta = self._stage(episode, success, given)
        except DatasetError:
            self.discard_episode()
            raise
        except (OSError, pa.ArrowException) as exc:
            self.discard_episode()
            raise DatasetError(
                f"staging the episode under {self.root} failed, nothing committed: {_why(exc)}"
            ) from exc
        try:
            journal.commit(self.root, moves)
        except OSError as exc:
            self._broken = f"a commit was interrupted ({_why(exc)}); reopen with DatasetWriter.open(root)"
            raise DatasetError(f"{self.root}: {self._broken}") from exc
        self._episode = None
        episode.abort()
        self.meta = meta
        return meta.episodes[-1][K.EPISODE_INDEX]

    def close(self) -> None:
        """Discard an open episode and release the lock."""
        self.discard_episode()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals
    def _create(self, features: dict[str, Any], fps: int, robot_type: str | None) -> None:
        staged = self.root / K.STAGING_DIR / "create" / "info.json"
        write_json(staged, new_info(features, fps, robot_type))
        journal.commit(self.root, [(str(staged.relative_to(self.root)), K.INFO_PATH)])
        shutil.rmtree(self.root / K.STAGING_DIR, ignore_errors=True)

    def _stage(self, episode: _Episode, success: bool, given: ProvenanceInput) -> tuple[list, DatasetMeta]:
        """Write every file of the commit under staging; return the renames and the new meta."""
        meta, info = self.meta, dict(self.meta.info)
        n, index = episode.length, int(info["total_episodes"])
        start = int(info["total_frames"])
        counts = episode.close_videos()
        for key, path in episode.videos.items():
            decoded = len(frame_times(path))
            if decoded != n or counts[key] != n:
                raise DatasetError(
                    f"{key}: the video holds {decoded} frames for {n} rows (encoder got {counts[key]}); "
                    "episode discarded"
                )
        tasks, skills = list(meta.tasks), list(meta.skills)
        task_ids = [_intern(tasks, t) for t in episode.tasks]
        skill_ids = [_intern(skills, s) for s in episode.skills]
        columns = dict(episode.stacked())
        columns[K.TIMESTAMP] = np.arange(n, dtype=np.float32) / np.float32(meta.fps)
        columns[K.FRAME_INDEX] = np.arange(n, dtype=np.int64)
        columns[K.EPISODE_INDEX] = np.full(n, index, dtype=np.int64)
        columns[K.INDEX] = np.arange(start, start + n, dtype=np.int64)
        columns[K.TASK_INDEX] = np.asarray(task_ids, dtype=np.int64)
        columns[K.SKILL_INDEX] = np.asarray(skill_ids, dtype=np.int64)
        columns[K.SUBGOAL_INDEX] = np.asarray(episode.subgoals, dtype=np.int64)
        ep_stats = {key: vector_stats(values) for key, values in columns.items()}
        ep_stats.update({key: acc.result() for key, acc in episode.image_stats.items()})

        last = meta.episodes[-1] if meta.episodes else None
        chunks = int(info["chunks_size"])

        def position(chunk_col: str, file_col: str) -> tuple[int, int]:
            return next_file(last[chunk_col], last[file_col], chunks) if last else (0, 0)

        row: dict[str, Any] = {
            K.EPISODE_INDEX: index,
            K.EP_TASKS: list(dict.fromkeys(episode.tasks)),
            K.EP_LENGTH: n,
            K.EP_FROM: start,
            K.EP_TO: start + n,
            K.EP_SUCCESS: bool(success),
            K.EP_PROVENANCE: K.PROVENANCE_PATH.format(episode_index=index),
        }
        row[K.EP_DATA_CHUNK], row[K.EP_DATA_FILE] = position(K.EP_DATA_CHUNK, K.EP_DATA_FILE)
        row[K.EP_META_CHUNK], row[K.EP_META_FILE] = position(K.EP_META_CHUNK, K.EP_META_FILE)
        stage = episode.staging
        moves: list[tuple[str, str]] = []

        def move(staged: Path, final: str, new: bool = True) -> None:
            if new and (self.root / final).exists():
                raise DatasetError(f"{self.root / final} exists but no committed episode references it")
            moves.append((str(staged.relative_to(self.root)), final))

        for key, path in episode.videos.items():
            chunk, file = position(K.video_column(key, "chunk_index"), K.video_column(key, "file_index"))
            row[K.video_column(key, "chunk_index")], row[K.video_column(key, "file_index")] = chunk, file
            row[K.video_column(key, "from_timestamp")] = 0.0
            row[K.video_column(key, "to_timestamp")] = n / meta.fps
            move(path, info["video_path"].format(video_key=key, chunk_index=chunk, file_index=file))
        row.update(episode_stats_columns(ep_stats))

        write_parquet(stage / "data.parquet", frames_table(columns, meta.features))
        move(
            stage / "data.parquet",
            info["data_path"].format(chunk_index=row[K.EP_DATA_CHUNK], file_index=row[K.EP_DATA_FILE]),
        )
        write_parquet(stage / "episodes.parquet", episodes_table([row], meta.features))
        move(
            stage / "episodes.parquet",
            K.EPISODES_PATH.format(chunk_index=row[K.EP_META_CHUNK], file_index=row[K.EP_META_FILE]),
        )
        impls = {**_impls_from_subgoals(given.subgoals), **given.skill_impls}
        given = given.model_copy(update={"code_version": given.code_version or code_version()})
        record = Provenance(
            **given.model_dump(),
            episode_index=index,
            length=n,
            success=bool(success),
            segments=segments_of(episode.tasks, episode.skills, episode.subgoals, impls),
        )
        write_json(stage / "provenance.json", record.model_dump(mode="json"))
        move(stage / "provenance.json", row[K.EP_PROVENANCE])

        stats = aggregate_stats([meta.stats, ep_stats]) if meta.stats else ep_stats
        total = index + 1
        info.update(
            total_episodes=total,
            total_frames=start + n,
            total_tasks=len(tasks),
            splits={"train": f"0:{total}"},
        )
        write_parquet(stage / "tasks.parquet", string_table(tasks, "task", K.TASK_INDEX))
        write_parquet(stage / "skills.parquet", string_table(skills, "skill", K.SKILL_INDEX))
        write_json(stage / "stats.json", stats_to_json(stats))
        write_json(stage / "info.json", info)
        for name, final in (
            ("tasks.parquet", K.TASKS_PATH),
            ("skills.parquet", K.SKILLS_PATH),
            ("stats.json", K.STATS_PATH),
            ("info.json", K.INFO_PATH),  # last: it holds the totals readers trust
        ):
            move(stage / name, final, new=False)
        new_meta = DatasetMeta(self.root, info, tasks, skills, [*meta.episodes, row], stats)
        return moves, new_meta

    def _require_episode(self) -> _Episode:
        self._check_usable()
        if self._episode is None:
            raise DatasetError("no open episode: call begin_episode() first")
        return self._episode

    def _check_usable(self) -> None:
        if self._broken:
            raise DatasetError(self._broken)
        if self._lock is None:
            raise DatasetError("the writer is closed")


class _Episode:
    """The open episode: staged videos being encoded plus the low-dimensional columns."""

    def __init__(self, staging: Path, task: str | None) -> None:
        self.staging = staging
        self.task = task
        self.encoders: dict[str, EpisodeVideoEncoder] = {}
        self.videos: dict[str, Path] = {}
        self.image_stats: dict[str, ImageStats] = {}
        self.vectors: dict[str, list[np.ndarray]] = {}
        self.tasks: list[str] = []
        self.skills: list[str] = []
        self.subgoals: list[int] = []

    @property
    def length(self) -> int:
        return len(self.tasks)

    def encode(self, key: str, image: np.ndarray, fps: int, options: VideoOptions) -> None:
        if key not in self.encoders:
            path = self.staging / f"{key}.mp4"
            self.videos[key] = path
            self.encoders[key] = EpisodeVideoEncoder(path, image.shape[0], image.shape[1], fps, options)
            self.image_stats[key] = ImageStats()
        self.encoders[key].write(image)
        self.image_stats[key].update(image)

    def add(self, vectors: dict[str, np.ndarray], task: str, skill: str, subgoal_index: int) -> None:
        for key, value in vectors.items():
            self.vectors.setdefault(key, []).append(value)
        self.tasks.append(task)
        self.skills.append(skill)
        self.subgoals.append(subgoal_index)

    def stacked(self) -> dict[str, np.ndarray]:
        return {key: np.stack(values) for key, values in self.vectors.items()}

    def close_videos(self) -> dict[str, int]:
        return {key: encoder.close() for key, encoder in self.encoders.items()}

    def abort(self) -> None:
        for encoder in self.encoders.values():
            encoder.abort()
        shutil.rmtree(self.staging, ignore_errors=True)
        with contextlib.suppress(OSError):  # the last one out leaves no empty .staging/
            self.staging.parent.rmdir()


def _intern(table: list[str], value: str) -> int:
    if value not in table:
        table.append(value)
    return table.index(value)


def _impls_from_subgoals(subgoals: list[dict[str, Any]]) -> dict[int, str]:
    return {int(s["index"]): str(s["skill_impl"]) for s in subgoals if "index" in s and "skill_impl" in s}


def _acquire_lock(root: Path) -> Any:
    handle = open(root / K.LOCK_PATH, "a+")  # noqa: SIM115 - held for the writer's lifetime
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise DatasetError(f"{root} is being written by another process") from exc
    return handle


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"not writable ({os.strerror(exc.errno)})"
    return f"{type(exc).__name__}: {exc}"
