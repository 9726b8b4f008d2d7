"""Per-run episode records on disk (``episode.json``), episode ids, and the code version stamped on them."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from agentrt import __version__
from agentrt.core.episode import EpisodeRecord


@lru_cache(maxsize=1)
def code_version() -> str:
    """``<package version>+g<git sha>[.dirty]`` when run from a git checkout, else the version."""
    root = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        )
        if sha.returncode != 0:
            return __version__
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        )
        suffix = ".dirty" if dirty.stdout.strip() else ""
        return f"{__version__}+g{sha.stdout.strip()}{suffix}"
    except (OSError, subprocess.SubprocessError):
        return __version__


def new_episode_id(scene: str, seed: int) -> str:
    """A sortable unique id: ``20261121-130501-kitchen-v0-s3-1a2b3c``."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{scene}-s{seed}-{uuid.uuid4().hex[:6]}"


def write_episode(record: EpisodeRecord, directory: Path) -> Path:
    """Write ``record`` as ``directory/episode.json`` atomically (temp file + rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "episode.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record.model_dump(mode="json"), indent=1))
    os.replace(tmp, path)
    return path
