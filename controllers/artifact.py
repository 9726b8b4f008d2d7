"""The controller artifact: one policy network, its observation normalisation and its config.

On disk an artifact is two files side by side, ``NAME.safetensors`` (the actor's
weights) and ``NAME.json`` (network shape, observation normalisation statistics, the
training env's config, and provenance). :func:`load_artifact` reads both and either
returns a complete, ready policy or raises :class:`ArtifactError` — never a policy with
missing or random weights. :func:`export_sb3` writes one from a trained
stable-baselines3 PPO model and its ``VecNormalize`` wrapper.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from safetensors.torch import load_file, save_file
from torch import nn

FORMAT_VERSION = 1
ACTIVATIONS: dict[str, type[nn.Module]] = {"tanh": nn.Tanh, "elu": nn.ELU, "relu": nn.ReLU}


class ArtifactError(RuntimeError):
    """A controller artifact is missing, incomplete or inconsistent."""


class ArtifactMeta(BaseModel):
    """Everything in ``NAME.json`` besides the weights."""

    model_config = ConfigDict(extra="forbid")

    format_version: int = FORMAT_VERSION
    kind: str = Field(description="what the policy controls, e.g. 'locomotion' or 'balance'")
    recipe: str = Field(description="training recipe name")
    obs_dim: int
    action_dim: int
    hidden: list[int]
    activation: str
    obs_mean: list[float]
    obs_var: list[float]
    obs_clip: float
    obs_epsilon: float
    env_config: dict[str, Any] = Field(description="the training env's config, enough to rebuild it")
    provenance: dict[str, Any] = Field(
        default_factory=dict, description="steps, seed, wall time, code version"
    )


class Actor(nn.Module):
    """Deterministic policy: normalised obs ``(B, obs_dim)`` -> action ``(B, action_dim)`` in [-1, 1]."""

    def __init__(self, obs_dim: int, action_dim: int, hidden: list[int], activation: str) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = obs_dim
        for size in hidden:
            layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
            width = size
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, action_dim)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return torch.clamp(self.head(self.body(obs)), -1.0, 1.0)


class Policy:
    """A loaded artifact: raw observation ``(obs_dim,)`` -> action ``(action_dim,)`` float32 in [-1, 1]."""

    def __init__(self, actor: Actor, meta: ArtifactMeta) -> None:
        self.actor = actor.eval()
        self.meta = meta
        self._mean = np.asarray(meta.obs_mean, dtype=np.float64)
        self._std = np.sqrt(np.asarray(meta.obs_var, dtype=np.float64) + meta.obs_epsilon)

    def normalize(self, obs: np.ndarray) -> np.ndarray:
        """VecNormalize's transform: ``clip((obs - mean) / sqrt(var + eps), -clip, clip)``."""
        return np.clip((obs - self._mean) / self._std, -self.meta.obs_clip, self.meta.obs_clip)

    @torch.no_grad()
    def __call__(self, obs: np.ndarray) -> np.ndarray:
        x = torch.as_tensor(self.normalize(np.asarray(obs, dtype=np.float64)), dtype=torch.float32)
        return self.actor(x.unsqueeze(0))[0].numpy()


def zero_residual_policy(
    kind: str, recipe: str, obs_dim: int, action_dim: int, env_config: dict[str, Any]
) -> Policy:
    """A policy whose action is exactly zero (identity normalisation, zeroed output layer).

    On a residual controller this is the hand-designed prior alone (trot generator, posture
    prior): the baseline learning must beat. ``env_config`` is the training env's config dump.
    """
    actor = Actor(obs_dim, action_dim, [8], "elu")
    torch.nn.init.zeros_(actor.head.weight)
    torch.nn.init.zeros_(actor.head.bias)
    meta = ArtifactMeta(
        kind=kind,
        recipe=recipe,
        obs_dim=obs_dim,
        action_dim=action_dim,
        hidden=[8],
        activation="elu",
        obs_mean=[0.0] * obs_dim,
        obs_var=[1.0] * obs_dim,
        obs_clip=10.0,
        obs_epsilon=1e-8,
        env_config=env_config,
    )
    return Policy(actor, meta)


def save_artifact(path: Path, actor: Actor, meta: ArtifactMeta) -> tuple[Path, Path]:
    """Write ``path.safetensors`` and ``path.json`` (``path`` without suffix); returns both paths."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    weights, config = path.with_suffix(".safetensors"), path.with_suffix(".json")
    save_file({k: v.detach().contiguous() for k, v in actor.state_dict().items()}, str(weights))
    config.write_text(json.dumps(meta.model_dump(), indent=1) + "\n")
    return weights, config


def load_artifact(path: Path | str) -> Policy:
    """Read ``path.safetensors`` + ``path.json`` (a suffix on ``path`` is ignored).

    Raises:
        ArtifactError: a file is missing or unreadable, the config is invalid, or the
            weights do not exactly fill the network the config describes.
    """
    base = Path(path)
    base = base.with_suffix("") if base.suffix in {".json", ".safetensors"} else base
    weights, config = base.with_suffix(".safetensors"), base.with_suffix(".json")
    for file in (weights, config):
        if not file.is_file():
            raise ArtifactError(f"controller artifact incomplete: {file} does not exist")
    try:
        meta = ArtifactMeta.model_validate_json(config.read_text())
    except (ValidationError, OSError, ValueError) as exc:
        raise ArtifactError(f"{config}: invalid controller config: {exc}") from None
    if meta.format_version != FORMAT_VERSION:
        raise ArtifactError(
            f"{config}: format version {meta.format_version}, this code reads {FORMAT_VERSION}"
        )
    if meta.activation not in ACTIVATIONS:
        raise ArtifactError(f"{config}: unknown activation {meta.activation!r}")
    if len(meta.obs_mean) != meta.obs_dim or len(meta.obs_var) != meta.obs_dim:
        raise ArtifactError(f"{config}: normalisation statistics do not match obs_dim={meta.obs_dim}")
    actor = Actor(meta.obs_dim, meta.action_dim, meta.hidden, meta.activation)
    try:
        state = load_file(str(weights))
        actor.load_state_dict(state, strict=True)
    except Exception as exc:  # safetensors and torch raise several types; all mean "not this network"
        raise ArtifactError(f"{weights}: weights do not fit the configured network: {exc}") from None
    return Policy(actor, meta)


def export_sb3(
    model: Any,
    vecnormalize: Any,
    *,
    kind: str,
    recipe: str,
    env_config: dict[str, Any],
    provenance: dict[str, Any],
    path: Path,
) -> Policy:
    """Write the deterministic actor of an SB3 PPO ``model`` (MLP policy) with ``vecnormalize``'s obs stats.

    The saved policy gives the same action as ``model.predict(vecnormalize.normalize_obs(obs),
    deterministic=True)`` (SB3 clips to the action space; :class:`Actor` clamps to [-1, 1]).
    """
    policy = model.policy
    linears = [m for m in policy.mlp_extractor.policy_net if isinstance(m, nn.Linear)]
    activations = [m for m in policy.mlp_extractor.policy_net if not isinstance(m, nn.Linear)]
    activation = next(name for name, cls in ACTIVATIONS.items() if isinstance(activations[0], cls))
    obs_dim = linears[0].in_features
    actor = Actor(obs_dim, policy.action_net.out_features, [m.out_features for m in linears], activation)
    for mine, theirs in zip([m for m in actor.body if isinstance(m, nn.Linear)], linears, strict=True):
        mine.load_state_dict(theirs.state_dict())
    actor.head.load_state_dict(policy.action_net.state_dict())
    stats = vecnormalize.obs_rms
    meta = ArtifactMeta(
        kind=kind,
        recipe=recipe,
        obs_dim=obs_dim,
        action_dim=actor.head.out_features,
        hidden=[m.out_features for m in linears],
        activation=activation,
        obs_mean=[float(v) for v in stats.mean],
        obs_var=[float(v) for v in stats.var],
        obs_clip=float(vecnormalize.clip_obs),
        obs_epsilon=float(vecnormalize.epsilon),
        env_config=env_config,
        provenance=provenance,
    )
    save_artifact(path, actor, meta)
    return Policy(actor, meta)
