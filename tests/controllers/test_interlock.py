"""The controlled-robot stack: hand-offs are logged, a fall latches the safe-stop interlock."""

from __future__ import annotations

import numpy as np
import pybullet as pb
import pybullet_data
import pytest
from pybullet_utils.bullet_client import BulletClient

from controllers.artifact import ArtifactError
from controllers.base import ControlledRobot, SafeStop
from controllers.commands import CommandBridge, VelocityCommand
from controllers.locomotion.controller import LocomotionController, open_loop_policy
from controllers.locomotion.env import DECIMATION, PHYSICS_DT
from scenes.robots.legged import LeggedRobot


@pytest.fixture
def stack():
    sim = BulletClient(connection_mode=pb.DIRECT)
    sim.setGravity(0, 0, -9.81)
    sim.setTimeStep(PHYSICS_DT)
    sim.loadURDF(f"{pybullet_data.getDataPath()}/plane.urdf")
    controller = LocomotionController(open_loop_policy())
    robot = LeggedRobot(sim._client, controller.spec)
    robot.reset((0, 0, 0.3), q=controller.gait.joint_targets(np.zeros(3), 0.0))
    yield (
        ControlledRobot(
            robot, controller, CommandBridge(controller.envelope), sim.stepSimulation, DECIMATION
        ),
        sim,
    )
    sim.disconnect()


def test_walks_without_fault_and_logs_handoffs(stack) -> None:
    robot, _ = stack
    for tick in range(100):  # 2 s
        if tick % 5 == 0:
            robot.command(VelocityCommand(vx=0.4))
        robot.tick()
    assert robot.fault is None
    assert len(robot.handoffs) == 20
    assert robot.handoffs[-1].command == (0.4, 0.0, 0.0) and not robot.handoffs[-1].clipped
    assert robot.time_s == pytest.approx(2.0)


def test_fall_latches_safe_stop_until_reset(stack) -> None:
    robot, sim = stack
    robot.command(VelocityCommand(vx=5.0))
    assert robot.handoffs[-1].clipped  # outside the trained envelope
    sim.resetBasePositionAndOrientation(
        robot.robot.body, (0, 0, 0.25), pb.getQuaternionFromEuler((2.5, 0, 0))
    )
    robot.tick()
    assert robot.fault is not None and robot.fault.startswith("safe stop: the robot fell")
    assert np.all(robot.robot.kp == 0.0)  # limp-damped, not fighting the ground
    with pytest.raises(SafeStop, match="fell"):
        robot.command(VelocityCommand(vx=0.1))
    robot.tick()  # still ticks (damped) without raising
    robot.reset()
    assert robot.fault is None and robot.robot.kp[0] == robot.robot.spec.kp
    robot.command(VelocityCommand())


def test_controller_refuses_a_balance_artifact() -> None:
    with pytest.raises(ArtifactError, match="not locomotion"):
        LocomotionController(open_loop_policy(kind="balance"))
