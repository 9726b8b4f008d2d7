"""Glue between the agent and the dataset: every run's frames go into a LeRobot v3 dataset.

:class:`DatasetRecorder` is an :class:`~agentrt.agent.AgentObserver` that streams each
10 Hz step (the observation before the action, the action, the running skill and its
language instruction, the subgoal index) into an open :class:`DatasetWriter` episode.
:class:`HandoffRecorder` adds, to each subgoal's record, the commands its skill handed to
the robot's low-level controller (scenes whose robot walks on one expose ``handoffs``,
``controller_name`` and ``drive.fault``; other scenes record nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentrt.agent import AgentObserver
from agentrt.core.episode import Handoff, HandoffSummary, SubgoalRecord
from agentrt.core.plan import Subgoal
from agentrt.datasets import DatasetWriter
from agentrt.datasets.meta import is_dataset
from scenes.protocol import SceneEnv
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


def open_scene_recording(scene: str, root: Path) -> tuple[Any, DatasetWriter]:
    """A fresh ``scene`` env and a writer appending to (or creating) the dataset at ``root``
    with the scene's features, 10 fps: what a script that records runs of its own opens first.

    Raises:
        ValueError: unknown scene, or the dataset cannot be opened (the env is closed again);
            the message says which.
    """
    from agentrt.core.registry import SCENES
    from agentrt.datasets import features_from_env
    from agentrt.datasets.errors import DatasetError

    try:
        env = SCENES.get(scene)()
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None
    try:
        return env, open_or_create(root, features_from_env(env), fps=10, robot_type=scene)
    except DatasetError as exc:
        env.close()
        raise ValueError(str(exc)) from None


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


class HandoffRecorder(AgentObserver):
    """Summarises each subgoal's controller hand-offs into ``SubgoalRecord.handoffs``.

    Args:
        env: the scene (possibly wrapped); its ``handoffs`` list grows by one entry per
            command handed to the controller (``time_s``, ``command``, ``clipped``).
    """

    def __init__(self, env: SceneEnv) -> None:
        self.env = getattr(env, "unwrapped", env)
        self.start = 0
        self.summaries: list[dict[str, Any]] = []
        """Every subgoal's summary with its ``subgoal_index`` (for the episode's provenance)."""

    @property
    def active(self) -> bool:
        """Whether the scene's robot hands commands to a controller."""
        return getattr(self.env, "handoffs", None) is not None and hasattr(self.env, "controller_name")

    def on_subgoal_start(self, index: int, subgoal: Subgoal) -> None:
        if self.active:
            self.start = len(self.env.handoffs)

    def on_subgoal_end(self, record: SubgoalRecord) -> None:
        if not self.active:
            return
        log = self.env.handoffs[self.start :]
        entries = [
            Handoff(
                time_s=round(float(h.time_s), 4),
                command=tuple(float(v) for v in h.command),
                clipped=h.clipped,
            )
            for h in log
        ]
        drive = getattr(self.env, "drive", None)
        record.handoffs = HandoffSummary(
            controller=str(self.env.controller_name),
            count=len(entries),
            clipped=sum(e.clipped for e in entries),
            first=entries[0] if entries else None,
            last=entries[-1] if entries else None,
            fault=getattr(drive, "fault", None),
        )
        self.summaries.append({"subgoal_index": record.index, **record.handoffs.model_dump(mode="json")})
