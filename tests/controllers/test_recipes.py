"""Contract test over every registered controller training recipe (``RECIPES``)."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from agentrt.core.registry import RECIPES
from controllers.recipes import Recipe

NAMES = RECIPES.names()


def test_the_shipped_recipes_are_registered() -> None:
    assert {"a1-locomotion", "humanoid-balance"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_recipe_is_well_formed(name: str) -> None:
    recipe = RECIPES.get(name)
    assert isinstance(recipe, Recipe) and recipe.name == name
    assert recipe.kind in {"locomotion", "balance"} and recipe.default_steps > 0 and recipe.description
    starts = [s.start for s in recipe.stages]
    assert starts[0] == 0.0 and starts == sorted(starts) and all(0.0 <= s < 1.0 for s in starts)
    assert recipe.ppo.batch_size > 0 and recipe.ppo.n_steps > 0


@pytest.mark.parametrize("name", NAMES)
def test_every_stage_builds_an_env_that_passes_the_gymnasium_checker(name: str) -> None:
    recipe = RECIPES.get(name)
    for stage in recipe.stages:
        env = recipe.make_env(stage.env_config)
        try:
            check_env(env, skip_render_check=True)
            obs, _ = env.reset(seed=0)
            obs, reward, terminated, truncated, _ = env.step(np.zeros(env.action_space.shape, np.float32))
            assert env.observation_space.contains(obs) and np.isfinite(reward)
        finally:
            env.close()
