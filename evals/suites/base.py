"""The suite interface: what one evaluation episode is, fully determined by suite id + seed.

A suite is data plus two small methods. :meth:`Suite.spec` turns a seed into an
:class:`EpisodeSpec` (which scene, which scene settings, tags such as ``k``);
:meth:`Suite.tasks` draws the episode's instructions from the initial scene
description — one :class:`Task` for a single-instruction suite, a chain of them for a
CALVIN-style one. Success is decided by the simulator: a task succeeds when its goal
literals hold in the world after it ran, whatever the planner understood.

Register a subclass with ``@SUITES.register("name-v0")`` beside the class and advertise
its module under ``[project.entry-points."agentrt.suites"]``. Changing what a suite
does (its scene settings, its task drawing, its step caps) means a new version id.
"""

from __future__ import annotations

import zlib
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.registry import SCENES
from agentrt.core.scene import SceneDescription
from agentrt.core.symbolic import parse_literal
from scenes.protocol import SceneEnv


class EpisodeSpec(BaseModel):
    """The world of one episode: everything needed to rebuild it exactly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suite: str = Field(description="suite id, e.g. 'kitchen-tidy-v0'")
    seed: int = Field(ge=0, description="episode seed; also the world seed given to reset()")
    scene: str = Field(description="registered scene id")
    scene_config: dict[str, Any] = Field(default_factory=dict, description="the scene's Config fields")
    tags: dict[str, int | str] = Field(
        default_factory=dict, description="what the episode varies, e.g. {'k': 3}; reports group by them"
    )


class Task(BaseModel):
    """One instruction of an episode and the simulator goal that decides it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instruction: str = Field(description="what the agent is told, e.g. 'put the banana in the fruit bowl'")
    goal: tuple[str, ...] = Field(
        description="ground literals that must hold afterwards, e.g. 'in(banana_0, fruit_bowl)'"
    )
    step_cap: int = Field(gt=0, description="10 Hz policy steps allowed for this task")


class Suite(ABC):
    """Base class of every evaluation suite (see the module docstring).

    Class attributes are the suite's definition; a subclass is rejected when it is
    defined if they are malformed.
    """

    suite_id: ClassVar[str] = ""
    """Versioned id, e.g. ``kitchen-tidy-v0``; equals the registry name."""
    scene: ClassVar[str] = ""
    """Registered scene id the episodes run in."""
    description: ClassVar[str] = ""
    """One line for listings and reports."""
    chain_length: ClassVar[int | None] = None
    """Tasks per episode when they form a chain (CALVIN-style): the next is given only after
    the previous succeeded, in the same world, and reports add the average number of
    consecutive successes. ``None`` for single-instruction suites."""
    group_by: ClassVar[tuple[str, ...]] = ()
    """Tags reported separately (success rate per value), e.g. ``("k",)``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if any(getattr(getattr(cls, name, None), "__isabstractmethod__", False) for name in dir(cls)):
            return  # still abstract (ABCMeta sets __abstractmethods__ only after this hook)
        for attr in ("suite_id", "scene", "description"):
            if not getattr(cls, attr):
                raise TypeError(f"suite class {cls.__qualname__} must set `{attr}`")
        if not cls.suite_id.rsplit("-", 1)[-1].startswith("v"):
            raise TypeError(f"suite id {cls.suite_id!r} must end in a version, e.g. '-v0'")

    @abstractmethod
    def spec(self, seed: int) -> EpisodeSpec:
        """The world of the episode with this seed (pure: same seed, same spec)."""

    @abstractmethod
    def tasks(self, spec: EpisodeSpec, scene: SceneDescription) -> list[Task]:
        """The episode's instructions, drawn deterministically from its initial ``scene``."""

    def make_env(self, spec: EpisodeSpec, *, gui: bool = False) -> Any:
        """A fresh environment for ``spec`` (not yet reset); the caller closes it."""
        return SCENES.get(spec.scene)(spec.scene_config, gui=gui)

    def reset(self, env: SceneEnv, spec: EpisodeSpec) -> dict[str, Any]:
        """Reset ``env`` to the episode's world; returns the first observation."""
        obs, _ = env.reset(seed=spec.seed)
        return obs

    def skills(self, kind: str) -> dict[str, Any] | None:
        """Skill instances for the skill set ``kind``, or ``None`` for the registered ones
        (what every real suite wants; test suites in symbolic worlds return fakes)."""
        return None

    def episode_metrics(self, env: SceneEnv, spec: EpisodeSpec) -> dict[str, float]:
        """Suite-specific scalar metrics read from the world after the episode (none here).

        Locomotion suites add theirs here (tracking error in m/s, falls, ...); reports
        average every key over the episodes, with a 95% interval.
        """
        return {}

    def rng(self, seed: int, purpose: str) -> np.random.Generator:
        """A generator determined by suite id, seed and ``purpose`` only."""
        return np.random.default_rng([zlib.crc32(f"{self.suite_id}/{purpose}".encode()), seed])


def check_task(task: Task, scene: SceneDescription) -> None:
    """Raise ``ValueError`` unless ``task``'s goal parses and names things in ``scene``."""
    known = {o.id for o in scene.objects} | {p.id for p in scene.places}
    for text in task.goal:
        literal = parse_literal(text)
        missing = [a for a in literal.atom[1:] if a not in known]
        if missing:
            raise ValueError(f"goal {text!r} names {missing}, not in scene {scene.scene}")
