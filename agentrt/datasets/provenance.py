"""Per-episode provenance: why the episode exists, what ran, how success was judged.

Stored as ``meta/provenance/episode-XXXXXX.json`` beside the episodes metadata (whose
``provenance`` column holds that relative path). The writer fills :attr:`Provenance.segments`
from the frames themselves; the caller supplies the rest as a :class:`ProvenanceInput` dict.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProvenanceInput(BaseModel):
    """What the runtime knows about an episode beyond its frames; every field optional."""

    model_config = ConfigDict(extra="forbid")

    instruction: str | None = Field(default=None, description="top-level instruction or proposed task")
    scene: str | None = Field(default=None, description="scene id, e.g. kitchen-v0")
    scene_description: dict[str, Any] | None = Field(
        default=None, description="initial SceneDescription dump"
    )
    proposals: dict[str, Any] | None = Field(
        default=None,
        description="autonomous collection: tasks proposed and rejected, each rejection with rule and reason",
    )
    plans: list[dict[str, Any]] = Field(default_factory=list, description="first plan, then each replan")
    subgoals: list[dict[str, Any]] = Field(default_factory=list, description="executed subgoal records")
    skill_impls: dict[int, str] = Field(
        default_factory=dict, description="subgoal index -> class or checkpoint that ran it"
    )
    handoffs: list[dict[str, Any]] = Field(default_factory=list, description="controller hand-offs")
    success_decided_by: str | None = Field(default=None, description="how the success label was decided")
    seed: int | None = None
    code_version: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict, description="anything else worth keeping")


class Segment(BaseModel):
    """A run of consecutive frames from one subgoal (one skill call)."""

    model_config = ConfigDict(extra="forbid")

    subgoal_index: int
    skill: str
    task: str
    from_frame: int = Field(description="first frame_index of the segment")
    to_frame: int = Field(description="one past the last frame_index")
    impl: str | None = Field(default=None, description="class or checkpoint that produced the frames")


class Provenance(ProvenanceInput):
    """The stored record: the input plus what the writer knows."""

    episode_index: int
    length: int
    success: bool
    segments: list[Segment]


def segments_of(
    tasks: list[str], skills: list[str], subgoals: list[int], impls: dict[int, str]
) -> list[Segment]:
    """Split per-frame labels into runs of equal ``(subgoal_index, skill, task)``."""
    segments: list[Segment] = []
    for i, key in enumerate(zip(subgoals, skills, tasks, strict=True)):
        if segments and (segments[-1].subgoal_index, segments[-1].skill, segments[-1].task) == key:
            segments[-1].to_frame = i + 1
            continue
        segments.append(
            Segment(
                subgoal_index=key[0],
                skill=key[1],
                task=key[2],
                from_frame=i,
                to_frame=i + 1,
                impl=impls.get(key[0]),
            )
        )
    return segments


def provenance_from_record(record: Any, **extra: Any) -> dict[str, Any]:
    """A :class:`ProvenanceInput` dict from an :class:`agentrt.core.episode.EpisodeRecord`.

    ``extra`` goes through as fields (``proposals=...``, ``handoffs=[...]``).
    """
    subgoals = [s.model_dump(mode="json") for s in record.subgoals]
    return {
        "instruction": record.instruction,
        "scene": record.scene,
        "scene_description": record.initial_scene.model_dump(mode="json"),
        "plans": [p.model_dump(mode="json") for p in record.plans],
        "subgoals": subgoals,
        "skill_impls": {s.index: s.skill_impl for s in record.subgoals},
        "success_decided_by": record.success_decided_by,
        "seed": record.seed,
        "code_version": record.code_version,
        "extra": {
            "episode_id": record.episode_id,
            "status": record.status,
            "reason": record.reason,
            "replans": record.replans,
            "describer": record.describer,
            "planner": record.planner,
            "robot": getattr(record, "robot", None),
        },
        **extra,
    }
