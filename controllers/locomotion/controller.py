"""The deployed locomotion controller: a trained residual policy on the trot generator.

It rebuilds exactly the training env's observation, gait and residual scaling from the
artifact's ``env_config``, so a policy behaves the same in any scene as in training.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from controllers.artifact import ArtifactError, Policy, load_artifact, zero_residual_policy
from controllers.base import CONTROLLER_KINDS, Controller
from controllers.commands import CONTROLLER_HZ, PostureCommand, VelocityCommand, VelocityEnvelope
from controllers.gait import TrotGenerator
from controllers.locomotion.env import QUADRUPEDS, LocomotionEnvConfig
from controllers.locomotion.terms import OBS_DIM, observation
from scenes.robots.legged import LeggedState


def open_loop_policy(env_config: LocomotionEnvConfig | None = None, kind: str = "locomotion") -> Policy:
    """A policy whose residual is exactly zero: the trot generator alone (the baseline learning must beat)."""
    return zero_residual_policy(
        kind, "open-loop-trot", OBS_DIM, 12, (env_config or LocomotionEnvConfig()).model_dump()
    )


@CONTROLLER_KINDS.register("locomotion")
class LocomotionController(Controller):
    """Velocity command -> joint targets (rad) for the quadruped the policy was trained on."""

    command_type = VelocityCommand

    def __init__(self, policy: Policy) -> None:
        if policy.meta.kind != "locomotion":
            raise ArtifactError(
                f"artifact {policy.meta.recipe!r} is a {policy.meta.kind} controller, not locomotion"
            )
        self.policy = policy
        self.env_config = LocomotionEnvConfig.model_validate(policy.meta.env_config)
        self.spec = QUADRUPEDS[self.env_config.robot]
        self.envelope: VelocityEnvelope = self.env_config.envelope
        self.gait = TrotGenerator(self.spec.extra, self.env_config.trot)
        self.default_q = np.array(self.spec.default_q)
        self.reset()

    @classmethod
    def load(cls, path: Path | str) -> LocomotionController:
        """From an artifact path (see :func:`controllers.artifact.load_artifact`)."""
        return cls(load_artifact(path))

    def reset(self) -> None:
        self.phase = 0.0
        self.last_action = np.zeros(12)

    def act(self, observation_: LeggedState, command: VelocityCommand | PostureCommand) -> np.ndarray:
        if not isinstance(command, VelocityCommand):
            raise TypeError(f"a locomotion controller takes a VelocityCommand, got {type(command).__name__}")
        cmd = self.envelope.clip(command).as_array()
        obs = observation(observation_, self.default_q, cmd, self.last_action, self.phase)
        action = self.policy(obs).astype(np.float64)
        targets = self.gait.joint_targets(cmd, self.phase) + self.env_config.residual_scale * action
        self.phase = (self.phase + self.env_config.trot.frequency_hz / CONTROLLER_HZ) % 1.0
        self.last_action = action
        return targets
