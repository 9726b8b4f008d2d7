"""Every committed VLA checkpoint (shipped or candidate) loads, acts in the scene and has a card."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agentrt.core.registry import SCENES
from skills.vla.artifact import load_policy
from skills.vla.catalog import CHECKPOINT_DIR, families
from tests.skills.vla.helpers import FakeTextEncoder

COMMITTED = sorted(CHECKPOINT_DIR.glob("*.safetensors")) + sorted(
    CHECKPOINT_DIR.glob("candidates/**/*.safetensors")
)


def test_some_checkpoint_is_committed() -> None:
    assert COMMITTED, f"no VLA checkpoint under {CHECKPOINT_DIR}"


@pytest.mark.parametrize("weights", COMMITTED, ids=lambda p: str(p.relative_to(CHECKPOINT_DIR)))
def test_committed_checkpoint_loads_and_acts(weights: Path) -> None:
    scene_id, _, family = weights.stem.rpartition("-")
    assert family in families(), f"{weights.name}: family {family!r} is not one of {sorted(families())}"
    card = weights.with_suffix(".md").read_text()
    for section in ("## Data", "## Training", "## Evaluation", "## Limitations", "agentrt train vla"):
        assert section in card, f"{weights.with_suffix('.md').name} lacks {section!r}"
    policy = load_policy(weights, text_encoder=FakeTextEncoder())
    assert policy.config.name == family and set(policy.config.skills) == set(families()[family])
    assert weights.stat().st_size < 50e6  # tens of MB at most
    env = SCENES.get(scene_id)()
    try:
        obs, _ = env.reset(seed=0)
        chunk = policy.predict_chunk(obs, "go to the kitchen sink")
    finally:
        env.close()
    assert chunk.shape == (policy.config.chunk_size, policy.config.action_dim)
    assert np.isfinite(chunk).all()
