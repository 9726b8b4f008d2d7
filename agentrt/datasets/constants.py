"""Every key, path template and default of the LeRobotDataset v3.0 layout, in one place.

Layout of a dataset root (``{chunk_index:03d}``/``{file_index:03d}`` as in lerobot)::

    meta/info.json                                  schema, fps, counters, path templates
    meta/stats.json                                 mean/std/min/max/count per feature
    meta/tasks.parquet                              task (index) <-> task_index
    meta/skills.parquet                             skill (index) <-> skill_index   (agentrt extra)
    meta/episodes/chunk-XXX/file-XXX.parquet        one row per episode: length, tasks, offsets
    meta/provenance/episode-XXXXXX.json             who/what/why of each episode   (agentrt extra)
    data/chunk-XXX/file-XXX.parquet                 one row per frame
    videos/<video_key>/chunk-XXX/file-XXX.mp4       H.264 frames, episodes back to back
    .staging/  .journal.json  .lock                 writer internals (absent when idle)
"""

from __future__ import annotations

from typing import Final

CODEBASE_VERSION: Final = "v3.0"
DEFAULT_CHUNK_SIZE: Final = 1000
"""Files per ``chunk-XXX`` folder."""
DEFAULT_DATA_FILE_SIZE_IN_MB: Final = 100
DEFAULT_VIDEO_FILE_SIZE_IN_MB: Final = 200

INFO_PATH: Final = "meta/info.json"
STATS_PATH: Final = "meta/stats.json"
TASKS_PATH: Final = "meta/tasks.parquet"
SKILLS_PATH: Final = "meta/skills.parquet"
EPISODES_DIR: Final = "meta/episodes"
PROVENANCE_DIR: Final = "meta/provenance"
DATA_DIR: Final = "data"
VIDEO_DIR: Final = "videos"
CHUNK_FILE_PATTERN: Final = "chunk-{chunk_index:03d}/file-{file_index:03d}"
EPISODES_PATH: Final = EPISODES_DIR + "/" + CHUNK_FILE_PATTERN + ".parquet"
DATA_PATH: Final = DATA_DIR + "/" + CHUNK_FILE_PATTERN + ".parquet"
VIDEO_PATH: Final = VIDEO_DIR + "/{video_key}/" + CHUNK_FILE_PATTERN + ".mp4"
PROVENANCE_PATH: Final = PROVENANCE_DIR + "/episode-{episode_index:06d}.json"

STAGING_DIR: Final = ".staging"
JOURNAL_PATH: Final = ".journal.json"
LOCK_PATH: Final = ".lock"

# frame columns
OBS_STATE: Final = "observation.state"
OBS_IMAGES: Final = "observation.images"
ACTION: Final = "action"
TIMESTAMP: Final = "timestamp"
FRAME_INDEX: Final = "frame_index"
EPISODE_INDEX: Final = "episode_index"
INDEX: Final = "index"
TASK_INDEX: Final = "task_index"
SKILL_INDEX: Final = "skill_index"
"""agentrt extra: id into ``meta/skills.parquet`` of the skill that produced the frame."""
SUBGOAL_INDEX: Final = "subgoal_index"
"""agentrt extra: which subgoal of the episode (0, 1, ...) the frame belongs to."""

INDEX_COLUMNS: Final = (TIMESTAMP, FRAME_INDEX, EPISODE_INDEX, INDEX, TASK_INDEX)
"""The columns lerobot adds to every dataset."""
EXTRA_COLUMNS: Final = (SKILL_INDEX, SUBGOAL_INDEX)

DEFAULT_FEATURES: Final = {
    TIMESTAMP: {"dtype": "float32", "shape": [1], "names": None},
    FRAME_INDEX: {"dtype": "int64", "shape": [1], "names": None},
    EPISODE_INDEX: {"dtype": "int64", "shape": [1], "names": None},
    INDEX: {"dtype": "int64", "shape": [1], "names": None},
    TASK_INDEX: {"dtype": "int64", "shape": [1], "names": None},
    SKILL_INDEX: {"dtype": "int64", "shape": [1], "names": None},
    SUBGOAL_INDEX: {"dtype": "int64", "shape": [1], "names": None},
}

CAMERAS: Final = {"head_rgb": "head", "wrist_rgb": "wrist"}
"""Scene observation key -> camera name in ``observation.images.<camera>``."""
STATE_OBS_KEY: Final = "state"

# episodes-metadata columns
EP_LENGTH: Final = "length"
EP_TASKS: Final = "tasks"
EP_FROM: Final = "dataset_from_index"
EP_TO: Final = "dataset_to_index"
EP_DATA_CHUNK: Final = "data/chunk_index"
EP_DATA_FILE: Final = "data/file_index"
EP_META_CHUNK: Final = "meta/episodes/chunk_index"
EP_META_FILE: Final = "meta/episodes/file_index"
EP_SUCCESS: Final = "success"
EP_PROVENANCE: Final = "provenance"
STAT_NAMES: Final = ("min", "max", "mean", "std", "count")


def video_column(video_key: str, what: str) -> str:
    """``videos/<key>/<what>`` with ``what`` in chunk_index, file_index, from_timestamp, to_timestamp."""
    return f"videos/{video_key}/{what}"


def stats_column(key: str, stat: str) -> str:
    """``stats/<key>/<stat>``: per-episode statistics in the episodes metadata, as lerobot stores them."""
    return f"stats/{key}/{stat}"
