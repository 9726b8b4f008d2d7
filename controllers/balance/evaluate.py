"""Evaluate a balance controller the way it is deployed: posture commands through the bridge, random pushes.

Both evaluations run the controller inside a :class:`~controllers.base.ControlledRobot`
(posture bridge at 10 Hz in, 50 Hz controller, 200 Hz physics, fall interlock). A push
is a planar impulse (N·s) on the pelvis in a random horizontal direction, applied as a
force over one physics step; it counts as recovered when the interlock has not latched
``watch_s`` seconds later.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pybullet as pb
from pybullet_utils.bullet_client import BulletClient

from controllers.balance.controller import BalanceController, stand
from controllers.balance.env import DECIMATION, PHYSICS_DT, flat_ground
from controllers.balance.terms import trunk_roll_pitch
from controllers.base import ControlledRobot
from controllers.commands import CONTROLLER_HZ, PostureCommand
from controllers.locomotion.evaluate import PushReport
from scenes.robots.humanoid import HumanoidRobot

SKILL_HZ = 10
STATED_PUSH_IMPULSE_NS = 10.0
"""The push the shipped balance controller is rated for (N·s on the pelvis; see its model card)."""


class _PushedWorld:
    """A flat world with the controller's humanoid in a :class:`ControlledRobot` whose physics can push."""

    def __init__(self, controller: BalanceController) -> None:
        self.sim = BulletClient(connection_mode=pb.DIRECT)
        flat_ground(self.sim)
        self.robot = HumanoidRobot(self.sim._client, controller.spec)
        self.controller = controller
        self.pending: list[np.ndarray] = []
        self.stack = ControlledRobot(self.robot, controller, controller.bridge(), self.physics, DECIMATION)

    def physics(self) -> None:
        if self.pending:
            pos, _ = self.sim.getBasePositionAndOrientation(self.robot.body)
            self.sim.applyExternalForce(self.robot.body, -1, self.pending.pop().tolist(), pos, pb.WORLD_FRAME)
        self.sim.stepSimulation()

    def push(self, impulse: float, angle: float) -> None:
        """Queue a planar impulse (N·s) at ``angle`` (rad, world) for the next physics step."""
        self.pending.append(impulse / PHYSICS_DT * np.array([math.cos(angle), math.sin(angle), 0.0]))

    def stand_up(self, rng: np.random.Generator) -> None:
        """Place the robot at its nominal posture where it is, random heading; clear the interlock."""
        x, y = (float(v) for v in self.robot.state().pos[:2])
        stand(self.robot, self.controller, x, y, yaw=float(rng.uniform(-np.pi, np.pi)))
        self.stack.reset()
        self.pending.clear()

    def close(self) -> None:
        self.sim.disconnect()


@dataclass
class BalanceReport:
    """Falls, push recovery and posture tracking over a run of posture commands and pushes.

    ``rmse_vx``/``rmse_vy``/``rmse_wz`` are ``None``: a balance controller takes no velocity command.
    """

    falls: int
    sim_minutes: float
    pushes: int
    """Pushes whose outcome is known (a push less than ``watch_s`` before the end is not counted)."""
    push_impulse: float
    """Impulse of every push, N·s."""
    push_recovery_rate: float | None
    """Share of pushes not followed by a fall within ``watch_s`` (None without pushes)."""
    rmse_height: float
    """Pelvis height error against the bridged command, m."""
    rmse_roll: float
    rmse_pitch: float
    """Trunk roll/pitch errors, rad."""
    commands: int
    rmse_vx: float | None = None
    rmse_vy: float | None = None
    rmse_wz: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def evaluate_balance(
    controller: BalanceController,
    minutes: float = 10.0,
    seed: int = 0,
    push_impulse: float = 0.0,
    push_interval_s: tuple[float, float] = (4.0, 8.0),
    watch_s: float = 3.0,
    settle_s: float = 1.5,
) -> BalanceReport:
    """Hold random postures for ``minutes`` simulated minutes while being pushed every U(a, b) s.

    Postures are drawn in the controller's envelope every U(3, 8) s (nominal one time in
    three) and sent at 10 Hz; pushes of ``push_impulse`` N·s (none if 0) come every
    ``push_interval_s``. Tracking errors exclude ``settle_s`` after a command change or a push.
    A fall is counted, the robot is stood up again where it lies, and the run goes on.
    """
    rng = np.random.default_rng(seed)
    world = _PushedWorld(controller)
    env = controller.envelope
    try:
        world.stand_up(rng)
        ticks = round(minutes * 60 * CONTROLLER_HZ)
        errors: list[np.ndarray] = []
        falls = commands = pushes = recovered = 0
        next_push = round(rng.uniform(*push_interval_s) * CONTROLLER_HZ)  # used only if push_impulse > 0
        next_change = quiet = 0
        watching: int | None = None  # tick at which the last push's watch ends
        command = env.nominal
        for tick in range(ticks):
            if tick >= next_change:
                pick = env.nominal.as_array() if rng.random() < 1 / 3 else rng.uniform(env.low, env.high)
                command = PostureCommand.from_array(pick)
                next_change = tick + round(rng.uniform(3.0, 8.0) * CONTROLLER_HZ)
                commands += 1
                quiet = 0
            if push_impulse > 0 and tick >= next_push:
                world.push(push_impulse, float(rng.uniform(-np.pi, np.pi)))
                watching = tick + round(watch_s * CONTROLLER_HZ)
                next_push = tick + round(rng.uniform(*push_interval_s) * CONTROLLER_HZ)
                quiet = 0
            if tick % (CONTROLLER_HZ // SKILL_HZ) == 0:
                world.stack.command(command)
            state = world.stack.tick()
            quiet += 1
            if world.stack.fault is not None:
                falls += 1
                pushes += watching is not None  # a push followed by a fall within watch_s
                watching = None
                world.stand_up(rng)
                quiet = 0
                continue
            if watching is not None and tick >= watching:
                recovered += 1
                pushes += 1
                watching = None
            if quiet > settle_s * CONTROLLER_HZ:
                target = world.stack.bridge.current.as_array()
                measured = np.array([state.pos[2], *trunk_roll_pitch(state)])
                errors.append(measured - target)
        err = np.array(errors) if errors else np.full((1, 3), np.nan)
        rmse = np.sqrt(np.mean(err**2, axis=0))
        rate = recovered / pushes if pushes else None
        return BalanceReport(
            falls, ticks / CONTROLLER_HZ / 60, pushes, push_impulse, rate, *map(float, rmse), commands
        )
    finally:
        world.close()


def evaluate_push_recovery(
    controller: BalanceController,
    impulses: list[float],
    trials: int = 20,
    seed: int = 0,
    stand_s: float = 1.0,
    watch_s: float = 3.0,
) -> PushReport:
    """Push the standing robot once per trial and see whether it stays up.

    Each trial stands the robot at a random posture in the envelope (nominal one time in
    three), holds it ``stand_s``, applies the impulse in a random horizontal direction and
    counts a recovery if the interlock has not latched ``watch_s`` later. The same seed
    gives every impulse (and every controller) the same postures and directions.
    """
    world = _PushedWorld(controller)
    env = controller.envelope
    try:
        rates = []
        for impulse in impulses:
            rng = np.random.default_rng(seed)
            ok = 0
            for _ in range(trials):
                world.stand_up(rng)
                pick = env.nominal.as_array() if rng.random() < 1 / 3 else rng.uniform(env.low, env.high)
                command = PostureCommand.from_array(pick)
                angle = float(rng.uniform(-np.pi, np.pi))
                for tick in range(round((stand_s + watch_s) * CONTROLLER_HZ)):
                    if tick % (CONTROLLER_HZ // SKILL_HZ) == 0 and world.stack.fault is None:
                        world.stack.command(command)
                    if tick == round(stand_s * CONTROLLER_HZ) and impulse > 0:
                        world.push(impulse, angle)
                    world.stack.tick()
                ok += world.stack.fault is None
            rates.append(ok / trials)
        return PushReport(list(impulses), rates, trials)
    finally:
        world.close()
