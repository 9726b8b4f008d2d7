"""Atomic commits of staged files: a journal of renames, rolled forward after a crash.

A commit stages every new file (data, videos, episode metadata, provenance and the new
``info.json``/``stats.json``/``tasks.parquet``) under ``.staging/``, ``fsync``s them, then
writes ``.journal.json`` (itself by ``fsync`` + rename, so it exists whole or not at all)
listing ``[staged, final]`` pairs, performs the renames, and deletes the journal.

- Killed before the journal exists: the staged files are garbage; recovery deletes them.
- Killed after: every staged file is complete, so recovery finishes the renames
  (a pair whose source is gone was already renamed) and deletes the journal.

Final paths of data and video files are always new names, so a commit never rewrites a
committed file; only the small ``meta`` files are replaced, each by one atomic rename.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from agentrt.datasets import constants as K
from agentrt.datasets.errors import DatasetError
from agentrt.datasets.meta import fsync_write


def _rename(src: Path, dst: Path) -> None:
    """One atomic rename (a module function so crash tests can interrupt between renames)."""
    os.replace(src, dst)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(root: Path, moves: list[tuple[str, str]]) -> None:
    """Make the staged files ``moves`` (paths relative to ``root``) visible, atomically."""
    tmp = root / (K.JOURNAL_PATH + ".tmp")
    fsync_write(tmp, json.dumps({"moves": moves}).encode())
    os.replace(tmp, root / K.JOURNAL_PATH)
    fsync_dir(root)
    apply(root, moves)


def apply(root: Path, moves: list[tuple[str, str]]) -> None:
    """Perform (or finish) the renames of a journal, then delete it."""
    parents = set()
    for src, dst in moves:
        source, target = root / src, root / dst
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _rename(source, target)
            parents.add(target.parent)
        elif not target.exists():
            raise DatasetError(f"{root}: journal names {src} -> {dst} but neither exists")
    for parent in parents:
        fsync_dir(parent)
    (root / K.JOURNAL_PATH).unlink()
    fsync_dir(root)


def recover(root: Path) -> list[str]:
    """Finish an interrupted commit and drop stale staging; returns what was done, in words."""
    done = []
    journal = root / K.JOURNAL_PATH
    if journal.exists():
        try:
            moves = [tuple(m) for m in json.loads(journal.read_text())["moves"]]
        except (ValueError, KeyError) as exc:
            raise DatasetError(f"{journal} is unreadable: {exc}") from exc
        apply(root, moves)
        done.append(f"finished an interrupted commit of {len(moves)} files")
    (root / (K.JOURNAL_PATH + ".tmp")).unlink(missing_ok=True)
    staging = root / K.STAGING_DIR
    if staging.exists() and any(staging.iterdir()):
        done.append(f"dropped {sum(1 for _ in staging.iterdir())} unfinished episode(s) from staging")
    shutil.rmtree(staging, ignore_errors=True)
    return done


def pending(root: Path) -> list[str]:
    """What :func:`recover` would do, without doing it (for ``resume=False`` and ``verify``)."""
    found = []
    if (root / K.JOURNAL_PATH).exists():
        found.append(f"an interrupted commit ({K.JOURNAL_PATH})")
    staging = root / K.STAGING_DIR
    if staging.exists() and any(staging.iterdir()):
        found.append(f"unfinished episodes in {K.STAGING_DIR}/")
    return found
