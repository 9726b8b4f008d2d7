"""What a training recipe is: an env factory per curriculum stage and PPO settings.

One readable file per recipe (``controllers/recipes/<name>.py``) builds a :class:`Recipe`;
:mod:`controllers.train` runs any of them. Add a recipe by copying
``a1_locomotion.py`` (it registers its ``RECIPE`` in ``RECIPES``) and advertising the module under
``[project.entry-points."agentrt.recipes"]`` in ``pyproject.toml``, as plugins do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
from pydantic import BaseModel, ConfigDict, Field


class PPOSettings(BaseModel):
    """stable-baselines3 PPO hyperparameters (per env: ``n_steps`` transitions per rollout)."""

    model_config = ConfigDict(extra="forbid")

    n_steps: int = 1024
    batch_size: int = 2048
    n_epochs: int = 5
    learning_rate: float = 3e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_range: float = 0.2
    ent_coef: float = 0.0
    max_grad_norm: float = 1.0
    hidden: list[int] = Field(default_factory=lambda: [128, 128])
    activation: str = "elu"
    log_std_init: float = -1.0
    clip_obs: float = 10.0


@dataclass(frozen=True)
class Stage:
    """A curriculum stage: from ``start`` (fraction of the run's steps) on, envs use ``env_config``."""

    start: float
    env_config: dict[str, Any]


@dataclass(frozen=True)
class Recipe:
    """A named way to train one controller."""

    name: str
    kind: str
    """What the controller does: 'locomotion' or 'balance'."""
    make_env: Callable[[dict[str, Any]], gym.Env]
    """Builds one training env from a stage's config."""
    stages: tuple[Stage, ...]
    ppo: PPOSettings = field(default_factory=PPOSettings)
    default_steps: int = 2_000_000
    description: str = ""

    def stage_at(self, progress: float) -> Stage:
        """The stage in force at ``progress`` in [0, 1] of the run."""
        current = self.stages[0]
        for stage in self.stages:
            if progress >= stage.start:
                current = stage
        return current
