"""Fixtures: the real kitchen-v0 seed 0 scene (built once) and the default constitution."""

from __future__ import annotations

import pytest

from agentrt.core.scene import SceneDescription
from planners.constitution import Constitution


@pytest.fixture(scope="session")
def real_kitchen() -> SceneDescription:
    """kitchen-v0 at seed 0, described by the simulator (see evals/phrasings.py)."""
    from agentrt.core.registry import SCENES

    env = SCENES.get("kitchen-v0")()
    try:
        env.reset(seed=0)
        return env.unwrapped.describe()
    finally:
        env.close()


@pytest.fixture(scope="session")
def constitution() -> Constitution:
    return Constitution.default()
