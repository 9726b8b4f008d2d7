"""PyBullet worlds: robots, scenes (Gymnasium envs), success predicates.

Use :func:`make` to build a registered scene by name (``"kitchen-v0"``, ``"tabletop-v0"``).
"""

from __future__ import annotations

from typing import Any

import gymnasium
from gymnasium.wrappers import TimeLimit

from agentrt.core.registry import SCENES

__all__ = ["SceneTimeLimit", "gym_id", "make"]


class SceneTimeLimit(TimeLimit):
    """Gymnasium's ``TimeLimit`` that also forwards the scene API (``describe``, ``facts``,
    ``get_obs``, ``scene_id``) to the wrapped scene."""

    def describe(self):  # noqa: ANN201 - SceneDescription
        return self.env.unwrapped.describe()

    def facts(self):  # noqa: ANN201 - frozenset of atoms
        return self.env.unwrapped.facts()

    def get_obs(self):  # noqa: ANN201 - observation dict
        return self.env.unwrapped.get_obs()

    @property
    def scene_id(self) -> str:
        return self.env.unwrapped.scene_id


def make(name: str, *, max_episode_steps: int | None = None, time_limit: bool = True, **kwargs: Any):
    """Build the scene registered as ``name`` (``SCENES``), wrapped in :class:`SceneTimeLimit`.

    Args:
        name: registered scene id, e.g. ``"kitchen-v0"``.
        max_episode_steps: truncation horizon in 10 Hz steps (default: the scene's own).
        time_limit: set False to get the bare environment.
        **kwargs: constructor arguments (config fields, ``gui``, ``render_mode``).
    """
    env_cls = SCENES.get(name)
    env = env_cls(**kwargs)
    if not time_limit:
        return env
    return SceneTimeLimit(env, max_episode_steps or env_cls.max_episode_steps)


def gym_id(scene: str) -> str:
    """The Gymnasium id of a registered scene: ``"kitchen-v0"`` -> ``"agentrt/Kitchen-v0"``."""
    name, _, version = scene.rpartition("-")
    return f"agentrt/{name.title().replace('-', '')}-{version}"


# Gymnasium ids, registered as data with lazy ``module:Class`` entry points: importing
# ``scenes`` is enough for ``gymnasium.make("agentrt/Kitchen-v0")``; nothing heavy loads
# until an env is made. Keyed by the ``SCENES`` name, with each class's ``max_episode_steps``;
# ``tests/scenes/test_gym_registration.py`` checks every registered scene has its id here.
_GYM_SCENES = {
    "kitchen-v0": ("scenes.kitchen:KitchenEnv", 3000),
    "tabletop-v0": ("scenes.tabletop:TabletopEnv", 500),
    "house-v0": ("scenes.house:HouseEnv", 3000),
}
for _scene, (_entry, _steps) in _GYM_SCENES.items():
    if gym_id(_scene) not in gymnasium.registry:
        gymnasium.register(id=gym_id(_scene), entry_point=_entry, max_episode_steps=_steps)
