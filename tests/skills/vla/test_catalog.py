"""Checkpoint discovery and building the learned skill set for a scene."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from skills.learned import LearnedNavigate, LearnedPick, LearnedPlace
from skills.vla import catalog
from skills.vla.catalog import CheckpointError, learned_skills, load_chunk_policy, shipped_checkpoints
from tests.skills.vla.helpers import tiny_artifact


def _touch(directory: Path, *names: str) -> None:
    for name in names:
        (directory / name).write_bytes(b"")


def test_shipped_checkpoints_maps_families_and_single_skill_overrides(tmp_path: Path) -> None:
    _touch(tmp_path, "kitchen-v0-manipulation.safetensors", "kitchen-v0-navigation.safetensors")
    _touch(tmp_path, "kitchen-v0-place.safetensors", "house-v0-navigation.safetensors")
    found = shipped_checkpoints("kitchen-v0", tmp_path)
    assert found == {
        "navigate_to": tmp_path / "kitchen-v0-navigation.safetensors",
        "pick": tmp_path / "kitchen-v0-manipulation.safetensors",
        "place": tmp_path / "kitchen-v0-place.safetensors",
    }
    assert shipped_checkpoints("house-v0", tmp_path) == {
        "navigate_to": tmp_path / "house-v0-navigation.safetensors"
    }
    assert shipped_checkpoints("tabletop-v0", tmp_path) == {}


def test_no_checkpoint_for_the_scene_is_a_clear_error(tmp_path: Path) -> None:
    _touch(tmp_path, "kitchen-v0-navigation.safetensors")
    with pytest.raises(CheckpointError, match="no learned checkpoint for pick, place in scene 'kitchen-v0'"):
        learned_skills("kitchen-v0", directory=tmp_path)
    with pytest.raises(CheckpointError, match="navigate_to, pick, place"):
        learned_skills("nowhere-v0")
    with pytest.raises(ValueError, match="no learned skill named"):
        learned_skills("kitchen-v0", {"fly": tmp_path / "x.safetensors"}, directory=tmp_path)


def test_learned_skills_load_each_checkpoint_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fakes: SimpleNamespace
) -> None:
    _touch(tmp_path, "kitchen-v0-manipulation.safetensors", "kitchen-v0-navigation.safetensors")
    loads: list[Path] = []

    def fake_load(path: Path, action_keys: tuple[str, ...]):  # type: ignore[no-untyped-def]
        loads.append(path)
        keys = ("base",) if "navigation" in path.name else ("arm",)
        return fakes.ScriptedChunkPolicy(lambda s, t: np.zeros((4, 7)), action_keys=keys)

    monkeypatch.setattr(catalog, "load_chunk_policy", fake_load)
    mine = tmp_path / "mine.safetensors"
    skills = learned_skills("kitchen-v0", {"place": mine}, directory=tmp_path)
    assert {k: type(v) for k, v in skills.items()} == {
        "navigate_to": LearnedNavigate,
        "pick": LearnedPick,
        "place": LearnedPlace,
    }
    assert sorted(p.name for p in loads) == sorted(
        ["kitchen-v0-manipulation.safetensors", "kitchen-v0-navigation.safetensors", "mine.safetensors"]
    )
    assert skills["place"].checkpoint == str(mine)
    assert skills["pick"].policy is not skills["place"].policy

    loads.clear()
    skills = learned_skills("kitchen-v0", directory=tmp_path)
    assert len(loads) == 2 and skills["pick"].policy is skills["place"].policy


def test_load_chunk_policy_errors(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        load_chunk_policy(tmp_path / "missing.safetensors")
    with pytest.raises(CheckpointError, match="has no config.json"):
        load_chunk_policy(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load_chunk_policy(tmp_path)


def test_learned_skills_from_real_artifacts(tmp_path: Path) -> None:
    manip = tiny_artifact(tmp_path / "kitchen-v0-manipulation", "manipulation")
    tiny_artifact(tmp_path / "kitchen-v0-navigation", "navigation")
    skills = learned_skills("kitchen-v0", directory=tmp_path)
    assert skills["pick"].policy is skills["place"].policy
    assert skills["pick"].policy.chunk_size == 4 and skills["pick"].checkpoint == str(manip)
    assert tuple(skills["navigate_to"].policy.action_keys) == ("base",)
    with pytest.raises(ValueError, match="action_keys"):  # a navigation model cannot drive pick
        learned_skills("kitchen-v0", {"pick": tmp_path / "kitchen-v0-navigation"}, directory=tmp_path)
    (tmp_path / "kitchen-v0-navigation.json").unlink()
    with pytest.raises(CheckpointError, match="incomplete"):
        load_chunk_policy(tmp_path / "kitchen-v0-navigation.safetensors")
