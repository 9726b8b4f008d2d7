"""Training frames of one skill family, read from a LeRobot v3 dataset into fast arrays.

:func:`load_training_data` keeps the frames whose ``skill`` is in ``config.skills`` and
builds, per frame ``t`` of a skill segment (one subgoal of one episode):

- ``images``: ``(N, K, 3, S, S)`` uint8, the ``K`` cameras resized to ``S`` with the same
  :func:`resize_images` the policy uses; decoded once and kept in a memory-mapped cache
  file (``cache_dir``), reused while the dataset and the image settings are unchanged;
- ``states`` ``(N, config.state_width)`` (``config.prepare_state``: angles wrapped or as
  sin/cos) and ``actions`` ``(N, A)`` (the model's action dims) float32, env units;
- ``chunks`` ``(N, T)`` int64 and ``chunk_valid`` ``(N, T)`` bool: frame ``t``'s chunk is
  frames ``t .. t+T-1``; rows past the end of the *segment* (the next skill's actions) are
  invalid and repeat the segment's last frame;
- ``text_ids`` ``(N,)`` into ``texts`` (distinct instructions) and ``episodes`` ``(N,)``;
- ``goals`` ``(N, 3)`` float32 and ``goal_valid`` ``(N,)`` bool (arm models): where the
  segment's gripper acts, the end-effector position (m, base frame) at the first frame whose
  gripper command differs from the segment's first (:func:`gripper_goals`); the target of
  the auxiliary goal loss (``VLAConfig.goal_weight``);
- ``goal_offsets`` ``(N, 3)`` float32 (``VLAConfig.goal_frame`` models): in a grasp, where the arm's
  setpoint is at frame ``t`` relative to where it is when the gripper closes
  (:func:`setpoint_offsets`), which moves position targets into the goal's frame (zero in
  places, whose targets stay relative to the setpoint); chunks of grasps that never close are
  invalid in such models.

This module reads datasets through :mod:`agentrt.datasets` (the runtime's LeRobot
reader), the one place in ``skills`` that does: training is fed by the runtime's logs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from rich.progress import Progress

from agentrt.datasets import constants as K
from agentrt.datasets.errors import DatasetError
from agentrt.datasets.meta import DatasetMeta
from agentrt.datasets.torch_dataset import EpisodeDataset
from agentrt.datasets.video import decode_range
from skills.vla.config import ACTION_GROUPS, ARM_POS, EE_POS, GRIPPER_DIM, VLAConfig
from skills.vla.vision import resize_images


@dataclass
class TrainingData:
    """See the module docstring for every array's shape and meaning."""

    images: np.ndarray
    states: np.ndarray
    actions: np.ndarray
    chunks: np.ndarray
    chunk_valid: np.ndarray
    text_ids: np.ndarray
    texts: list[str]
    episodes: np.ndarray
    goals: np.ndarray | None = None
    goal_valid: np.ndarray | None = None
    goal_offsets: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.states)

    def targets(self, idx: np.ndarray, position_targets: bool = False) -> np.ndarray:
        """Chunk targets of frames ``idx`` ``(B,)``: ``(B, T, A)`` float32, env units
        (:func:`chunk_targets`); with ``goal_offsets``, position targets are relative to the goal."""
        out = chunk_targets(self.actions, self.chunks[idx], self.chunk_valid[idx], position_targets)
        if position_targets and self.goal_offsets is not None:
            out[..., ARM_POS] += self.goal_offsets[idx][:, None]
        return out

    def split(self, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Frame indices ``(train, val)``, split by whole episodes (at least one each when possible)."""
        unique = np.unique(self.episodes)
        n_val = 0 if len(unique) < 2 else min(len(unique) - 1, max(1, round(val_fraction * len(unique))))
        if val_fraction <= 0:
            n_val = 0
        val_eps = np.random.default_rng(seed).permutation(unique)[:n_val]
        is_val = np.isin(self.episodes, val_eps)
        return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def select_frames(columns: dict[str, np.ndarray], skill_ids: list[int]) -> np.ndarray:
    """Global indices of the frames produced by one of ``skill_ids``, ascending."""
    return np.flatnonzero(np.isin(columns[K.SKILL_INDEX], skill_ids))


def chunk_windows(segment: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """For frames ``0..N-1`` with segment ids ``segment`` ``(N,)`` (contiguous runs), the chunk indices.

    Returns ``(N, horizon)`` indices ``t .. t+horizon-1`` clamped to the last frame of
    ``t``'s segment, and ``(N, horizon)`` validity (false where clamped).
    """
    n = len(segment)
    starts = np.ones(n, dtype=bool)
    starts[1:] = segment[1:] != segment[:-1]
    seg_id = np.cumsum(starts) - 1
    ends = np.append(np.flatnonzero(starts)[1:], n)  # exclusive end of each segment
    last = ends[seg_id] - 1
    raw = np.arange(n)[:, None] + np.arange(horizon)[None]
    return np.minimum(raw, last[:, None]), raw <= last[:, None]


def chunk_targets(
    actions: np.ndarray, chunks: np.ndarray, valid: np.ndarray, position_targets: bool = False
) -> np.ndarray:
    """What each chunk's rows should say: ``(B, T, A)`` float32, env units.

    ``actions`` ``(N, A)``, ``chunks`` ``(B, T)`` indices into it and ``valid`` ``(B, T)`` (see
    :func:`chunk_windows`). Row ``i`` is the action of frame ``t + i``; with ``position_targets``
    (:attr:`VLAConfig.position_targets`) the arm's xyz of row ``i`` is instead the sum of the
    per-step deltas of rows ``0..i``: where the commanded end effector is after row ``i``, relative
    to where it was commanded at ``t``. Invalid rows add nothing (they repeat the last sum).
    """
    out = np.array(actions[chunks], dtype=np.float32)
    if position_targets:
        steps = np.where(valid[..., None], out[..., ARM_POS], 0.0)
        out[..., ARM_POS] = np.cumsum(steps, axis=1)
    return out


def gripper_goals(
    segment: np.ndarray, ee_pos: np.ndarray, gripper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, the end-effector position where its segment's gripper command first flips.

    Args:
        segment: ``(N,)`` segment ids, each segment one contiguous run.
        ee_pos: ``(N, 3)`` end-effector positions (m, base frame).
        gripper: ``(N,)`` gripper commands (``> 0`` close).

    Returns:
        ``(N, 3)`` goals (every frame of a segment gets the position at the segment's first
        frame whose command is on the other side of zero than its first frame's: the grasp
        of a pick, the release of a place) and ``(N,)`` validity, false in segments that
        never flip (their goal rows are zero).
    """
    n = len(segment)
    goals, valid = np.zeros((n, 3), np.float32), np.zeros(n, bool)
    closed = np.asarray(gripper) > 0
    starts = np.flatnonzero(np.concatenate([[True], segment[1:] != segment[:-1]]))
    for lo, hi in zip(starts, np.append(starts[1:], n), strict=True):
        flips = np.flatnonzero(closed[lo:hi] != closed[lo])
        if len(flips):
            goals[lo:hi], valid[lo:hi] = ee_pos[lo + flips[0]], True
    return goals, valid


def setpoint_offsets(
    segment: np.ndarray, steps: np.ndarray, gripper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per frame of a grasp (a segment that starts with the gripper open), where the arm's commanded
    end effector is relative to where it is at the segment's first gripper flip (the frame
    :func:`gripper_goals` takes the goal from).

    The setpoint moves by exactly each recorded step (``scenes.robots.panda.PandaArm.apply``), so
    ``S_t - S_f`` is a sum of the steps between ``t`` and the flip ``f``: minus the steps of frames
    ``t .. f-1`` before it, plus those of ``f .. t-1`` after. At the flip the hand rests where it
    closes, so ``S_f`` is the measured goal to a few millimetres (on 348 recorded picks and places
    the reconstructed ``S_0 - S_f`` matches the measured ``ee_0 - ee_f`` to 1.8 mm median, 5 mm at
    most), and a position target plus this offset is the target relative to the goal.

    Args:
        segment: ``(N,)`` segment ids, each segment one contiguous run.
        steps: ``(N, 3)`` the arm's per-step xyz deltas (m, base frame).
        gripper: ``(N,)`` gripper commands (``> 0`` close).

    Returns:
        ``(N, 3)`` float32 offsets (m) and ``(N,)`` whether the frame is a grasp's. Offsets are
        zero elsewhere, and in grasps that never close (their ``goal_valid`` is false).
    """
    n = len(segment)
    out, grasp = np.zeros((n, 3), np.float32), np.zeros(n, bool)
    closed = np.asarray(gripper) > 0
    starts = np.flatnonzero(np.concatenate([[True], segment[1:] != segment[:-1]]))
    for lo, hi in zip(starts, np.append(starts[1:], n), strict=True):
        if closed[lo]:
            continue  # a place: the goal is the goal head's guess, so its rows keep the setpoint frame
        grasp[lo:hi] = True
        flips = np.flatnonzero(closed[lo:hi])
        if len(flips):
            before = np.concatenate([np.zeros((1, 3)), np.cumsum(steps[lo:hi], axis=0)[:-1]])  # sum before t
            out[lo:hi] = before - before[flips[0]]
    return out, grasp


def pick_starts(
    episodes: np.ndarray, text_ids: np.ndarray, gripper: np.ndarray, valid: np.ndarray
) -> np.ndarray:
    """Indices of the first frame of every skill segment that starts with the gripper open (a pick)
    and has a goal; a segment starts where the episode or the instruction changes."""
    starts = np.ones(len(episodes), bool)
    starts[1:] = (episodes[1:] != episodes[:-1]) | (text_ids[1:] != text_ids[:-1])
    return np.flatnonzero(starts & (gripper < 0) & valid)


def relabelled_episodes(meta: DatasetMeta) -> set[int]:
    """Indices of the episodes of dataset ``meta`` whose actions are an expert's labels of states a
    learner visited (DAgger, :mod:`skills.vla.dagger`: provenance ``extra.dagger``)."""
    out = set()
    for row in meta.episodes:
        path = row.get(K.EP_PROVENANCE)
        if path and (Path(meta.root) / path).is_file():
            extra = json.loads((Path(meta.root) / path).read_text()).get("extra") or {}
            if "dagger" in extra:
                out.add(int(row[K.EPISODE_INDEX]))
    return out


def load_training_data(
    root: str | Path,
    config: VLAConfig,
    cache_dir: str | Path,
    progress: bool = True,
    relabelled_rows: int = 0,
) -> TrainingData:
    """Read ``config``'s frames of the dataset at ``root``; images come from (or go to) ``cache_dir``.

    With ``relabelled_rows > 0``, chunks starting in a relabelled episode (:func:`relabelled_episodes`)
    keep only their first ``relabelled_rows`` rows valid: each label there is the expert's answer
    in one state the learner reached, so later rows string together answers to states the
    learner, not the expert, led to, which is no plan the expert would follow.

    Raises:
        DatasetError: the dataset is unreadable, has no skill column, lacks a camera, or
            holds no frame of ``config.skills``.
    """
    ds = EpisodeDataset(root, video_keys=())
    meta, cols = ds.meta, ds.columns
    if K.SKILL_INDEX not in cols or not meta.skills:
        raise DatasetError(f"{root}: frames carry no skill column; cannot pick {config.skills}")
    video_keys = [f"{K.OBS_IMAGES}.{camera}" for camera in config.cameras]
    missing = [k for k in video_keys if k not in meta.video_keys]
    if missing:
        raise DatasetError(f"{root}: no cameras {missing}; the dataset has {meta.video_keys}")
    skill_ids = [i for i, name in enumerate(meta.skills) if name in config.skills]
    frames = select_frames(cols, skill_ids)
    if len(frames) == 0:
        raise DatasetError(f"{root}: no frames of skills {list(config.skills)}; it has {meta.skills}")
    episodes = cols[K.EPISODE_INDEX][frames]
    # a new segment wherever the episode or subgoal changes or a frame of another skill intervenes
    segment_key = episodes * 1_000_003 + cols[K.SUBGOAL_INDEX][frames]
    gaps = np.concatenate([[0], np.cumsum(np.diff(frames) != 1)])
    segment = segment_key * 1_000_003 + gaps
    chunks, valid = chunk_windows(segment, config.chunk_size)
    if relabelled_rows:
        relabelled = np.isin(episodes, sorted(relabelled_episodes(meta)))
        valid[relabelled, relabelled_rows:] = False
    task_ids = cols[K.TASK_INDEX][frames]
    used = np.unique(task_ids)
    crops = [config.crops.get(camera) for camera in config.cameras]
    images = _image_cache(ds, frames, video_keys, config.image_size, crops, Path(cache_dir), progress)
    goals = goal_valid = offsets = None
    if config.use_goal:
        first, width = ACTION_GROUPS["arm"]
        arm = cols[K.ACTION][frames][:, first : first + width]
        gripper = arm[:, GRIPPER_DIM]
        goals, goal_valid = gripper_goals(segment, cols[K.OBS_STATE][frames][:, EE_POS], gripper)
        if not goal_valid.any():
            raise DatasetError(f"{root}: no segment of {list(config.skills)} ever flips the gripper")
        if config.goal_frame:
            offsets, grasp = setpoint_offsets(segment, arm[:, ARM_POS], gripper)
            valid[grasp & ~goal_valid] = False  # a grasp that never closes has no goal to be relative to
    return TrainingData(
        images=images,
        states=config.prepare_state(cols[K.OBS_STATE][frames].astype(np.float32)),
        actions=cols[K.ACTION][frames][:, config.action_columns].astype(np.float32),
        chunks=chunks,
        chunk_valid=valid,
        text_ids=np.searchsorted(used, task_ids),
        texts=[meta.tasks[int(i)] for i in used],
        episodes=episodes,
        goals=goals,
        goal_valid=goal_valid,
        goal_offsets=offsets,
    )


def _image_cache(
    ds: EpisodeDataset,
    frames: np.ndarray,
    video_keys: list[str],
    size: int,
    crops: list[tuple[float, float, float] | None],
    cache_dir: Path,
    progress: bool,
) -> np.ndarray:
    """``(N, K, 3, size, size)`` uint8 memory map of the selected frames, built on first use.

    ``crops[k]`` is camera ``k``'s crop for :func:`resize_images` (``None``: whole frame).
    """
    meta = ds.meta
    manifest = {
        "dataset": str(Path(meta.root).resolve()),
        "total_frames": int(meta.total_frames),
        "episodes": len(meta.episodes),
        "frames": hashlib.sha1(frames.astype(np.int64).tobytes()).hexdigest(),
        "video_keys": video_keys,
        "size": size,
        **({"crops": [None if c is None else list(c) for c in crops]} if any(crops) else {}),
    }
    digest = hashlib.sha1(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:16]
    cache_dir.mkdir(parents=True, exist_ok=True)
    data_path, done_path = cache_dir / f"images-{digest}.u8", cache_dir / f"images-{digest}.json"
    shape = (len(frames), len(video_keys), 3, size, size)
    if done_path.is_file() and data_path.is_file() and data_path.stat().st_size == int(np.prod(shape)):
        return np.memmap(data_path, dtype=np.uint8, mode="r", shape=shape)
    out = np.memmap(data_path, dtype=np.uint8, mode="w+", shape=shape)
    position = {int(g): i for i, g in enumerate(frames)}
    by_episode = {
        int(e): frames[ds.columns[K.EPISODE_INDEX][frames] == e]
        for e in np.unique(ds.columns[K.EPISODE_INDEX][frames])
    }
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("decoding camera frames", total=len(by_episode))
        for episode, members in by_episode.items():
            row = meta.episodes[episode]
            lo = row[K.EP_FROM]
            for k, key in enumerate(video_keys):
                decoded = decode_range(
                    meta.episode_video_file(row, key),
                    row[K.video_column(key, "from_timestamp")],
                    row[K.video_column(key, "to_timestamp")],
                    meta.fps,
                )
                if len(decoded) != row[K.EP_LENGTH]:
                    raise DatasetError(
                        f"episode {episode}: {key} decodes to {len(decoded)} frames, "
                        f"expected {row[K.EP_LENGTH]}"
                    )
                picked = torch.from_numpy(decoded[members - lo])
                rows = [position[int(g)] for g in members]
                out[rows[0] : rows[-1] + 1, k] = resize_images(picked, size, crops[k]).numpy()
            bar.advance(task)
    out.flush()
    done_path.write_text(json.dumps(manifest, indent=1) + "\n")
    return np.memmap(data_path, dtype=np.uint8, mode="r", shape=shape)
