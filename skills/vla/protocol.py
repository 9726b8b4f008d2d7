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

Beside it, optional protocols a policy may also satisfy; the learned skills
(:mod:`skills.learned`) test ``isinstance(policy, ...)`` and use them only then:
:class:`PositionTargeting` (arm rows as positions), :class:`GraspAware` (told whether a call
grasps and where the object can be; tells the yaw it measured) and :class:`PlaceSpotAware`
(told where a held object may go down). :class:`skills.vla.policy.VLAPolicy` satisfies all three;
the external adapters none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from skills.vla.camera import PinholeCamera


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


@runtime_checkable
class PositionTargeting(Protocol):
    """A policy whose arm rows' xyz may be positions rather than steps (``VLAConfig.position_targets``).

    The learned arm skills anchor such a chunk before ensembling and apply the step from the arm's
    commanded setpoint to each ensembled position (:class:`skills.learned.base.LearnedSkill`).
    """

    @property
    def position_targets(self) -> bool:
        """Whether the arm rows' xyz are positions ``(3,)`` (m, base frame) relative to the setpoint
        commanded when the chunk was predicted."""

    @property
    def goal_frame(self) -> bool:
        """Whether, in a grasp, those positions are relative to :attr:`last_goal` instead."""

    last_goal: np.ndarray | None
    """The goal ``(3,)`` (m, base frame) the last chunk was predicted for; ``None`` if none."""


@runtime_checkable
class GraspAware(Protocol):
    """A policy the learned skills tell whether a call grasps and where the object can be.

    The skill writes :attr:`grasping` and :attr:`grasp_within` after ``reset()`` at the start of every
    call; the policy writes :attr:`grasp_yaw` when it measures the object.
    """

    grasping: bool
    """Whether the current call starts with an empty hand (a pick), set by the skill."""
    grasp_within: Callable[[np.ndarray], bool] | None
    """Whether a grasp point ``(3,)`` (m, base frame) lies where the object can be, set by the pick;
    ``None``: anywhere. Cleared by ``reset()``."""
    grasp_yaw: float | None
    """The yaw (rad, base frame) of the long axis of the object's top the policy measured, or ``None``."""


@runtime_checkable
class PlaceSpotAware(Protocol):
    """A policy the learned place tells where the held object may go down (:mod:`skills.vla.free_space`)."""

    place_spot: Callable[[np.ndarray], np.ndarray | None] | None
    """Maps the policy's goal ``(x, y)`` (m, base frame) to the spot to use instead, or ``None`` (keep
    it); set by the skill, cleared by ``reset()``."""

    @property
    def depth_camera(self) -> PinholeCamera | None:
        """The calibrated head depth camera the spot is measured through; ``None``: no calibration
        (the skill then hands no spot)."""
