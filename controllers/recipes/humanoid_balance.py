"""Recipe ``humanoid-balance``: DeepMimic humanoid posture holding and push recovery, PPO residual on a prior.

The policy outputs a low-pass filtered joint residual (up to 0.15 rad per DOF) on top of the posture
prior (leg inverse kinematics that keeps the centre of mass over the feet), which alone
holds the commanded posture but falls to moderate pushes; PPO learns the feedback —
ankle, hip and arm strategies — rather than standing from scratch. Stage 1 (first 20%
of the steps): pushes up to 20 N·s every ~4 s, nominal robot. Stage 2: pushes up to
35 N·s every ~3 s, ground friction 0.7–1.2, pelvis mass −2…+4 kg, initial joint
offsets up to 0.05 rad. Without stepping, a push much beyond ~25 N·s on the pelvis moves
the centre of mass past what ankle and hip torques can stop over 18 cm feet, so harder
pushes would only add unrecoverable episodes. Observation and reward:
``controllers/balance/terms.py``.
"""

from __future__ import annotations

from typing import Any

from agentrt.core.registry import RECIPES
from controllers.balance.env import BalanceEnvConfig, HumanoidBalanceEnv, Pushes, Randomization
from controllers.recipes.base import PPOSettings, Recipe, Stage

GENTLE = BalanceEnvConfig(
    robot="humanoid", randomization=Randomization(pushes=Pushes(interval_s=4.0, impulse_ns=(0.0, 20.0)))
)
RANDOMIZED = BalanceEnvConfig(
    robot="humanoid",
    randomization=Randomization(
        friction=(0.7, 1.2),
        added_mass_kg=(-2.0, 4.0),
        pushes=Pushes(interval_s=3.0, impulse_ns=(0.0, 35.0)),
        joint_noise_rad=0.05,
    ),
)


def make_env(config: dict[str, Any]) -> HumanoidBalanceEnv:
    """One training env."""
    return HumanoidBalanceEnv(config)


RECIPE = Recipe(
    name="humanoid-balance",
    kind="balance",
    make_env=make_env,
    stages=(Stage(0.0, GENTLE.model_dump()), Stage(0.2, RANDOMIZED.model_dump())),
    ppo=PPOSettings(n_steps=512, batch_size=512, n_epochs=5, learning_rate=3e-4, hidden=[128, 128]),
    default_steps=800_000,
    description=__doc__.splitlines()[0],
)
RECIPES.add(RECIPE.name, RECIPE)
