"""The learned skills' test fakes (:mod:`tests.skills.learned.fakes`) as the ``fakes`` fixture."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.skills.learned.fakes import GraspWorld, ReplayPolicy, ScriptedChunkPolicy


@pytest.fixture
def fakes() -> SimpleNamespace:
    """The fakes, for test modules (conftest modules are not importable by name)."""
    return SimpleNamespace(
        ScriptedChunkPolicy=ScriptedChunkPolicy, ReplayPolicy=ReplayPolicy, GraspWorld=GraspWorld
    )
