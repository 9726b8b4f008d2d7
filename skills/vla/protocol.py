"""The one interface every action-chunk policy offers to the learned skills.

Our own VLA checkpoints (:mod:`skills.vla.policy`) and the adapters for external
pretrained VLAs (:mod:`skills.adapters`) all satisfy :class:`ChunkPolicy`, so one
learned-skill class can run any of them, and ``agentrt eval-skill`` can score any of them.

Conventions (see :mod:`agentrt.core.actions` for units and frames):

- ``obs`` is a scene observation dict: ``"head_rgb"`` ``(H, W, 3)`` uint8,
  ``"wrist_rgb"`` ``(h, w, 3)`` uint8, ``"state"`` ``(18,)`` float32 (names in
  :data:`scenes.base.STATE_NAMES`). A policy reads only the keys in :attr:`ChunkPolicy.obs_keys`
  and resizes images itself.
- a chunk is ``(chunk_size, len(action_keys) groups concatenated)`` float32 in *env units*
  (already un-normalised): for ``action_keys == ("arm",)`` each row is the 7-D arm action
  (dx, dy, dz m; droll, dpitch, dyaw rad; gripper in [-1, 1]); for ``("base",)`` the 3-D base
  velocity (vx, vy m/s; wz rad/s). Row ``i`` is meant for the ``i``-th 10 Hz step after ``obs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class ChunkPolicy(Protocol):
    """Observation + language instruction -> a chunk of future actions."""

    chunk_size: int
    """Actions per predicted chunk (``>= 1``)."""
    action_keys: tuple[str, ...]
    """Action groups of each row, in order (``("arm",)`` or ``("base",)``)."""
    obs_keys: tuple[str, ...]
    """Observation keys the policy reads (e.g. ``("head_rgb", "wrist_rgb", "state")``)."""
    control_hz: float
    """The rate its actions are meant to be applied at (10 Hz here)."""

    def reset(self) -> None:
        """Forget any history before a new skill call."""

    def predict_chunk(self, obs: Mapping[str, np.ndarray], instruction: str) -> np.ndarray:
        """``(chunk_size, action_dim)`` float32 actions in env units for ``instruction``."""
