"""Train a controller recipe with stable-baselines3 PPO, checkpointing so a killed run resumes.

``OUT/`` holds, while training, ``checkpoint/model.zip`` + ``checkpoint/vecnormalize.pkl``
+ ``checkpoint/state.json`` (rewritten atomically every chunk), and at the end the
artifact ``OUT/<recipe>.safetensors`` + ``OUT/<recipe>.json`` (see
:mod:`controllers.artifact`). Running again with the same ``OUT`` continues from the
last checkpoint; the curriculum stage follows the step count, so a resumed run trains
exactly the stages a straight run would.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecMonitor, VecNormalize

from agentrt.datasets.episodes import code_version
from controllers.artifact import ACTIVATIONS, Policy, export_sb3
from controllers.recipes import Recipe, get_recipe


@dataclass
class TrainReport:
    """What a finished (or interrupted) run did."""

    recipe: str
    steps: int
    wall_time_s: float
    artifact: Path | None
    mean_episode_reward: float | None
    mean_episode_length: float | None


def _make_venv(recipe: Recipe, env_config: dict[str, Any], envs: int, seed: int, subprocess: bool) -> VecEnv:
    factories: list[Callable[[], Any]] = [lambda c=env_config: recipe.make_env(c) for _ in range(envs)]
    venv = SubprocVecEnv(factories) if subprocess and envs > 1 else DummyVecEnv(factories)
    venv.seed(seed)
    return VecMonitor(venv)


def _atomic_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def train(
    recipe_name: str,
    out: Path,
    *,
    steps: int | None = None,
    envs: int = 4,
    seed: int = 0,
    chunk_steps: int = 100_000,
    subprocess: bool = False,
    on_chunk: Callable[[int, int, float | None], None] | None = None,
) -> TrainReport:
    """Train ``recipe_name`` to ``steps`` env steps in total, resuming from ``out`` if it holds a checkpoint.

    ``envs`` environments step together (``subprocess=True`` puts each in its own
    process); every ``chunk_steps`` steps the checkpoint is rewritten and ``on_chunk(done,
    total, mean_reward)`` is called. Deterministic for a given seed and env count on
    one machine, up to PyTorch's CPU nondeterminism.
    """
    recipe = get_recipe(recipe_name)
    total = steps or recipe.default_steps
    ckpt = Path(out) / "checkpoint"
    ckpt.mkdir(parents=True, exist_ok=True)
    state_file = ckpt / "state.json"
    state = json.loads(state_file.read_text()) if state_file.is_file() else {"steps": 0, "wall_time_s": 0.0}
    if state.get("recipe", recipe.name) != recipe.name:
        raise ValueError(f"{out} holds a checkpoint of recipe {state['recipe']!r}, not {recipe.name!r}")
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    ppo = recipe.ppo
    stage = recipe.stage_at(state["steps"] / total)
    venv = VecNormalize(
        _make_venv(recipe, stage.env_config, envs, seed + state["steps"], subprocess),
        norm_obs=True,
        norm_reward=True,
        clip_obs=ppo.clip_obs,
        gamma=ppo.gamma,
    )
    if (ckpt / "model.zip").is_file():
        stats = VecNormalize.load(str(ckpt / "vecnormalize.pkl"), venv.venv)
        venv.obs_rms, venv.ret_rms = stats.obs_rms, stats.ret_rms
        model = PPO.load(ckpt / "model.zip", env=venv, device="cpu")
    else:
        model = PPO(
            "MlpPolicy",
            venv,
            n_steps=ppo.n_steps,
            batch_size=ppo.batch_size,
            n_epochs=ppo.n_epochs,
            learning_rate=ppo.learning_rate,
            gamma=ppo.gamma,
            gae_lambda=ppo.gae_lambda,
            clip_range=ppo.clip_range,
            ent_coef=ppo.ent_coef,
            max_grad_norm=ppo.max_grad_norm,
            policy_kwargs={
                "net_arch": {"pi": ppo.hidden, "vf": ppo.hidden},
                "activation_fn": ACTIVATIONS[ppo.activation],
                "log_std_init": ppo.log_std_init,
            },
            seed=seed,
            device="cpu",
            verbose=0,
        )
    done = int(state["steps"])
    wall = float(state["wall_time_s"])
    while done < total:
        wanted = recipe.stage_at(done / total)
        if wanted is not stage:  # curriculum: new envs, same normalisation statistics
            stage = wanted
            fresh = _make_venv(recipe, stage.env_config, envs, seed + done, subprocess)
            old = venv
            venv = VecNormalize(
                fresh, norm_obs=True, norm_reward=True, clip_obs=ppo.clip_obs, gamma=ppo.gamma
            )
            venv.obs_rms, venv.ret_rms = old.obs_rms, old.ret_rms
            model.set_env(venv)
            old.close()
        start = time.perf_counter()
        chunk = min(chunk_steps, total - done)
        model.learn(total_timesteps=chunk, reset_num_timesteps=False)
        done = int(model.num_timesteps)
        wall += time.perf_counter() - start
        model.save(ckpt / "model.zip")
        venv.save(str(ckpt / "vecnormalize.pkl"))
        _atomic_json(state_file, {"recipe": recipe.name, "steps": done, "wall_time_s": wall, "seed": seed})
        if on_chunk is not None:
            on_chunk(done, total, _mean(model, "r"))
    provenance = {
        "steps": done,
        "envs": envs,
        "seed": seed,
        "wall_time_s": round(wall, 1),
        "hardware": f"{os.cpu_count()} CPU cores",
        "code_version": code_version(),
        "ppo": ppo.model_dump(),
    }
    artifact = Path(out) / recipe.name
    export_sb3(
        model,
        venv,
        kind=recipe.kind,
        recipe=recipe.name,
        env_config=stage.env_config,
        provenance=provenance,
        path=artifact,
    )
    report = TrainReport(recipe.name, done, wall, artifact, _mean(model, "r"), _mean(model, "l"))
    venv.close()
    return report


def _mean(model: PPO, key: str) -> float | None:
    values = [info[key] for info in model.ep_info_buffer]
    return float(np.mean(values)) if values else None


def policy_of(model: PPO, venv: VecNormalize) -> Callable[[np.ndarray], np.ndarray]:
    """SB3's own deterministic action for a raw obs ``(obs_dim,)``: the reference an artifact must match."""

    def act(obs: np.ndarray) -> np.ndarray:
        action, _ = model.predict(venv.normalize_obs(obs[None]), deterministic=True)
        return np.asarray(action[0])

    return act


__all__ = ["TrainReport", "train", "policy_of", "Policy"]
