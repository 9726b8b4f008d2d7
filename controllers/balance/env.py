"""Humanoid balance as a Gymnasium env: the training ground of the balance controller.

The policy acts at :data:`controllers.commands.CONTROLLER_HZ` (50 Hz); physics runs at
200 Hz with the joint motors set every substep. An action ``(28,)`` in ``[-1, 1]`` is
low-pass filtered (``ā += action_filter · (action − ā)``: white exploration noise on stiff
ankles topples the robot within a second) and the filtered action ``ā`` is a residual
added, times ``residual_scale`` rad, to the joint targets of the posture prior
(:class:`~controllers.balance.posture.PosturePrior`), which alone already holds the
commanded posture in still air. Posture commands ``(height_m, roll, pitch)`` are resampled
every few seconds within the envelope and ramped by the same :class:`PostureBridge` the
deployed controller sits behind; the pelvis is pushed with random planar impulses.
``terminated`` means the robot fell (pelvis too low or tilted); ``truncated`` means the
episode's time ran out. Observations are described in :mod:`controllers.balance.terms`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import pybullet as pb
import pybullet_data
from pybullet_utils.bullet_client import BulletClient
from pydantic import BaseModel, ConfigDict, Field

from controllers.balance.posture import PostureConfig, PosturePrior
from controllers.balance.terms import N_DOF, OBS_DIM, RewardWeights, observation, reward_terms
from controllers.commands import (
    CONTROLLER_HZ,
    PostureBridge,
    PostureBridgeConfig,
    PostureCommand,
    PostureEnvelope,
)
from scenes.robots.humanoid import HUMANOID, HumanoidRobot, HumanoidSpec

PHYSICS_DT = 0.005
"""Physics step, s (200 Hz)."""
DECIMATION = round(1.0 / (CONTROLLER_HZ * PHYSICS_DT))
"""Physics steps per policy step."""

HUMANOIDS: dict[str, HumanoidSpec] = {"humanoid": HUMANOID}
"""Humanoid models the balance env can train, by name."""


class Pushes(BaseModel):
    """Random planar impulses on the pelvis, applied as a force over one physics step."""

    model_config = ConfigDict(extra="forbid")

    interval_s: float | None = Field(default=None, gt=0.0, description="mean seconds between pushes")
    impulse_ns: tuple[float, float] = Field(default=(0.0, 0.0), description="impulse range, N·s")


class Randomization(BaseModel):
    """Domain randomisation; all off by default (nominal robot, flat ground, no pushes)."""

    model_config = ConfigDict(extra="forbid")

    friction: tuple[float, float] = Field(default=(1.0, 1.0), description="ground lateral friction range")
    added_mass_kg: tuple[float, float] = Field(default=(0.0, 0.0), description="mass added to the pelvis")
    pushes: Pushes = Field(default_factory=Pushes)
    joint_noise_rad: float = Field(default=0.0, ge=0.0, description="initial joint offset, rad (uniform)")


class BalanceEnvConfig(BaseModel):
    """Settings of :class:`HumanoidBalanceEnv`."""

    model_config = ConfigDict(extra="forbid")

    robot: str = Field(default="humanoid", description=f"one of {sorted(HUMANOIDS)}")
    episode_s: float = Field(default=20.0, gt=0.0, description="episode length, simulated seconds")
    command_interval_s: tuple[float, float] = Field(
        default=(2.0, 6.0), description="resample every U(a, b) s"
    )
    nominal_command_prob: float = Field(
        default=0.3, ge=0.0, le=1.0, description="chance of the nominal posture"
    )
    envelope: PostureEnvelope = Field(default_factory=PostureEnvelope)
    bridge: PostureBridgeConfig = Field(default_factory=PostureBridgeConfig)
    residual_scale: float = Field(default=0.15, gt=0.0, description="action 1.0 -> this many rad of residual")
    action_filter: float = Field(default=0.3, gt=0.0, le=1.0, description="first-order filter gain per step")
    posture: PostureConfig = Field(default_factory=PostureConfig)
    reward: RewardWeights = Field(default_factory=RewardWeights)
    randomization: Randomization = Field(default_factory=Randomization)


def flat_ground(sim: BulletClient) -> int:
    """Load the ground plane into ``sim`` at the balance physics rate; returns its body id."""
    sim.setGravity(0, 0, -9.81)
    sim.setTimeStep(PHYSICS_DT)
    return sim.loadURDF(f"{pybullet_data.getDataPath()}/plane.urdf")


class HumanoidBalanceEnv(gym.Env[np.ndarray, np.ndarray]):
    """Hold a commanded posture and recover from pushes with a residual on a posture prior (headless)."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": [], "render_fps": CONTROLLER_HZ}

    def __init__(self, config: BalanceEnvConfig | dict[str, Any] | None = None) -> None:
        self.config = (
            config if isinstance(config, BalanceEnvConfig) else BalanceEnvConfig.model_validate(config or {})
        )
        if self.config.robot not in HUMANOIDS:
            raise ValueError(f"unknown humanoid {self.config.robot!r}; known: {sorted(HUMANOIDS)}")
        self.spec_robot = HUMANOIDS[self.config.robot]
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (OBS_DIM,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (N_DOF,), np.float32)
        self.prior = PosturePrior(self.spec_robot, self.config.posture)
        self.nominal = self.config.envelope.nominal.as_array()
        self.max_steps = round(self.config.episode_s * CONTROLLER_HZ)
        self.sim = BulletClient(connection_mode=pb.DIRECT)
        self.ground = flat_ground(self.sim)
        self.robot = HumanoidRobot(self.sim._client, self.spec_robot)
        self._base_mass = self.sim.getDynamicsInfo(self.robot.body, 0)[0]
        self.bridge = PostureBridge(self.config.envelope, self.config.bridge)
        self.command = self.nominal.copy()
        self.reference = self.prior(self.command)
        self.last_action = np.zeros(N_DOF)
        self.steps = 0
        self._pending_force: np.ndarray | None = None

    # -- Gymnasium API -----------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        rnd = self.config.randomization
        self.sim.changeDynamics(self.ground, -1, lateralFriction=float(self.np_random.uniform(*rnd.friction)))
        added = float(self.np_random.uniform(*rnd.added_mass_kg))
        self.sim.changeDynamics(self.robot.body, 0, mass=self._base_mass + added)  # link 0: the pelvis
        self.steps = 0
        self.bridge.reset(PostureCommand.from_array(self._draw_posture()))  # start in it, not ramping to it
        self._next_command_step = self._command_delay()
        self._advance_command()
        noise = self.np_random.uniform(-1.0, 1.0, N_DOF) * rnd.joint_noise_rad
        height, roll, pitch = self.command
        self.robot.reset(
            (0.0, 0.0, height + 0.005),
            yaw=float(self.np_random.uniform(-np.pi, np.pi)),
            q=self.reference + noise,
            roll=roll,
            pitch=pitch,
        )
        for _ in range(10):  # settle onto the feet before the first observation
            self.robot.apply_pd(self.reference)
            self.sim.stepSimulation()
        self.last_action = np.zeros(N_DOF)
        self._pending_force = None
        self._next_push_step = self._push_delay()
        return self._observe(self.robot.state()), {}

    def step(self, action: np.ndarray):
        raw = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        action = self.last_action + self.config.action_filter * (raw - self.last_action)
        targets = self.reference + self.config.residual_scale * action
        for _ in range(DECIMATION):
            self.robot.apply_pd(targets)
            if self._pending_force is not None:
                pos, _ = self.sim.getBasePositionAndOrientation(self.robot.body)
                self.sim.applyExternalForce(
                    self.robot.body, -1, self._pending_force.tolist(), pos, pb.WORLD_FRAME
                )
                self._pending_force = None
            self.sim.stepSimulation()
        self.steps += 1
        state = self.robot.state()
        terms = reward_terms(state, self.command, action, self.last_action, self.config.reward)
        fell = self.robot.fallen(state)
        info: dict[str, Any] = {"reward_terms": terms, "command": self.command.copy(), "fall_reason": fell}
        self.last_action = action
        self._maybe_push()
        self._maybe_resample_command()
        self._advance_command()
        obs = self._observe(state)
        return obs, float(sum(terms.values())), fell is not None, self.steps >= self.max_steps, info

    def close(self) -> None:
        if getattr(self, "sim", None) is not None:
            self.sim.disconnect()
            self.sim = None  # type: ignore[assignment]

    # -- internals ---------------------------------------------------------------------------------
    def _observe(self, state) -> np.ndarray:
        return observation(state, self.reference, self.command, self.nominal, self.last_action)

    def _maybe_resample_command(self) -> None:
        if self.steps < self._next_command_step:
            return
        self.bridge.set(PostureCommand.from_array(self._draw_posture()))
        self._next_command_step = self._command_delay()

    def _draw_posture(self) -> np.ndarray:
        envelope = self.config.envelope
        if self.np_random.random() < self.config.nominal_command_prob:
            return self.nominal.copy()
        return self.np_random.uniform(envelope.low, envelope.high)

    def _command_delay(self) -> int:
        return self.steps + round(self.np_random.uniform(*self.config.command_interval_s) * CONTROLLER_HZ)

    def _advance_command(self) -> None:
        """One bridge tick: the command (and the prior's reference) of the next policy step."""
        self.command = self.bridge.step().as_array()
        self.reference = self.prior(self.command)

    def _push_delay(self) -> int:
        interval = self.config.randomization.pushes.interval_s
        return (
            self.max_steps + 1
            if interval is None
            else self.steps + max(1, round(self.np_random.exponential(interval) * CONTROLLER_HZ))
        )

    def _maybe_push(self) -> None:
        if self.steps < self._next_push_step:
            return
        pushes = self.config.randomization.pushes
        angle = self.np_random.uniform(-np.pi, np.pi)
        impulse = self.np_random.uniform(*pushes.impulse_ns)
        self._pending_force = impulse / PHYSICS_DT * np.array([np.cos(angle), np.sin(angle), 0.0])
        self._next_push_step = self._push_delay()
