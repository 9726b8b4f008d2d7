"""The LLM task proposer: structured proposals, ids checked, rarest first, all through the constitution."""

from __future__ import annotations

import numpy as np
import pytest

from planners.constitution import Constitution
from planners.llm.proposer import LLMProposer, make_proposer
from planners.proposer import DiversityTracker, TaskProposal, TemplateProposer

from .cases import PROPOSER_CASES, FakeSleep, kitchen, replay_config, transport_of

CASE = PROPOSER_CASES[0]


def _proposer(specs) -> LLMProposer:  # type: ignore[no-untyped-def]
    return LLMProposer(replay_config(CASE), specs, sleep=FakeSleep())


def test_proposals_with_ids_outside_the_scene_are_dropped(specs) -> None:  # type: ignore[no-untyped-def]
    proposer = _proposer(specs)
    proposals = proposer.propose(kitchen(), DiversityTracker(), np.random.default_rng(0), k=20)
    texts = {p.instruction for p in proposals}
    assert "put the laptop in the sink" not in texts and "throw the green mug out of the window" not in texts
    assert (
        len(proposer.dropped) == 2 and "laptop_0" in proposer.dropped[0] and "window" in proposer.dropped[1]
    )
    apple = next(p for p in proposals if "apple" in p.instruction)
    assert apple == TaskProposal("put the red apple in the fruit bowl", "llm:put", "apple", "fruit_bowl")
    assert transport_of(proposer).remaining == 0  # the prose reply was repaired


def test_rarest_first_and_k_respected(specs) -> None:  # type: ignore[no-untyped-def]
    tracker = DiversityTracker()
    tracker.add(TaskProposal("tidy the kitchen", "llm:tidy"))
    tracker.add(TaskProposal("tidy the kitchen", "llm:tidy"))
    proposals = _proposer(specs).propose(kitchen(), tracker, np.random.default_rng(0), k=4)
    assert len(proposals) == 4 and all(p.instruction != "tidy the kitchen" for p in proposals)
    sent = transport_of(_proposer_after(specs, tracker)).sent[0]["body"]["messages"][1]["content"]
    assert "tidy the kitchen" in sent  # the model is told what was collected often


def _proposer_after(specs, tracker):  # type: ignore[no-untyped-def]
    proposer = _proposer(specs)
    proposer.propose(kitchen(), tracker, np.random.default_rng(0))
    return proposer


def test_every_proposal_goes_through_the_constitution(specs) -> None:  # type: ignore[no-untyped-def]
    scene = kitchen()
    proposals = _proposer(specs).propose(scene, DiversityTracker(), np.random.default_rng(0), k=20)
    constitution = Constitution.default()
    verdicts = {p.instruction: constitution.review(p.instruction, scene).accepted for p in proposals}
    assert verdicts["hand the knife to the child"] is False  # the model proposed it; the constitution refuses
    assert verdicts["put the red apple in the fruit bowl"] is True


def test_make_proposer_by_name(specs) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(make_proposer("template", {}, specs), TemplateProposer)
    assert isinstance(make_proposer("llm", replay_config(CASE), specs), LLMProposer)
    with pytest.raises(ValueError, match="unknown proposer 'oracle'"):
        make_proposer("oracle", {}, specs)
    with pytest.raises(ValueError, match="needs a model"):
        make_proposer("llm", {"backend": "transformers"}, specs)
