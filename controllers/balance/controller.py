"""The deployed balance controller: a trained residual policy on the humanoid's posture prior.

It rebuilds exactly the training env's observation, prior and residual scaling from the
artifact's ``env_config``, so a policy behaves the same in any scene as in training.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from controllers.artifact import ArtifactError, Policy, load_artifact, zero_residual_policy
from controllers.balance.env import HUMANOIDS, BalanceEnvConfig
from controllers.balance.posture import PosturePrior
from controllers.balance.terms import N_DOF, OBS_DIM, observation
from controllers.base import CONTROLLER_KINDS, Controller
from controllers.commands import PostureBridge, PostureCommand, PostureEnvelope, VelocityCommand
from scenes.robots.humanoid import HumanoidRobot
from scenes.robots.legged import LeggedState


def pd_prior_policy(env_config: BalanceEnvConfig | None = None, kind: str = "balance") -> Policy:
    """A policy whose residual is exactly zero: the posture prior alone (the baseline learning must beat)."""
    return zero_residual_policy(
        kind, "pd-prior", OBS_DIM, N_DOF, (env_config or BalanceEnvConfig()).model_dump()
    )


@CONTROLLER_KINDS.register("balance")
class BalanceController(Controller):
    """Posture command -> joint targets ``(28,)`` (rad) for the humanoid the policy was trained on.

    ``act`` takes the robot's :class:`~scenes.robots.legged.LeggedState` (as read by
    :meth:`scenes.robots.humanoid.HumanoidRobot.state`) and a :class:`PostureCommand`
    (clipped into :attr:`envelope`) once per 1/50 s. It does not walk: a
    :class:`VelocityCommand` raises ``TypeError``.
    """

    command_type = PostureCommand

    def __init__(self, policy: Policy) -> None:
        if policy.meta.kind != "balance":
            raise ArtifactError(
                f"artifact {policy.meta.recipe!r} is a {policy.meta.kind} controller, not balance"
            )
        if policy.meta.obs_dim != OBS_DIM or policy.meta.action_dim != N_DOF:
            raise ArtifactError(
                f"artifact {policy.meta.recipe!r}: obs/action dims "
                f"{policy.meta.obs_dim}/{policy.meta.action_dim}, balance needs {OBS_DIM}/{N_DOF}"
            )
        self.policy = policy
        self.env_config = BalanceEnvConfig.model_validate(policy.meta.env_config)
        self.spec = HUMANOIDS[self.env_config.robot]
        self.envelope: PostureEnvelope = self.env_config.envelope
        self.prior = PosturePrior(self.spec, self.env_config.posture)
        self.nominal = self.envelope.nominal.as_array()
        self.default_q = self.prior(self.nominal)
        self.reset()

    @classmethod
    def load(cls, path: Path | str) -> BalanceController:
        """From an artifact path (see :func:`controllers.artifact.load_artifact`)."""
        return cls(load_artifact(path))

    def bridge(self) -> PostureBridge:
        """A fresh 10 -> 50 Hz posture bridge over this controller's envelope."""
        return PostureBridge(self.envelope)

    def reset(self) -> None:
        self.last_action = np.zeros(N_DOF)

    def act(self, observation_: LeggedState, command: VelocityCommand | PostureCommand) -> np.ndarray:
        if not isinstance(command, PostureCommand):
            raise TypeError(
                f"the balance controller takes a PostureCommand, got {type(command).__name__}"
                " (it does not walk)"
            )
        cmd = self.envelope.clip(command).as_array()
        reference = self.prior(cmd)
        obs = observation(observation_, reference, cmd, self.nominal, self.last_action)
        raw = self.policy(obs).astype(np.float64)
        action = self.last_action + self.env_config.action_filter * (raw - self.last_action)
        self.last_action = action
        return reference + self.env_config.residual_scale * action


def stand(robot: HumanoidRobot, controller: BalanceController, x: float, y: float, yaw: float = 0.0) -> None:
    """Put ``robot`` on its feet at world ``(x, y)`` (m) heading ``yaw`` (rad), in ``controller``'s nominal
    posture and at rest (then reset the :class:`~controllers.base.ControlledRobot` running it)."""
    nominal = controller.envelope.nominal
    robot.reset((x, y, nominal.height_m + 0.005), yaw=yaw, q=controller.default_q)
