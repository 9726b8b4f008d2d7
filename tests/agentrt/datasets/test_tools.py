"""verify catches corruptions; merge re-indexes and packs (the CLI: tests/agentrt/cli/test_data.py)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from agentrt.datasets import DatasetWriter
from agentrt.datasets.merge import merge
from agentrt.datasets.verify import verify

from .helpers import add_episode, make_dataset


@pytest.fixture
def dataset(tmp_path):
    return make_dataset(tmp_path / "ds", [3, 4, 2])


def test_verify_catches_a_deleted_video(dataset):
    (dataset / "videos/observation.images.head/chunk-000/file-001.mp4").unlink()
    assert any("missing video" in f for f in verify(dataset))


def test_verify_catches_a_truncated_parquet(dataset):
    path = dataset / "data/chunk-000/file-002.parquet"
    path.write_bytes(path.read_bytes()[:100])
    assert any("unreadable Parquet" in f for f in verify(dataset))


def test_verify_catches_an_index_gap(dataset):
    path = dataset / "data/chunk-000/file-001.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    rows[1]["index"] += 10
    pq.write_table(table.from_pylist(rows, schema=table.schema), path)
    faults = verify(dataset)
    assert any("frame index is not 0..8" in f for f in faults)
    assert any("episode 1: rows are not index" in f for f in faults)


def test_verify_catches_a_video_with_a_missing_frame(dataset, tmp_path):
    other = make_dataset(tmp_path / "other", [3, 3, 2])  # episode 1 has 3 frames, not 4
    video = "videos/observation.images.wrist/chunk-000/file-001.mp4"
    (dataset / video).write_bytes((other / video).read_bytes())
    assert any("has 3 video frames for 4 rows" in f for f in verify(dataset))


def test_verify_catches_stale_stats(dataset):
    stats = json.loads((dataset / "meta/stats.json").read_text())
    stats["action"]["mean"][0] += 1.0
    (dataset / "meta/stats.json").write_text(json.dumps(stats))
    assert any("stats.json action differs" in f for f in verify(dataset))


def test_merge_reindexes_and_packs(tmp_path):
    a = make_dataset(tmp_path / "a", [3, 2], tasks=["pick the mug", "open the drawer"])
    b = make_dataset(tmp_path / "b", [4], tasks=["wipe the table"])
    with DatasetWriter.open(b) as writer:  # b's second episode reuses a task of a
        add_episode(writer, 1, 2, task="open the drawer")
        writer.end_episode(success=False)
    meta = merge([a, b], tmp_path / "c")
    assert meta.tasks == ["pick the mug", "open the drawer", "wipe the table"]
    assert [e["episode_index"] for e in meta.episodes] == [0, 1, 2, 3]
    assert [e["dataset_from_index"] for e in meta.episodes] == [0, 3, 5, 9]
    assert {e["data/file_index"] for e in meta.episodes} == {0}  # packed into one file
    rows = pq.read_table(tmp_path / "c/data/chunk-000/file-000.parquet").to_pylist()
    assert [r["index"] for r in rows] == list(range(11))
    assert [r["task_index"] for r in rows] == [0] * 3 + [1] * 2 + [2] * 4 + [1] * 2
    starts = [e["videos/observation.images.head/from_timestamp"] for e in meta.episodes]
    assert starts == pytest.approx([0.0, 0.3, 0.5, 0.9])
    provenance = json.loads((tmp_path / "c/meta/provenance/episode-000002.json").read_text())
    assert provenance["extra"]["merged_from"]["episode_index"] == 0
    assert verify(tmp_path / "c") == []
    # merging a packed dataset cuts episodes out of shared files; appending to it goes on
    again = merge([tmp_path / "c"], tmp_path / "d", file_size_mb=1e-5)
    assert again.total_frames == 11 and verify(tmp_path / "d") == []
    with DatasetWriter.open(tmp_path / "c") as writer:
        add_episode(writer, 4, 3)
        assert writer.end_episode(success=True) == 4
    assert verify(tmp_path / "c") == []
