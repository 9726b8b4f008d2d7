"""Shared pieces of the controller tests."""

from __future__ import annotations

from collections.abc import Callable

import gymnasium as gym
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize


def tiny_ppo(make_env: Callable[[], gym.Env]) -> tuple[PPO, VecNormalize]:
    """A small PPO model after one 64-step update, so weights and normalisation are off their init values."""
    venv = VecNormalize(DummyVecEnv([make_env]), clip_obs=10.0)
    model = PPO(
        "MlpPolicy",
        venv,
        n_steps=64,
        batch_size=64,
        n_epochs=1,
        seed=0,
        device="cpu",
        policy_kwargs={"net_arch": {"pi": [32, 32], "vf": [32, 32]}},
    )
    model.learn(64)
    return model, venv
