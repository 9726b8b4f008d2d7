"""Replays of real exchanges with the Gemma 3 270M loopback server (``recorded`` cassettes).

Recorded on the contract scene (kitchen-sized prompts were too slow to record on the shared
2-core machine; ``scripts/bench_llm_planner.py --live --record DIR`` records the kitchen set).
A 270M model plans badly; replayed through the real client stack, every reply it gave is
either a plan that passes ``validate_plan`` or is caught and ends in a ``PlanningError``:
nothing it said reaches execution unchecked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentrt.core.plan import PlanningError
from planners.llm.cassette import Cassette
from planners.llm.planner import LLMPlanner
from planners.validate import validate_plan

from .cases import CASSETTES, FakeSleep, scene_named

RECORDINGS = sorted((CASSETTES / "gemma").glob("*.json"))


def test_there_are_real_recordings() -> None:
    assert len(RECORDINGS) >= 2
    assert all(Cassette.load(p).kind == "recorded" for p in RECORDINGS)


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_recorded_gemma_reply_is_checked_before_it_could_run(path: Path, specs) -> None:  # type: ignore[no-untyped-def]
    cassette = Cassette.load(path)
    meta = cassette.meta
    planner = LLMPlanner({**meta["config"], "cassette": path}, sleep=FakeSleep())
    scene = scene_named(meta["scene"])
    if meta["outcome"] == "valid":
        assert validate_plan(planner.plan(meta["instruction"], scene, specs), scene, specs) == []
    else:
        with pytest.raises(PlanningError):
            planner.plan(meta["instruction"], scene, specs)
        assert planner.last.errors == meta["errors"]  # the same mistakes found again, offline
