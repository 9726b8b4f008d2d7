"""Recipe ``a1-locomotion``: Unitree A1 velocity tracking, PPO residual on a trot generator.

The policy outputs a joint-angle residual (up to 0.3 rad) on top of an open-loop trot
that already steps at the commanded velocity (PMTG-style), so PPO learns feedback —
balance, slip and drift correction — rather than walking from scratch. Stage 1 (first
half of the steps) is flat ground with a nominal robot; stage 2 adds mild
randomisation: friction 0.6–1.2, trunk mass −0.5…+1.5 kg, planar pushes up to
0.3 m/s every ~6 s, and 2 cm terrain bumps.
"""

from __future__ import annotations

from typing import Any

from agentrt.core.registry import RECIPES
from controllers.locomotion.env import LocomotionEnvConfig, QuadrupedLocomotionEnv, Randomization
from controllers.recipes.base import PPOSettings, Recipe, Stage

FLAT = LocomotionEnvConfig(robot="a1")
RANDOMIZED = LocomotionEnvConfig(
    robot="a1",
    randomization=Randomization(
        friction=(0.6, 1.2),
        added_mass_kg=(-0.5, 1.5),
        push_interval_s=6.0,
        push_velocity=0.3,
        bump_height_m=0.02,
    ),
)


def make_env(config: dict[str, Any]) -> QuadrupedLocomotionEnv:
    """One training env."""
    return QuadrupedLocomotionEnv(config)


RECIPE = Recipe(
    name="a1-locomotion",
    kind="locomotion",
    make_env=make_env,
    stages=(Stage(0.0, FLAT.model_dump()), Stage(0.5, RANDOMIZED.model_dump())),
    ppo=PPOSettings(n_steps=1024, batch_size=2048, n_epochs=5, learning_rate=3e-4, hidden=[128, 128]),
    default_steps=2_000_000,
    description=__doc__.splitlines()[0],
)
RECIPES.add(RECIPE.name, RECIPE)
