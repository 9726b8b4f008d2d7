"""Fixtures for the LLM tests: the registered skills' specs and a fake sleep."""

from __future__ import annotations

import pytest

from agentrt.agent import make_skills
from agentrt.core.skill_spec import SkillSpec

from .cases import FakeSleep


@pytest.fixture(scope="session")
def specs() -> list[SkillSpec]:
    """The registered skills' specs (navigate_to, pick, place)."""
    return [skill.spec() for skill in make_skills().values()]


@pytest.fixture
def fake_sleep() -> FakeSleep:
    return FakeSleep()
