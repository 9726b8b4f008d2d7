"""Glue between the agent and the dataset: every run's frames go into a LeRobot v3 dataset.

:class:`DatasetRecorder` is an :class:`~agentrt.agent.AgentObserver` that streams each
10 Hz step (the observation before the action, the action, the running skill and its
language instruction, the subgoal index) into an open :class:`DatasetWriter` episode.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentrt.agent import AgentObserver
from agentrt.core.plan import Subgoal
from agentrt.datasets import DatasetWriter
from agentrt.datasets.meta import is_dataset
from skills.base import StepEvent


def open_or_create(root: Path, features: Mapping[str, Any], *, fps: int, robot_type: str) -> DatasetWriter:
    """Append to the dataset at ``root`` (recovering a killed writer's leftovers) or create it.

    Raises:
        agentrt.datasets.DatasetError: unwritable root, locked by another writer, or a
            dataset whose features differ (e.g. another scene's).
    """
    if is_dataset(root):
        return DatasetWriter(root, features, resume=True)
    return DatasetWriter(root, features, fps=fps, robot_type=robot_type)


class DatasetRecorder(AgentObserver):
    """Streams every agent step into the writer's open episode."""

    def __init__(self, writer: DatasetWriter) -> None:
        self.writer = writer
        self.subgoal = 0

    def on_subgoal_start(self, index: int, subgoal: Subgoal) -> None:
        self.subgoal = index

    def on_step(self, event: StepEvent) -> None:
        self.writer.add_frame(
            event.obs, event.action, task=event.instruction, skill=event.skill, subgoal_index=self.subgoal
        )
