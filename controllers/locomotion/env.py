"""Quadruped velocity tracking as a Gymnasium env: the training ground of the locomotion controller.

The policy acts at :data:`controllers.commands.CONTROLLER_HZ` (50 Hz); physics runs at
200 Hz with joint PD torques every substep. An action ``(12,)`` in ``[-1, 1]`` is a
residual added, times ``residual_scale`` rad, to the joint targets of a trot generator
that already steps at the commanded velocity (see :mod:`controllers.gait`). Commands
``(vx, vy, wz)`` are resampled every few seconds within the envelope. ``terminated``
means the robot fell (trunk too low or tilted); ``truncated`` means the episode's time
ran out. Observations are described in :mod:`controllers.locomotion.terms`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import pybullet as pb
import pybullet_data
from pybullet_utils.bullet_client import BulletClient
from pydantic import BaseModel, ConfigDict, Field

from controllers.commands import CONTROLLER_HZ, VelocityEnvelope
from controllers.gait import TrotConfig, TrotGenerator
from controllers.locomotion.terms import OBS_DIM, RewardWeights, observation, reward_terms
from scenes.robots.legged import A1, LeggedRobot, LeggedSpec

PHYSICS_DT = 0.005
"""Physics step, s (200 Hz)."""
DECIMATION = round(1.0 / (CONTROLLER_HZ * PHYSICS_DT))
"""Physics steps per policy step."""

QUADRUPEDS: dict[str, LeggedSpec] = {"a1": A1}
"""Quadruped models the locomotion env can train, by name."""


class Randomization(BaseModel):
    """Domain randomisation; all off by default (flat, nominal robot, no pushes)."""

    model_config = ConfigDict(extra="forbid")

    friction: tuple[float, float] = Field(default=(1.0, 1.0), description="ground lateral friction range")
    added_mass_kg: tuple[float, float] = Field(default=(0.0, 0.0), description="mass added to the trunk")
    push_interval_s: float | None = Field(default=None, gt=0.0, description="mean seconds between pushes")
    push_velocity: float = Field(default=0.0, ge=0.0, description="largest planar velocity kick, m/s")
    bump_height_m: float = Field(default=0.0, ge=0.0, description="terrain bump amplitude (0: flat plane)")


class LocomotionEnvConfig(BaseModel):
    """Settings of :class:`QuadrupedLocomotionEnv`."""

    model_config = ConfigDict(extra="forbid")

    robot: str = Field(default="a1", description=f"one of {sorted(QUADRUPEDS)}")
    episode_s: float = Field(default=20.0, gt=0.0, description="episode length, simulated seconds")
    command_interval_s: tuple[float, float] = Field(
        default=(3.0, 8.0), description="resample every U(a, b) s"
    )
    zero_command_prob: float = Field(default=0.15, ge=0.0, le=1.0, description="chance a command is 'stand'")
    envelope: VelocityEnvelope = Field(default_factory=VelocityEnvelope)
    residual_scale: float = Field(default=0.3, gt=0.0, description="action 1.0 -> this many rad of residual")
    trot: TrotConfig = Field(default_factory=TrotConfig)
    reward: RewardWeights = Field(default_factory=RewardWeights)
    randomization: Randomization = Field(default_factory=Randomization)


class QuadrupedLocomotionEnv(gym.Env[np.ndarray, np.ndarray]):
    """Track commanded base velocities with a residual on a trot generator (headless PyBullet)."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": [], "render_fps": CONTROLLER_HZ}

    def __init__(self, config: LocomotionEnvConfig | dict[str, Any] | None = None) -> None:
        self.config = (
            config
            if isinstance(config, LocomotionEnvConfig)
            else LocomotionEnvConfig.model_validate(config or {})
        )
        if self.config.robot not in QUADRUPEDS:
            raise ValueError(f"unknown quadruped {self.config.robot!r}; known: {sorted(QUADRUPEDS)}")
        self.spec_robot = QUADRUPEDS[self.config.robot]
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (OBS_DIM,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (12,), np.float32)
        self.gait = TrotGenerator(self.spec_robot.extra, self.config.trot)
        self.max_steps = round(self.config.episode_s * CONTROLLER_HZ)
        self.sim = BulletClient(connection_mode=pb.DIRECT)
        self.sim.setGravity(0, 0, -9.81)
        self.sim.setTimeStep(PHYSICS_DT)
        self.ground = -1
        self.robot = LeggedRobot(self.sim._client, self.spec_robot)
        self._base_mass = self.sim.getDynamicsInfo(self.robot.body, -1)[0]
        self.command = np.zeros(3)
        self.phase = 0.0
        self.last_action = np.zeros(12)
        self.steps = 0

    # -- Gymnasium API -----------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        rnd = self.config.randomization
        if self.ground < 0:  # the terrain is drawn once per env, from its first seed
            self._build_ground()
        self.sim.changeDynamics(self.ground, -1, lateralFriction=float(self.np_random.uniform(*rnd.friction)))
        added = float(self.np_random.uniform(*rnd.added_mass_kg))
        self.sim.changeDynamics(self.robot.body, -1, mass=self._base_mass + added)
        self.phase = 0.0
        q0 = self.gait.joint_targets(np.zeros(3), self.phase)
        height = self.config.trot.stance_height + 0.03 + rnd.bump_height_m
        self.robot.reset((0.0, 0.0, height), yaw=float(self.np_random.uniform(-np.pi, np.pi)), q=q0)
        for _ in range(20):  # settle onto the feet before the first observation
            self.robot.apply_pd(q0)
            self.sim.stepSimulation()
        self.steps = 0
        self.last_action = np.zeros(12)
        self._next_command_step = 0
        self._next_push_step = self._push_delay()
        self._maybe_resample_command()
        return self._observe(self.robot.state()), {}

    def step(self, action: np.ndarray):
        action = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        targets = self.gait.joint_targets(self.command, self.phase) + self.config.residual_scale * action
        for _ in range(DECIMATION):
            self.robot.apply_pd(targets)
            self.sim.stepSimulation()
        self.phase = (self.phase + self.config.trot.frequency_hz / CONTROLLER_HZ) % 1.0
        self.steps += 1
        state = self.robot.state()
        terms = reward_terms(state, self.command, action, self.last_action, self.config.reward)
        fell = self.robot.fallen(state)
        info: dict[str, Any] = {
            "reward_terms": terms,
            "command": self.command.copy(),
            "velocity": np.array([*state.lin_vel_b[:2], state.ang_vel_b[2]]),
            "fall_reason": fell,
        }
        self.last_action = action
        self._maybe_push()
        self._maybe_resample_command()
        obs = self._observe(state)
        return obs, float(sum(terms.values())), fell is not None, self.steps >= self.max_steps, info

    def close(self) -> None:
        if getattr(self, "sim", None) is not None:
            self.sim.disconnect()
            self.sim = None  # type: ignore[assignment]

    # -- internals ---------------------------------------------------------------------------------
    def _observe(self, state) -> np.ndarray:
        return observation(state, self.robot.default_q, self.command, self.last_action, self.phase)

    def _maybe_resample_command(self) -> None:
        if self.steps < self._next_command_step:
            return
        cfg = self.config
        if self.np_random.random() < cfg.zero_command_prob:
            self.command = np.zeros(3)
        else:
            self.command = self.np_random.uniform(cfg.envelope.low, cfg.envelope.high)
        self._next_command_step = self.steps + round(
            self.np_random.uniform(*cfg.command_interval_s) * CONTROLLER_HZ
        )

    def _push_delay(self) -> int:
        interval = self.config.randomization.push_interval_s
        return (
            self.max_steps + 1
            if interval is None
            else self.steps + round(self.np_random.exponential(interval) * CONTROLLER_HZ)
        )

    def _maybe_push(self) -> None:
        if self.steps < self._next_push_step:
            return
        lin, ang = self.sim.getBaseVelocity(self.robot.body)
        kick = self.np_random.uniform(-1.0, 1.0, 2) * self.config.randomization.push_velocity
        self.sim.resetBaseVelocity(self.robot.body, (lin[0] + kick[0], lin[1] + kick[1], lin[2]), ang)
        self._next_push_step = self._push_delay()

    def _build_ground(self) -> None:
        bump = self.config.randomization.bump_height_m
        if bump <= 0:
            self.ground = self.sim.loadURDF(f"{pybullet_data.getDataPath()}/plane.urdf")
            return
        rows = 256  # 20 m square: a minute of walking at full speed stays on it
        noise = self.np_random.uniform(0.0, bump, (rows // 4, rows // 4))
        heights = np.kron(noise, np.ones((4, 4)))  # 4x4-cell blocks: bumps ~0.3 m wide
        shape = self.sim.createCollisionShape(
            pb.GEOM_HEIGHTFIELD,
            meshScale=[0.08, 0.08, 1.0],
            heightfieldData=heights.ravel().tolist(),
            numHeightfieldRows=rows,
            numHeightfieldColumns=rows,
        )
        self.ground = self.sim.createMultiBody(0, shape, basePosition=(0, 0, bump / 2))
