"""Evaluate a locomotion controller the way it is deployed: random command sequences through the bridge.

Commands are drawn every U(3, 8) s (forward speed and yaw rate from the ranges given,
lateral speed zero unless asked), handed to a :class:`~controllers.base.ControlledRobot`
at 10 Hz, ramped by the bridge, and tracked at 50 Hz. Tracking error is measured against
the bridged command the controller was actually given, in the trunk frame. A fall is
counted, the robot is set back on its feet, and the run goes on until the simulated
minutes are up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pybullet as pb
import pybullet_data
from pybullet_utils.bullet_client import BulletClient

from controllers.base import ControlledRobot
from controllers.commands import CONTROLLER_HZ, CommandBridge, VelocityCommand
from controllers.locomotion.controller import LocomotionController
from controllers.locomotion.env import DECIMATION, PHYSICS_DT
from scenes.robots.legged import LeggedRobot

SKILL_HZ = 10


def flat_world(controller: LocomotionController) -> tuple[BulletClient, LeggedRobot]:
    """A headless world at the controller's physics rate: gravity, a plane, the controller's robot."""
    sim = BulletClient(connection_mode=pb.DIRECT)
    sim.setGravity(0, 0, -9.81)
    sim.setTimeStep(PHYSICS_DT)
    sim.loadURDF(f"{pybullet_data.getDataPath()}/plane.urdf")
    return sim, LeggedRobot(sim._client, controller.spec)


@dataclass
class TrackingReport:
    """Velocity-tracking RMSE per axis (m/s, m/s, rad/s), falls, and simulated minutes."""

    rmse_vx: float
    rmse_vy: float
    rmse_wz: float
    falls: int
    sim_minutes: float
    commands: int

    def as_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def evaluate_tracking(
    controller: LocomotionController,
    minutes: float = 10.0,
    seed: int = 0,
    vx: tuple[float, float] = (-0.3, 0.8),
    vy: tuple[float, float] = (0.0, 0.0),
    wz: tuple[float, float] = (-0.8, 0.8),
    settle_s: float = 1.0,
) -> TrackingReport:
    """Run ``controller`` on flat ground for ``minutes`` simulated minutes of random commands.

    The first ``settle_s`` seconds after each new command (the ramp and the controller's
    transient) are excluded from the RMSE, as in the usual steady-state tracking metric.
    """
    rng = np.random.default_rng(seed)
    sim, robot = flat_world(controller)
    try:
        stack = ControlledRobot(
            robot, controller, CommandBridge(controller.envelope), sim.stepSimulation, DECIMATION
        )
        start_q = controller.gait.joint_targets(np.zeros(3), 0.0)
        height = controller.env_config.trot.stance_height + 0.03

        def stand_up() -> None:
            pos = robot.state().pos
            robot.reset(
                (float(pos[0]), float(pos[1]), height), yaw=float(rng.uniform(-np.pi, np.pi)), q=start_q
            )
            stack.reset()

        stand_up()
        ticks = round(minutes * 60 * CONTROLLER_HZ)
        per_skill_tick = CONTROLLER_HZ // SKILL_HZ
        errors: list[np.ndarray] = []
        falls = commands = 0
        next_change = since_change = 0
        command = VelocityCommand()
        for tick in range(ticks):
            if tick >= next_change:
                command = VelocityCommand(vx=rng.uniform(*vx), vy=rng.uniform(*vy), wz=rng.uniform(*wz))
                next_change = tick + round(rng.uniform(3.0, 8.0) * CONTROLLER_HZ)
                since_change = 0
                commands += 1
            if tick % per_skill_tick == 0:
                stack.command(command)
            state = stack.tick()
            since_change += 1
            if stack.fault is not None:
                falls += 1
                stand_up()
                continue
            if since_change > settle_s * CONTROLLER_HZ:
                measured = np.array([state.lin_vel_b[0], state.lin_vel_b[1], state.ang_vel_b[2]])
                errors.append(measured - stack.bridge.current.as_array())  # the command of this tick
        err = np.array(errors) if errors else np.zeros((1, 3))
        rmse = np.sqrt(np.mean(err**2, axis=0))
        return TrackingReport(
            float(rmse[0]), float(rmse[1]), float(rmse[2]), falls, ticks / CONTROLLER_HZ / 60, commands
        )
    finally:
        sim.disconnect()


@dataclass
class PushReport:
    """Share of pushes after which the robot stayed up, per impulse (N·s)."""

    impulses: list[float]
    recovered: list[float]
    trials: int

    def as_dict(self) -> dict[str, object]:
        return {"push_impulse": self.impulses, "push_recovery_rate": self.recovered, "trials": self.trials}


def evaluate_push_recovery(
    controller: LocomotionController,
    impulses: list[float],
    trials: int = 10,
    seed: int = 0,
    walk_s: float = 1.0,
    watch_s: float = 3.0,
) -> PushReport:
    """Push the walking robot's trunk with a planar impulse and see whether it stays up.

    Each trial stands the robot up, walks it for ``walk_s`` at a random command
    (vx ∈ [0, 0.5] m/s, wz ∈ [−0.4, 0.4] rad/s), applies ``impulse`` N·s in a random
    horizontal direction to the trunk in one physics step (force = impulse / dt), keeps
    the command for ``watch_s`` and counts a recovery if the interlock never latched.
    """
    rng = np.random.default_rng(seed)
    sim, robot = flat_world(controller)
    try:
        pending: list[np.ndarray] = []

        def physics() -> None:
            if pending:
                pos, _ = sim.getBasePositionAndOrientation(robot.body)
                sim.applyExternalForce(robot.body, -1, pending.pop().tolist(), pos, pb.WORLD_FRAME)
            sim.stepSimulation()

        stack = ControlledRobot(robot, controller, CommandBridge(controller.envelope), physics, DECIMATION)
        start_q = controller.gait.joint_targets(np.zeros(3), 0.0)
        height = controller.env_config.trot.stance_height + 0.03
        rates = []
        for impulse in impulses:
            ok = 0
            for _ in range(trials):
                robot.reset((0.0, 0.0, height), yaw=float(rng.uniform(-np.pi, np.pi)), q=start_q)
                stack.reset()
                command = VelocityCommand(vx=rng.uniform(0.0, 0.5), wz=rng.uniform(-0.4, 0.4))
                angle = rng.uniform(-np.pi, np.pi)
                for tick in range(round((walk_s + watch_s) * CONTROLLER_HZ)):
                    if tick % (CONTROLLER_HZ // SKILL_HZ) == 0 and stack.fault is None:
                        stack.command(command)
                    if tick == round(walk_s * CONTROLLER_HZ):
                        pending.append(impulse / PHYSICS_DT * np.array([np.cos(angle), np.sin(angle), 0.0]))
                    stack.tick()
                ok += stack.fault is None
            rates.append(ok / trials)
        return PushReport(list(impulses), rates, trials)
    finally:
        sim.disconnect()
