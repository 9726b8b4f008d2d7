"""Task proposal for autonomous collection (AutoRT's "what could I do here?").

The :class:`TemplateProposer` turns a scene description into candidate language tasks
from its objects and places, and ranks them so that under-represented tasks come
first, using the running counts of a :class:`DiversityTracker`. Every proposal still
goes through the robot constitution and the planner before anything moves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.scene import ObjectInfo, PlaceInfo, SceneDescription


@dataclass(frozen=True)
class TaskProposal:
    """One candidate task: the instruction and what it is about (for diversity counts)."""

    instruction: str
    template: str
    object: str | None = None
    """Object category the task is about, if any."""
    place: str | None = None
    """Place id the task is about, if any."""


class DiversityTracker(BaseModel):
    """Counts of collected tasks: by instruction, template, object category and place."""

    model_config = ConfigDict(extra="forbid")

    tasks: Counter[str] = Field(default_factory=Counter)
    templates: Counter[str] = Field(default_factory=Counter)
    objects: Counter[str] = Field(default_factory=Counter)
    places: Counter[str] = Field(default_factory=Counter)

    def add(self, proposal: TaskProposal) -> None:
        """Count one collected episode of ``proposal``."""
        self.tasks[proposal.instruction] += 1
        self.templates[proposal.template] += 1
        if proposal.object:
            self.objects[proposal.object] += 1
        if proposal.place:
            self.places[proposal.place] += 1

    def score(self, proposal: TaskProposal) -> float:
        """Lower is rarer: repeats of the exact task weigh most, then its parts."""
        return (
            3.0 * self.tasks[proposal.instruction]
            + self.templates[proposal.template]
            + (self.objects[proposal.object] if proposal.object else 0)
            + (self.places[proposal.place] if proposal.place else 0)
        )

    def summary(self) -> dict[str, int]:
        """Distinct tasks, templates, object categories and places seen so far."""
        return {
            "distinct_tasks": len(self.tasks),
            "templates": len(self.templates),
            "object_categories": len(self.objects),
            "places": len(self.places),
        }


class TemplateProposerConfig(BaseModel):
    """Which task templates to propose."""

    model_config = ConfigDict(extra="forbid")

    templates: tuple[str, ...] = Field(
        default=("tidy", "put_back", "put", "bring", "clear", "pick", "go"),
        description="template names to draw from (see TemplateProposer.TEMPLATES)",
    )


class TemplateProposer:
    """Proposes tasks from a scene's objects and places, rarest first.

    Args:
        config: which templates to use.
    """

    TEMPLATES: dict[str, str] = {
        "tidy": "tidy up",
        "put_back": "put the {object} back where it belongs",
        "put": "put the {object} in the {place}",
        "bring": "bring the {object} to the {place}",
        "clear": "clear the {place}",
        "pick": "pick up the {object}",
        "go": "go to the {place}",
    }

    def __init__(self, config: TemplateProposerConfig | None = None) -> None:
        self.config = config or TemplateProposerConfig()
        unknown = set(self.config.templates) - set(self.TEMPLATES)
        if unknown:
            raise ValueError(f"unknown task templates {sorted(unknown)}; known: {sorted(self.TEMPLATES)}")

    def candidates(self, scene: SceneDescription) -> list[TaskProposal]:
        """Every task the templates yield in ``scene`` (deduplicated, scene order)."""
        wanted = set(self.config.templates)
        out: list[TaskProposal] = []
        receptacles = [p for p in scene.places if p.receptacle]
        if "tidy" in wanted and scene.misplaced():
            out.append(TaskProposal(self.TEMPLATES["tidy"], "tidy"))
        for obj in scene.objects:
            if obj.held:
                continue
            if "put_back" in wanted and obj.misplaced:
                out.append(self._make("put_back", obj))
            if "pick" in wanted:
                out.append(self._make("pick", obj))
            for place in receptacles:
                if place.id == obj.location:
                    continue
                for name in ("put", "bring"):
                    if name in wanted:
                        out.append(self._make(name, obj, place))
        occupied = {o.location for o in scene.objects if o.location and o.misplaced}
        for place in scene.places:
            if "clear" in wanted and place.id in occupied:
                out.append(self._make("clear", None, place))
            if "go" in wanted and scene.robot.mobile and place.id != scene.robot.at:
                out.append(self._make("go", None, place))
        return list(dict.fromkeys(out))

    def propose(
        self, scene: SceneDescription, tracker: DiversityTracker, rng: np.random.Generator, k: int = 8
    ) -> list[TaskProposal]:
        """Up to ``k`` candidates, rarest first (ties broken by ``rng``)."""
        pool = self.candidates(scene)
        noise = rng.random(len(pool))
        order = sorted(range(len(pool)), key=lambda i: (tracker.score(pool[i]), noise[i]))
        return [pool[i] for i in order[:k]]

    def _make(self, template: str, obj: ObjectInfo | None, place: PlaceInfo | None = None) -> TaskProposal:
        text = self.TEMPLATES[template].format(
            object=obj.name if obj else "", place=place.name if place else ""
        )
        return TaskProposal(text, template, obj.category if obj else None, place.id if place else None)
