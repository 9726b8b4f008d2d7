"""Committing collected episodes to the LeRobot v3 dataset, and reading back what is there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agentrt.collect.worker import CollectedEpisode
from agentrt.datasets import DatasetWriter, provenance_from_record
from agentrt.datasets import constants as K


class DatasetSink:
    """Writes each :class:`CollectedEpisode` as one atomic dataset episode.

    The episode's provenance carries the AutoRT fields: the proposed task, every
    proposal reviewed before it (accepted or rejected, with rule and reason), and the
    template/object/place it was about, so a resumed run can rebuild its diversity counts.
    """

    def __init__(self, writer: DatasetWriter) -> None:
        self.writer = writer

    def committed(self) -> Iterator[dict[str, Any]]:
        """The collection fields of every committed episode (``seed``, ``task``, ``task_template``...)."""
        folder = self.writer.root / K.PROVENANCE_DIR
        for path in sorted(folder.glob("episode-*.json")) if folder.is_dir() else []:
            prov = json.loads(path.read_text())
            yield {"seed": prov.get("seed"), "task": prov.get("instruction"), **prov.get("extra", {})}

    def commit(self, episode: CollectedEpisode) -> int:
        """Write ``episode``'s frames and provenance; returns its episode index."""
        assert episode.record is not None and episode.proposal is not None
        self.writer.begin_episode(task=episode.proposal.instruction)
        try:
            for frame in episode.frames:
                self.writer.add_frame(
                    frame.obs,
                    frame.action,
                    task=frame.task,
                    skill=frame.skill,
                    subgoal_index=frame.subgoal_index,
                )
        except BaseException:
            if self.writer.in_episode:
                self.writer.discard_episode()
            raise
        provenance = provenance_from_record(
            episode.record, proposals={"proposed": [vars(p) for p in episode.proposals]}
        )
        provenance["extra"].update(
            task_template=episode.proposal.template,
            task_object=episode.proposal.object,
            task_place=episode.proposal.place,
            collect_wall_time_s=round(episode.wall_time_s, 3),
        )
        return self.writer.end_episode(episode.success, provenance)

    @property
    def root(self) -> Path:
        return self.writer.root
