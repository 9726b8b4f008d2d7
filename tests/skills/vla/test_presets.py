"""Contract test over every registered VLA preset (``PRESETS``): a family a learned skill set can run."""

from __future__ import annotations

import pytest

from skills.learned import LEARNED_SKILLS
from skills.vla.catalog import families
from skills.vla.config import PRESETS, VLAConfig, preset
from skills.vla.model import VLAModel

NAMES = PRESETS.names()


def test_the_shipped_families_are_presets() -> None:
    assert families() == {"manipulation": ("pick", "place"), "navigation": ("navigate_to",)}


@pytest.mark.parametrize("name", NAMES)
def test_a_preset_names_itself_and_drives_learned_skills_of_its_action_group(name: str) -> None:
    config = PRESETS.get(name)
    assert isinstance(config, VLAConfig) and config.name == name
    for skill in config.skills:
        assert skill in LEARNED_SKILLS, f"preset {name} trains {skill}, which has no learned skill"
        assert tuple(LEARNED_SKILLS[skill].action_keys) == tuple(config.action_keys)


@pytest.mark.parametrize("name", NAMES)
def test_a_preset_builds_a_network(name: str) -> None:
    model = VLAModel(preset(name, d_model=32, enc_layers=1, cnn_widths=(8, 8, 8, 8)))
    assert sum(p.numel() for p in model.parameters()) > 0


def test_an_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown preset 'juggling'; known presets: manipulation, navigation"):
        preset("juggling")
