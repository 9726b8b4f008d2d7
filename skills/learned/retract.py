"""The retraction after a missed grasp (``pick``): open, rise, go home, then fail.

A retry then starts from the pose every demonstration starts from, not closed beside the object.
The motion is :func:`skills.learned.arm.home_motion` with the gripper open, a scripted reflex
steering the arm's setpoint; the policy is not asked while it runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from skills.base import Done
from skills.learned.arm import home_motion


class RetractConfig(BaseModel):
    """Whether a learned arm skill retracts after a missed grasp (:class:`Retraction`)."""

    model_config = ConfigDict(extra="forbid")

    retract_on_miss: bool = Field(
        default=False,
        description="after a missed grasp, open the gripper, rise and bring the arm home before failing "
        "(a scripted reflex; arm skills only), so that a retry starts where the demonstrations start",
    )


class Retraction:
    """While active: the next arm row of the way home, then the missed grasp's failure."""

    def __init__(self) -> None:
        self.motion: Any = None
        """The motion (an ``ArmSequence``) while retracting, else ``None``."""
        self.reason = ""

    @property
    def active(self) -> bool:
        return self.motion is not None

    def reset(self) -> None:
        self.motion, self.reason = None, ""

    def start(self, env: Any, reason: str) -> None:
        """Begin the way home from where the hand is; ``reason`` is the failure it ends with."""
        self.motion, self.reason = home_motion(env, gripper=-1.0), reason

    def step(self, env: Any) -> np.ndarray | Done:
        """The next row ``(7,)`` of the retraction, or the failure once it is over."""
        action = self.motion.act(env)
        if action is None:
            return Done(False, f"{self.reason}; the arm retracted home")
        if self.motion.timed_out:
            return Done(False, f"{self.reason}; the arm could not retract home")
        return np.asarray(action, np.float32)


__all__ = ["RetractConfig", "Retraction"]
