"""Action heads: turn decoder outputs over ``T = chunk_size`` action queries into actions.

A head builds its own queries ``(B, T, d)`` and hands them to ``decode`` (the model's
decoder, which cross-attends the image/text/state context and returns ``(B, T, d)``).
Targets and predictions are normalised actions ``(B, T, A)`` in ``[-1, 1]``; ``valid``
``(B, T)`` is false where a chunk ran past its skill segment (those rows carry no loss).

- :class:`TokensHead`: each dim in ``n_bins`` uniform bins (:class:`ActionTokenizer`),
  cross-entropy; argmax bin centres at inference (RT-1 / OpenVLA).
- :class:`L1Head`: direct chunk regression with an L1 loss (ACT / OpenVLA-OFT).
- :class:`FlowHead`: conditional flow matching on the whole chunk (pi0 / SmolVLA):
  ``x_t = (1 - t) noise + t action``, the network regresses the velocity
  ``action - noise``; inference integrates ``flow_steps`` Euler steps from ``t = 0`` noise.

Heads are registered in :data:`HEADS` by the name ``VLAConfig.head`` gives; another package adds
one by registering an :class:`ActionHead` subclass there (advertised under the entry-point group
``agentrt.heads``), and ``tests/skills/vla/test_heads.py`` runs its contract.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from agentrt.core.registry import Registry
from skills.vla.tokenizer import ActionTokenizer

Decode = Callable[[torch.Tensor], torch.Tensor]
"""Decoder over the cached context: queries ``(B, T, d)`` -> features ``(B, T, d)``."""


def _masked_mean(values: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Mean of ``values`` ``(B, T, ...)`` over rows where ``valid`` ``(B, T)``."""
    weight = valid.to(values.dtype).reshape(valid.shape + (1,) * (values.dim() - valid.dim()))
    weight = weight.expand_as(values)
    return (values * weight).sum() / weight.sum().clamp_min(1.0)


HEADS: Registry = Registry("head")
"""Action head classes by ``VLAConfig.head`` name (``tokens``, ``flow``, ``l1``)."""


class ActionHead(nn.Module, ABC):
    """Base: learned per-step query embeddings ``(T, d)``; subclasses define ``loss`` and ``sample``."""

    def __init__(self, chunk_size: int, action_dim: int, d_model: int) -> None:
        super().__init__()
        self.chunk_size, self.action_dim, self.d_model = chunk_size, action_dim, d_model
        self.query = nn.Parameter(torch.randn(chunk_size, d_model) * 0.02)

    @classmethod
    def from_config(cls, config: Any) -> ActionHead:
        """The head for a ``VLAConfig`` (its ``chunk_size``, ``action_dim``, ``d_model`` and own settings)."""
        return cls(config.chunk_size, config.action_dim, config.d_model)

    def queries(self, batch: int) -> torch.Tensor:
        return self.query.unsqueeze(0).expand(batch, -1, -1)

    @abstractmethod
    def loss(self, decode: Decode, target: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """Scalar training loss and float metrics for one batch."""

    @abstractmethod
    def sample(self, decode: Decode, batch: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Normalised chunk ``(B, T, A)`` in ``[-1, 1]``."""


@HEADS.register("tokens")
class TokensHead(ActionHead):
    """256-bin (``n_bins``) classification of every action dim of every chunk step."""

    @classmethod
    def from_config(cls, config: Any) -> TokensHead:
        return cls(config.chunk_size, config.action_dim, config.d_model, config.n_bins)

    def __init__(self, chunk_size: int, action_dim: int, d_model: int, n_bins: int) -> None:
        super().__init__(chunk_size, action_dim, d_model)
        self.tokenizer = ActionTokenizer(n_bins)
        self.out = nn.Linear(d_model, action_dim * n_bins)

    def logits(self, decode: Decode, batch: int) -> torch.Tensor:
        """``(B, T, A, n_bins)``."""
        h = decode(self.queries(batch))
        return self.out(h).view(batch, self.chunk_size, self.action_dim, self.tokenizer.n_bins)

    def loss(self, decode: Decode, target: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, dict]:
        logits = self.logits(decode, target.shape[0])
        tokens = self.tokenizer.encode(target)
        ce = F.cross_entropy(logits.flatten(0, 2), tokens.flatten(), reduction="none").view(tokens.shape)
        loss = _masked_mean(ce, valid)
        with torch.no_grad():
            pred = self.tokenizer.decode(logits.argmax(-1))
            l1 = _masked_mean((pred - target.clamp(-1, 1)).abs(), valid)
            acc = _masked_mean((logits.argmax(-1) == tokens).float(), valid)
        return loss, {"ce": float(loss.detach()), "l1": float(l1), "token_acc": float(acc)}

    def sample(self, decode: Decode, batch: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.tokenizer.decode(self.logits(decode, batch).argmax(-1))


@HEADS.register("l1")
class L1Head(ActionHead):
    """Chunk regression in normalised units with an L1 loss."""

    def __init__(self, chunk_size: int, action_dim: int, d_model: int) -> None:
        super().__init__(chunk_size, action_dim, d_model)
        self.out = nn.Linear(d_model, action_dim)

    def loss(self, decode: Decode, target: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, dict]:
        pred = self.out(decode(self.queries(target.shape[0])))
        loss = _masked_mean((pred - target).abs(), valid)
        return loss, {"l1": float(loss.detach())}

    def sample(self, decode: Decode, batch: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.out(decode(self.queries(batch))).clamp(-1.0, 1.0)


def _time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features of flow time ``t`` ``(B,)`` in ``[0, 1]`` (1 to 250 cycles) -> ``(B, dim)``."""
    half = dim // 2
    freqs = torch.exp(torch.linspace(0.0, math.log(250.0), half, dtype=t.dtype, device=t.device))
    angles = 2 * math.pi * t[:, None] * freqs[None]
    return torch.cat([angles.sin(), angles.cos()], dim=-1)


@HEADS.register("flow")
class FlowHead(ActionHead):
    """Conditional flow matching over the chunk; the query of step ``i`` sees ``x_t[i]`` and ``t``."""

    @classmethod
    def from_config(cls, config: Any) -> FlowHead:
        return cls(config.chunk_size, config.action_dim, config.d_model, config.flow_steps)

    def __init__(self, chunk_size: int, action_dim: int, d_model: int, steps: int) -> None:
        super().__init__(chunk_size, action_dim, d_model)
        self.steps = steps
        self.action_in = nn.Linear(action_dim, d_model)
        self.time_in = nn.Sequential(nn.Linear(d_model, d_model), nn.SiLU(), nn.Linear(d_model, d_model))
        self.out = nn.Linear(d_model, action_dim)

    def velocity(self, decode: Decode, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Predicted ``d x / d t`` ``(B, T, A)`` at ``x_t`` ``(B, T, A)``, time ``t`` ``(B,)``."""
        q = (
            self.queries(x_t.shape[0])
            + self.action_in(x_t)
            + self.time_in(_time_embedding(t, self.d_model))[:, None]
        )
        return self.out(decode(q))

    def loss(self, decode: Decode, target: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, dict]:
        batch = target.shape[0]
        noise = torch.randn_like(target)
        t = torch.rand(batch, device=target.device, dtype=target.dtype)
        x_t = (1.0 - t)[:, None, None] * noise + t[:, None, None] * target
        err = (self.velocity(decode, x_t, t) - (target - noise)).square()
        loss = _masked_mean(err, valid)
        return loss, {"flow_mse": float(loss.detach())}

    def sample(self, decode: Decode, batch: int, generator: torch.Generator | None = None) -> torch.Tensor:
        device = self.out.weight.device  # noise drawn on the CPU generator, then moved
        x = torch.randn(batch, self.chunk_size, self.action_dim, generator=generator).to(device)
        dt = 1.0 / self.steps
        for i in range(self.steps):
            t = torch.full((batch,), i * dt, device=device)
            x = x + dt * self.velocity(decode, x, t)
        return x.clamp(-1.0, 1.0)


def build_head(config: Any) -> ActionHead:
    """The head ``config.head`` names (a ``VLAConfig``); an unknown name lists the registered ones."""
    return HEADS.get(config.head).from_config(config)
