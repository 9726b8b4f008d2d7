"""All or nothing: SIGKILL mid-episode and mid-commit, full disk, unwritable root, lost frames."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agentrt.datasets import DatasetError, DatasetWriter, load_meta
from agentrt.datasets import meta as meta_mod
from agentrt.datasets import writer as writer_mod
from agentrt.datasets.torch_dataset import EpisodeDataset
from agentrt.datasets.verify import verify

from .helpers import action, add_episode, features, make_dataset, obs

HERE = Path(__file__).parent
MOVES_PER_COMMIT = 9  # 2 videos, data, episodes, provenance, tasks, skills, stats, info


def _run_child(root: Path, body: str) -> subprocess.CompletedProcess:
    """Append a 4-frame episode to ``root`` in a child process that SIGKILLs itself per ``body``."""
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(HERE)!r})
        import helpers
        from agentrt.datasets import DatasetWriter, journal
        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        writer = DatasetWriter.open({str(root)!r})
        """
    ) + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)


def _assert_sound(root: Path, episodes: int, frames: int) -> None:
    meta = load_meta(root)
    assert [e["episode_index"] for e in meta.episodes] == list(range(episodes))
    assert meta.total_frames == frames
    assert verify(root) == []
    assert len(EpisodeDataset(root, n_obs_steps=2, horizon=2)) == frames


def _recover_and_append(root: Path) -> list[str]:
    """Recovery, then one more episode: indices must continue without gap or duplicate."""
    with DatasetWriter.open(root, resume=True) as writer:
        recovered = writer.recovered
        add_episode(writer, writer.num_episodes, 2)
        writer.end_episode(success=True)
    return recovered


def test_sigkill_mid_episode_leaves_no_trace(tmp_path):
    root = make_dataset(tmp_path / "ds", [3, 3])
    body = """
        writer.begin_episode(task="t")
        for f in range(3):
            writer.add_frame(helpers.obs(2, f), helpers.action(2, f))
        die()
    """
    child = _run_child(root, body)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert any((root / ".staging").iterdir())
    with pytest.raises(DatasetError, match="resume=True"):
        DatasetWriter.open(root, resume=False)
    assert verify(root)  # leftovers are reported until recovered
    recovered = _recover_and_append(root)
    assert "dropped 1 unfinished episode(s) from staging" in recovered
    _assert_sound(root, episodes=3, frames=8)


@pytest.mark.parametrize("renames_done", [0, 3, MOVES_PER_COMMIT - 1])
def test_sigkill_mid_commit_rolls_forward(tmp_path, renames_done):
    root = make_dataset(tmp_path / "ds", [3, 3])
    body = f"""
        done = [0]
        real = journal._rename
        def rename(src, dst):
            if done[0] == {renames_done}:
                die()
            done[0] += 1
            real(src, dst)
        journal._rename = rename
        helpers.add_episode(writer, 2, 4)
        writer.end_episode(success=True)
    """
    child = _run_child(root, body)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert (root / ".journal.json").exists()
    recovered = _recover_and_append(root)
    assert any("finished an interrupted commit" in line for line in recovered)
    _assert_sound(root, episodes=4, frames=3 + 3 + 4 + 2)


def test_sigkill_before_the_journal_rolls_back(tmp_path):
    root = make_dataset(tmp_path / "ds", [3, 3])
    body = """
        journal.fsync_write = die  # the journal is the first thing commit writes
        helpers.add_episode(writer, 2, 4)
        writer.end_episode(success=True)
    """
    child = _run_child(root, body)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert not (root / ".journal.json").exists()
    _recover_and_append(root)
    _assert_sound(root, episodes=3, frames=3 + 3 + 2)


def test_full_disk_raises_and_keeps_committed_data(tmp_path, monkeypatch):
    root = make_dataset(tmp_path / "ds", [3, 2])

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with DatasetWriter.open(root) as writer:
        add_episode(writer, 2, 4)
        with monkeypatch.context() as patch:
            patch.setattr(writer_mod, "write_parquet", no_space)
            with pytest.raises(DatasetError, match="no space left"):
                writer.end_episode(success=True)
        assert not writer.in_episode
        _assert_sound(root, episodes=2, frames=5)
        add_episode(writer, 2, 4)  # the writer is still usable once space is back
        assert writer.end_episode(success=True) == 2
    _assert_sound(root, episodes=3, frames=9)


def test_full_disk_while_encoding_discards_the_episode(tmp_path, monkeypatch):
    root = make_dataset(tmp_path / "ds", [2])
    with DatasetWriter.open(root) as writer:
        writer.begin_episode(task="t")
        monkeypatch.setattr(
            writer_mod._Episode, "encode", lambda *a: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full"))
        )

        with pytest.raises(DatasetError, match="discarded: no space left"):
            writer.add_frame(obs(1, 0), action(1, 0))
        assert not writer.in_episode
    _assert_sound(root, episodes=1, frames=2)


def test_unwritable_root_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DatasetError, match="cannot write the dataset"):
        DatasetWriter(blocker / "ds", features())


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_root_keeps_committed_data(tmp_path):
    root = make_dataset(tmp_path / "ds", [2])
    with DatasetWriter.open(root) as writer:
        root.chmod(0o555)
        try:
            with pytest.raises(DatasetError, match="not writable"):
                writer.begin_episode(task="t")
        finally:
            root.chmod(0o755)
    _assert_sound(root, episodes=1, frames=2)


def test_encoder_losing_frames_is_caught_before_commit(tmp_path, monkeypatch):
    root = make_dataset(tmp_path / "ds", [2])
    monkeypatch.setattr(writer_mod, "frame_times", lambda path: [0.0, 0.1])  # 2 of the 3 frames
    with DatasetWriter.open(root) as writer:
        add_episode(writer, 1, 3)
        with pytest.raises(DatasetError, match="2 frames for 3 rows"):
            writer.end_episode(success=True)
    _assert_sound(root, episodes=1, frames=2)
    assert meta_mod.load_meta(root).info["total_episodes"] == 1
