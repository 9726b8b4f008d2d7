"""Skill sets: auto/learned/scripted resolution and the collection policy's learned share."""

from __future__ import annotations

from pathlib import Path

import pytest

import skills.vla.catalog as catalog
from agentrt.collect.worker import EpisodeWorker, WorkerConfig
from agentrt.skill_sets import (
    SkillSetUnavailable,
    effective_skill_set,
    parse_policy,
    resolve_skill_set,
)
from skills.learned import LearnedNavigate, LearnedPick, LearnedPlace
from skills.scripted.pick import ScriptedPick
from tests.skills.vla.helpers import tiny_artifact


@pytest.fixture
def no_checkpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(catalog, "CHECKPOINT_DIR", tmp_path)
    return tmp_path


@pytest.fixture
def shipped(no_checkpoints: Path) -> Path:
    """Real (untrained, tiny) kitchen-v0 checkpoints of both families in a checkpoint folder."""
    tiny_artifact(no_checkpoints / "kitchen-v0-manipulation", "manipulation")
    tiny_artifact(no_checkpoints / "kitchen-v0-navigation", "navigation")
    return no_checkpoints


def test_auto_is_scripted_when_the_scene_ships_no_checkpoint(no_checkpoints: Path) -> None:
    kind, skills = resolve_skill_set("auto", "kitchen-v0")
    assert kind == "scripted" and isinstance(skills["pick"], ScriptedPick)
    with pytest.raises(SkillSetUnavailable, match="no learned checkpoint for navigate_to, pick, place"):
        resolve_skill_set("learned", "kitchen-v0")


def test_auto_is_learned_when_checkpoints_ship_and_other_skills_stay(shipped: Path) -> None:
    kind, skills = resolve_skill_set("auto", "kitchen-v0")
    assert kind == "learned"
    assert (type(skills["navigate_to"]), type(skills["pick"]), type(skills["place"])) == (
        LearnedNavigate,
        LearnedPick,
        LearnedPlace,
    )
    assert skills["pick"].checkpoint == str(shipped / "kitchen-v0-manipulation.safetensors")
    assert resolve_skill_set("scripted", "kitchen-v0")[0] == "scripted"
    assert effective_skill_set("auto", "house-v0") == "scripted"  # checkpoints are per scene


def test_a_given_checkpoint_overrides_and_a_bad_one_is_refused(shipped: Path, tmp_path: Path) -> None:
    mine = tiny_artifact(tmp_path / "mine", "manipulation")
    _, skills = resolve_skill_set("learned", "kitchen-v0", {"pick": mine})
    assert skills["pick"].checkpoint == str(mine) and skills["place"].checkpoint != str(mine)
    with pytest.raises(SkillSetUnavailable, match="no checkpoint at"):
        resolve_skill_set("learned", "kitchen-v0", {"pick": tmp_path / "missing.safetensors"})
    with pytest.raises(SkillSetUnavailable, match="unknown skill set 'vla'"):
        resolve_skill_set("vla", "kitchen-v0")


@pytest.mark.parametrize(
    ("text", "share"), [("scripted", 0.0), ("learned", 1.0), ("mix:0.25", 0.25), ("mix:0", 0.0)]
)
def test_parse_policy_known_answers(text: str, share: float) -> None:
    assert parse_policy(text) == share


@pytest.mark.parametrize("text", ["mix:1.5", "mix:-0.1", "mix:half", "vla", ""])
def test_parse_policy_rejects(text: str) -> None:
    with pytest.raises(SkillSetUnavailable, match="mix:P"):
        parse_policy(text)


def test_mixed_collection_picks_the_set_per_episode_from_its_seed(shipped: Path) -> None:
    from planners.constitution import Constitution

    worker = EpisodeWorker(WorkerConfig(policy="mix:0.5"), Constitution.default())
    try:
        assert set(worker.skill_sets) == {"scripted", "learned"}
        chosen = [worker.skill_set_for(seed) for seed in range(200)]
        assert chosen == [worker.skill_set_for(seed) for seed in range(200)]  # a rerun picks the same
        assert 80 < chosen.count("learned") < 120  # about the asked share
        assert isinstance(worker.skill_sets["learned"]["pick"], LearnedPick)
    finally:
        worker.close()
