"""Writer round trip: values, indices, tasks, skills, stats, provenance, layout."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from agentrt.datasets import DatasetError, DatasetWriter, load_meta
from agentrt.datasets.verify import verify

from .helpers import action, add_episode, features, make_dataset, obs


def test_layout_and_info(tmp_path):
    root = make_dataset(tmp_path / "ds", [4, 6])
    info = json.loads((root / "meta/info.json").read_text())
    assert info["codebase_version"] == "v3.0"
    assert info["data_path"] == "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet"
    assert info["video_path"] == "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4"
    assert (info["total_episodes"], info["total_frames"], info["total_tasks"]) == (2, 10, 1)
    assert info["splits"] == {"train": "0:2"}
    assert info["features"]["action"]["names"][:2] == ["arm.dx", "arm.dy"]
    assert info["features"]["action"]["names"][-3:] == ["base.vx", "base.vy", "base.wz"]
    assert info["features"]["observation.images.head"]["dtype"] == "video"
    for rel in (
        "meta/stats.json",
        "meta/tasks.parquet",
        "meta/episodes/chunk-000/file-001.parquet",
        "data/chunk-000/file-001.parquet",
        "videos/observation.images.wrist/chunk-000/file-001.mp4",
        "meta/provenance/episode-000001.json",
    ):
        assert (root / rel).is_file(), rel
    assert not (root / ".staging").exists() and not (root / ".journal.json").exists()
    tasks = pq.read_table(root / "meta/tasks.parquet")
    assert tasks.column_names == ["task_index", "task"]
    assert b"pandas" in tasks.schema.metadata  # lerobot reads it with pandas, task as the index


def test_round_trip_values_and_indices(tmp_path):
    root = make_dataset(tmp_path / "ds", [3, 5], tasks=["pick the mug", "open the drawer"])
    meta = load_meta(root)
    assert meta.tasks == ["pick the mug", "open the drawer"]
    assert meta.skills == ["pick", "place"]
    rows = [r for f in sorted((root / "data").rglob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    assert [r["index"] for r in rows] == list(range(8))
    assert [r["episode_index"] for r in rows] == [0] * 3 + [1] * 5
    assert [r["frame_index"] for r in rows] == [0, 1, 2, 0, 1, 2, 3, 4]
    assert [r["task_index"] for r in rows] == [0] * 3 + [1] * 5
    assert [r["subgoal_index"] for r in rows[3:]] == [0, 0, 1, 1, 1]
    assert [r["skill_index"] for r in rows[3:]] == [0, 0, 1, 1, 1]
    np.testing.assert_allclose([r["timestamp"] for r in rows[3:]], [0, 0.1, 0.2, 0.3, 0.4], atol=1e-6)
    np.testing.assert_array_equal(rows[4]["observation.state"], obs(1, 1)["state"])
    expected_action = np.concatenate([action(1, 2)["arm"], action(1, 2)["base"]])
    np.testing.assert_allclose(rows[5]["action"], expected_action)
    ep = meta.episodes[1]
    assert (ep["dataset_from_index"], ep["dataset_to_index"], ep["length"]) == (3, 8, 5)
    assert (ep["data/chunk_index"], ep["data/file_index"]) == (0, 1)
    assert ep["videos/observation.images.head/from_timestamp"] == 0.0
    assert ep["videos/observation.images.head/to_timestamp"] == pytest.approx(0.5)
    assert ep["tasks"] == ["open the drawer"] and ep["success"] is False
    assert verify(root) == []


def test_arm_only_action_fills_base_with_zeros(tmp_path):
    with DatasetWriter(tmp_path / "ds", features()) as writer:
        writer.begin_episode(task="t")
        writer.add_frame(obs(0, 0), {"arm": np.ones(7, np.float32)}, skill="pick")
        writer.end_episode(success=True)
    row = pq.read_table(tmp_path / "ds/data/chunk-000/file-000.parquet").to_pylist()[0]
    assert row["action"] == [1.0] * 7 + [0.0] * 3


def test_stats_known_answers(tmp_path):
    root = make_dataset(tmp_path / "ds", [2, 4])
    stats = load_meta(root).stats
    # state[1] is the frame index: frames {0,1} and {0,1,2,3} -> mean 1, var (2*0.25+... )
    frames = np.array([0, 1, 0, 1, 2, 3], float)
    assert stats["observation.state"]["mean"][1] == pytest.approx(frames.mean())
    assert stats["observation.state"]["std"][1] == pytest.approx(frames.std())
    assert stats["observation.state"]["min"][0] == 0 and stats["observation.state"]["max"][0] == 1
    assert stats["index"]["mean"] == pytest.approx([2.5]) and stats["index"]["count"] == [6]
    head = stats["observation.images.head"]
    assert np.asarray(head["mean"]).shape == (3, 1, 1)
    values = np.array([0, 10, 40, 50, 60, 70]) / 255  # flat frames, equal pixel counts
    np.testing.assert_allclose(np.asarray(head["mean"]).ravel(), values.mean())
    np.testing.assert_allclose(np.asarray(head["std"]).ravel(), values.std())
    np.testing.assert_allclose(np.asarray(head["max"]).ravel(), 70 / 255)


def test_provenance_and_segments(tmp_path):
    with DatasetWriter(tmp_path / "ds", features()) as writer:
        add_episode(writer, 0, 4, task="put the mug in the sink")
        index = writer.end_episode(
            success=True,
            provenance={
                "instruction": "tidy the kitchen",
                "scene": "kitchen-v0",
                "proposals": {
                    "proposed": ["a", "b"],
                    "rejected": [{"task": "b", "rule": "r1", "reason": "knife"}],
                },
                "skill_impls": {0: "skills.scripted.pick.ScriptedPick", 1: "ckpt/place-v0"},
                "handoffs": [{"frame": 2, "from": "ik", "to": "joint_pd"}],
                "success_decided_by": "simulator predicates",
                "seed": 7,
            },
        )
    record = json.loads((tmp_path / "ds/meta/provenance/episode-000000.json").read_text())
    assert index == 0 and record["success"] is True and record["seed"] == 7
    assert record["proposals"]["rejected"][0]["rule"] == "r1"
    assert record["code_version"]  # filled in when not given
    assert [(s["skill"], s["from_frame"], s["to_frame"], s["impl"]) for s in record["segments"]] == [
        ("pick", 0, 2, "skills.scripted.pick.ScriptedPick"),
        ("place", 2, 4, "ckpt/place-v0"),
    ]


def test_bad_input_is_a_dataset_error(tmp_path):
    root = make_dataset(tmp_path / "ds", [2])
    with pytest.raises(DatasetError, match="already holds a dataset"):
        DatasetWriter(root, features())
    with pytest.raises(DatasetError, match="features"):
        DatasetWriter(tmp_path / "new")
    with DatasetWriter.open(root) as writer:
        with pytest.raises(DatasetError, match="being written"):
            DatasetWriter.open(root)
        with pytest.raises(DatasetError, match="no open episode"):
            writer.add_frame(obs(0, 0), action(0, 0))
        writer.begin_episode(task="t")
        with pytest.raises(DatasetError, match="expected"):
            writer.add_frame({**obs(0, 0), "head_rgb": np.zeros((8, 8, 3), np.uint8)}, action(0, 0))
        with pytest.raises(DatasetError, match="provenance"):
            writer.add_frame(obs(0, 0), action(0, 0))
            writer.end_episode(True, {"no_such_field": 1})
        writer.discard_episode()
    assert load_meta(root).info["total_episodes"] == 1 and verify(root) == []


def test_append_after_reopen_and_discard(tmp_path):
    root = make_dataset(tmp_path / "ds", [2])
    with DatasetWriter.open(root) as writer:
        add_episode(writer, 1, 3)
        writer.discard_episode()
        add_episode(writer, 1, 3)
        assert writer.end_episode(success=True) == 1
    meta = load_meta(root)
    assert [e["episode_index"] for e in meta.episodes] == [0, 1] and meta.total_frames == 5
    assert verify(root) == []
