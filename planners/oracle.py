"""The oracle describer: the simulator's ground truth as the scene description."""

from __future__ import annotations

from typing import Any

from agentrt.core.registry import DESCRIBERS
from agentrt.core.scene import SceneDescription
from planners.base import Describable, Describer, DescriberConfig


class OracleDescriberConfig(DescriberConfig):
    """The oracle describer takes no settings."""


@DESCRIBERS.register("oracle")
class OracleDescriber(Describer):
    """Returns ``env.unwrapped.describe()``: exact objects, places and robot state.

    ``env`` is any object whose ``unwrapped`` attribute (or itself, when it has none)
    has a ``describe()`` method returning a :class:`SceneDescription`; scenes are never
    imported here.
    """

    Config = OracleDescriberConfig
    name = "oracle"

    def describe(self, env: Any) -> SceneDescription:
        inner = getattr(env, "unwrapped", env)
        if not isinstance(inner, Describable):
            raise TypeError(f"{type(inner).__name__} has no describe() method; the oracle needs a scene env")
        scene = inner.describe()
        if not isinstance(scene, SceneDescription):
            raise TypeError(f"describe() returned {type(scene).__name__}, expected SceneDescription")
        return scene
