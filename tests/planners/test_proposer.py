"""The template proposer: candidates from the scene, rarest first, all plannable."""

from __future__ import annotations

import numpy as np
import pytest

from agentrt.testing import fixture_scene
from planners.proposer import DiversityTracker, TaskProposal, TemplateProposer, TemplateProposerConfig

SCENE = fixture_scene(
    [("mug_0", "red mug", "mug", "counter", "sink"), ("apple_0", "green apple", "apple", "sink", "sink")],
    ["counter", "sink"],
    robot_at="counter",
)


def test_candidates_cover_every_template_once() -> None:
    tasks = [p.instruction for p in TemplateProposer().candidates(SCENE)]
    assert len(tasks) == len(set(tasks))
    assert "tidy up" in tasks
    assert "put the red mug back where it belongs" in tasks
    assert "put the green apple back where it belongs" not in tasks  # already home
    assert "put the red mug in the sink" in tasks and "put the red mug in the counter" not in tasks
    assert "clear the counter" in tasks and "clear the sink" not in tasks  # nothing misplaced there
    assert "go to the sink" in tasks and "go to the counter" not in tasks  # already there


def test_tracker_makes_rarer_tasks_come_first() -> None:
    proposer, tracker = TemplateProposer(TemplateProposerConfig(templates=("pick",))), DiversityTracker()
    first = proposer.propose(SCENE, tracker, np.random.default_rng(0), k=2)
    assert {p.instruction for p in first} == {"pick up the red mug", "pick up the green apple"}
    tracker.add(TaskProposal("pick up the red mug", "pick", "mug"))
    again = proposer.propose(SCENE, tracker, np.random.default_rng(0), k=2)
    assert again[0].instruction == "pick up the green apple"
    assert tracker.summary() == {"distinct_tasks": 1, "templates": 1, "object_categories": 1, "places": 0}


def test_score_known_answer() -> None:
    tracker = DiversityTracker()
    task = TaskProposal("put the red mug in the sink", "put", "mug", "sink")
    tracker.add(task)
    tracker.add(TaskProposal("go to the sink", "go", None, "sink"))
    assert tracker.score(task) == 3 * 1 + 1 + 1 + 2


def test_unknown_template_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown task templates"):
        TemplateProposer(TemplateProposerConfig(templates=("juggle",)))
