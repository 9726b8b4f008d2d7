"""``agentrt collect --proposer llm``: the worker proposes with a chat model, the constitution reviews."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentrt.collect.worker import EpisodeWorker, WorkerConfig
from planners.constitution import Constitution
from planners.llm.proposer import LLMProposer
from planners.proposer import DiversityTracker

CASSETTE = Path(__file__).parents[2] / "planners" / "llm" / "cassettes" / "proposer" / "kitchen-tasks.json"
REPLAY = {"model": "authored-stand-in", "base_url": "http://authored.invalid/v1", "cassette": str(CASSETTE)}


@pytest.mark.slow
def test_worker_collects_an_llm_proposed_task_after_review() -> None:
    config = WorkerConfig(proposer="llm", proposer_config=REPLAY, max_proposals=8)
    worker = EpisodeWorker(config, Constitution.default())
    try:
        assert isinstance(worker.proposer, LLMProposer)
        episode = worker.run(0, DiversityTracker())
    finally:
        worker.close()
    assert episode.proposal is not None and episode.proposal.template.startswith("llm:")
    reviewed = {v.task: v for v in episode.proposals}
    if "hand the knife to the child" in reviewed:  # reviewed before anything moved, and refused
        assert not reviewed["hand the knife to the child"].accepted
    assert episode.frames and episode.record is not None


def test_unknown_proposer_fails_when_the_worker_is_built() -> None:
    with pytest.raises(ValueError, match="unknown proposer"):
        EpisodeWorker(WorkerConfig(proposer="crystal-ball"), Constitution.default())
