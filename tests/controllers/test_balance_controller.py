"""The balance controller: save -> load gives SB3's own actions, the interlock latches on the humanoid,
posture commands are bridged and clipped, and the shipped artifact (if any) loads as a balance controller."""

from __future__ import annotations

import numpy as np
import pybullet as pb
import pytest

from controllers.artifact import ArtifactError, export_sb3
from controllers.balance.controller import BalanceController, pd_prior_policy
from controllers.balance.env import DECIMATION, HumanoidBalanceEnv
from controllers.balance.evaluate import _PushedWorld, evaluate_balance, evaluate_push_recovery
from controllers.base import ControlledRobot, SafeStop
from controllers.catalog import load_controller, shipped_controllers
from controllers.commands import PostureBridge, PostureCommand, PostureEnvelope, VelocityCommand
from controllers.locomotion.controller import open_loop_policy
from controllers.train import policy_of
from tests.controllers.helpers import tiny_ppo


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A PPO model after one tiny update, exported as a balance artifact."""
    config = {"episode_s": 0.5}
    model, venv = tiny_ppo(lambda: HumanoidBalanceEnv(config))
    path = tmp_path_factory.mktemp("artifact") / "balance"
    env_config = HumanoidBalanceEnv(config).config.model_dump()
    export_sb3(model, venv, kind="balance", recipe="test", env_config=env_config, provenance={}, path=path)
    yield model, venv, path
    venv.close()


def test_save_load_gives_identical_actions(trained) -> None:
    """The loaded controller's joint targets equal those rebuilt from SB3's own deterministic actions."""
    model, venv, path = trained
    controller = load_controller(path)
    assert isinstance(controller, BalanceController)
    reference = policy_of(model, venv)
    env = HumanoidBalanceEnv({"episode_s": 0.5})
    env.reset(seed=3)
    filtered = np.zeros(28)
    command = PostureCommand(height_m=0.8, roll=0.05, pitch=0.1)
    for _ in range(10):
        state = env.robot.state()
        targets = controller.act(state, command)
        cmd = command.as_array()
        prior = controller.prior(cmd)
        obs = np.concatenate(
            [
                state.gravity_b,
                state.ang_vel_b,
                state.lin_vel_b,
                cmd - controller.nominal,
                state.q - prior,
                state.dq,
                filtered,
            ]
        )
        filtered = filtered + 0.3 * (np.clip(reference(obs), -1, 1) - filtered)
        np.testing.assert_allclose(targets, prior + 0.15 * filtered, atol=1e-5)
        env.step(np.zeros(28))
    env.close()


def test_controller_refuses_velocity_commands_and_locomotion_artifacts() -> None:
    controller = BalanceController(pd_prior_policy())
    env = HumanoidBalanceEnv({"episode_s": 0.5})
    env.reset(seed=0)
    with pytest.raises(TypeError, match="does not walk"):
        controller.act(env.robot.state(), VelocityCommand(vx=0.3))
    env.close()
    with pytest.raises(ArtifactError, match="not balance"):
        BalanceController(open_loop_policy())


def test_prior_policy_returns_the_prior_pose() -> None:
    controller = BalanceController(pd_prior_policy())
    env = HumanoidBalanceEnv({"episode_s": 0.5})
    env.reset(seed=0)
    command = PostureCommand(height_m=0.78, pitch=0.2)
    np.testing.assert_allclose(controller.act(env.robot.state(), command), controller.prior(command))
    env.close()


def test_posture_bridge_clips_ramps_and_holds() -> None:
    bridge = PostureBridge(PostureEnvelope())
    assert bridge.step() == PostureEnvelope().nominal
    bridge.set(PostureCommand(height_m=0.5, pitch=0.3))
    assert bridge.clipped  # 0.5 m is below the envelope's 0.76 m
    first = bridge.step().as_array()
    np.testing.assert_allclose(first, [0.85 - 0.1 / 50, 0.0, 0.3 / 50])  # 0.1 m/s, 0.3 rad/s
    for _ in range(200):
        last = bridge.step()
    assert last == PostureCommand(height_m=0.76, pitch=0.3)  # reached and held, no timeout
    with pytest.raises(TypeError):
        bridge.set(VelocityCommand())


def test_interlock_latches_on_the_humanoid() -> None:
    world = _PushedWorld(BalanceController(pd_prior_policy()))
    stack: ControlledRobot = world.stack
    try:
        world.stand_up(np.random.default_rng(0))
        for tick in range(50):  # 1 s standing: no fault
            if tick % 5 == 0:
                stack.command(PostureCommand(height_m=0.82))
            stack.tick()
        assert stack.fault is None and stack.substeps == DECIMATION
        assert stack.handoffs[-1].command == (0.82, 0.0, 0.0)
        world.sim.resetBasePositionAndOrientation(
            world.robot.body, (0, 0, 0.5), pb.getQuaternionFromEuler((1.6, 0, 0))
        )
        stack.tick()
        assert stack.fault is not None and stack.fault.startswith("safe stop: the robot fell")
        assert np.all(world.robot.kp == 0.0)
        with pytest.raises(SafeStop, match="fell"):
            stack.command(PostureCommand(height_m=0.82))
        stack.tick()  # still ticks, limp
        stack.reset()
        assert stack.fault is None
        np.testing.assert_array_equal(world.robot.kp, world.robot.spec.kp)
    finally:
        world.close()


def test_evaluations_separate_standing_from_violent_pushes() -> None:
    prior = BalanceController(pd_prior_policy())
    curve = evaluate_push_recovery(prior, [0.0, 150.0], trials=2, seed=0, stand_s=0.5, watch_s=1.5)
    assert curve.recovered == [1.0, 0.0]
    report = evaluate_balance(prior, minutes=0.1, seed=0, push_impulse=150.0, push_interval_s=(1.0, 2.0))
    assert report.pushes >= 2 and report.falls >= 2 and report.push_recovery_rate == 0.0
    assert report.rmse_vx is None and report.sim_minutes == pytest.approx(0.1)


@pytest.mark.parametrize("name", [n for n, v in shipped_controllers().items() if v["kind"] == "balance"])
def test_shipped_balance_controllers_load(name: str) -> None:
    controller = load_controller(name)
    assert isinstance(controller, BalanceController)
    assert controller.command_type is PostureCommand
