"""Golden inputs and outputs of the committed low-level controllers (``controllers/checkpoints/**``).

A checkpoint is every ``NAME.safetensors`` or ``NAME.json`` there (the artifact pair of
:mod:`controllers.artifact`; the ``.md`` cards and ``.png`` figures are not).

Stored input (``input.safetensors``): :data:`TICKS` consecutive 50 Hz controller ticks recorded
from the checkpoint driving its own robot in PyBullet on flat ground, once: the robot's
:class:`~scenes.robots.legged.LeggedState` per tick (``state.pos`` ``(T, 3)`` m, ``state.quat``
``(T, 4)`` xyzw, ``state.lin_vel_b``/``state.ang_vel_b``/``state.gravity_b`` ``(T, 3)``,
``state.q``/``state.dq``/``state.tau`` ``(T, n_joints)``, float64) and ``command`` ``(T, 3)``
float64, the bridged command of that tick (``(vx, vy, wz)`` m/s, rad/s for locomotion;
``(height_m, roll, pitch)`` m, rad for balance); a step change of command half-way.

Golden (``golden.safetensors``): replaying those ticks open loop through a freshly loaded and
reset controller, ``targets`` ``(T, n_joints)`` rad (what ``act`` returns) and ``action``
``(T, action_dim)``, the policy's action after each tick (``controller.last_action``, in [-1, 1]).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import torch

from controllers.base import Controller
from controllers.catalog import load_controller
from controllers.commands import PostureCommand, VelocityCommand
from scenes.robots.legged import LeggedState
from tests.artifacts.goldens import Golden, deterministic_torch, sha256

CHECKPOINT_DIR = Path(__file__).parents[2] / "controllers" / "checkpoints"
KIND_DIR = "controllers"
TICKS = 30
STATE_FIELDS = tuple(f.name for f in fields(LeggedState))


def checkpoints(directory: Path = CHECKPOINT_DIR) -> list[str]:
    """Names (paths relative to ``directory``, no suffix) of every committed controller artifact."""
    found = [*directory.rglob("*.safetensors"), *directory.rglob("*.json")]
    return sorted({str(p.relative_to(directory).with_suffix("")) for p in found})


def checkpoint_files(name: str) -> tuple[Path, Path]:
    base = CHECKPOINT_DIR / name
    return base.with_name(base.name + ".safetensors"), base.with_name(base.name + ".json")


def load(name: str, inputs: Golden | None = None) -> Controller:
    """Checkpoint ``name`` through the real loader (the artifact's ``kind`` picks the class);
    ``inputs`` is unused (the VLA loader needs its stored instruction embeddings)."""
    return load_controller(CHECKPOINT_DIR / name)


def run(controller: Controller, inputs: Golden) -> Golden:
    """Replay the stored ticks through ``controller`` (reset first), deterministically."""
    command_type = controller.command_type
    targets, actions = [], []
    controller.reset()
    with deterministic_torch():
        for t in range(inputs.tensors["command"].shape[0]):
            state = LeggedState(**{f: inputs.tensors[f"state.{f}"][t].numpy().copy() for f in STATE_FIELDS})
            command = command_type.from_array(inputs.tensors["command"][t].numpy())
            targets.append(np.asarray(controller.act(state, command), np.float64))
            actions.append(np.asarray(controller.last_action, np.float64).copy())  # type: ignore[attr-defined]
    return Golden(
        {"targets": torch.from_numpy(np.stack(targets)), "action": torch.from_numpy(np.stack(actions))}
    )


def golden_metadata(name: str) -> dict[str, str]:
    return {"checkpoint_sha256": sha256(*checkpoint_files(name)), "torch": torch.__version__}


class _Recorder:
    """Stands in for the controller inside a ControlledRobot and records what ``act`` is given."""

    def __init__(self, controller: Controller) -> None:
        self.controller, self.hz = controller, controller.hz
        self.states: list[dict[str, np.ndarray]] = []
        self.commands: list[np.ndarray] = []

    def reset(self) -> None:
        self.controller.reset()

    def act(self, observation: LeggedState, command: VelocityCommand | PostureCommand) -> np.ndarray:
        self.states.append({f: np.array(getattr(observation, f), np.float64) for f in STATE_FIELDS})
        self.commands.append(command.as_array())
        return self.controller.act(observation, command)


def render_inputs(name: str, cache: dict | None = None) -> Golden:
    """Run checkpoint ``name`` on its robot on flat ground for :data:`TICKS` ticks and record them
    (``cache`` is unused: each controller drives its own robot)."""
    from controllers.base import ControlledRobot

    controller = load(name)
    kind = controller.policy.meta.kind  # type: ignore[attr-defined]
    recorder = _Recorder(controller)
    if kind == "locomotion":
        from controllers.commands import CommandBridge
        from controllers.locomotion.env import DECIMATION
        from controllers.locomotion.evaluate import flat_world

        sim, robot = flat_world(controller)  # type: ignore[arg-type]
        bridge = CommandBridge(controller.envelope)  # type: ignore[attr-defined]
        height = controller.env_config.trot.stance_height + 0.03  # type: ignore[attr-defined]
        robot.reset((0.0, 0.0, height), yaw=0.3, q=controller.gait.joint_targets(np.zeros(3), 0.0))  # type: ignore[attr-defined]
        commands = [VelocityCommand(vx=0.5, wz=0.2), VelocityCommand(vx=0.1, vy=0.2, wz=-0.4)]
    elif kind == "balance":
        import pybullet as pb
        from pybullet_utils.bullet_client import BulletClient

        from controllers.balance.controller import stand
        from controllers.balance.env import DECIMATION, flat_ground
        from scenes.robots.humanoid import HumanoidRobot

        sim = BulletClient(connection_mode=pb.DIRECT)
        flat_ground(sim)
        robot = HumanoidRobot(sim._client, controller.spec)  # type: ignore[attr-defined]
        bridge = controller.bridge()  # type: ignore[attr-defined]
        stand(robot, controller, 0.0, 0.0, yaw=0.3)  # type: ignore[arg-type]
        nominal = controller.envelope.nominal  # type: ignore[attr-defined]
        commands = [nominal, PostureCommand(height_m=nominal.height_m - 0.05, roll=0.05, pitch=0.1)]
    else:
        raise ValueError(f"{name}: no golden input recipe for controller kind {kind!r}; add one here")
    try:
        stack = ControlledRobot(robot, recorder, bridge, sim.stepSimulation, DECIMATION)  # type: ignore[arg-type]
        stack.reset()
        for tick in range(TICKS):
            if tick % 5 == 0:  # skill rate 10 Hz
                stack.command(commands[tick * 2 // TICKS])
            stack.tick()
    finally:
        sim.disconnect()
    tensors = {
        f"state.{f}": torch.from_numpy(np.stack([s[f] for s in recorder.states])) for f in STATE_FIELDS
    }
    tensors["command"] = torch.from_numpy(np.stack(recorder.commands))
    source = (
        f"{name} on flat ground, {TICKS} ticks, commands {[c.as_array().round(3).tolist() for c in commands]}"
    )
    return Golden(tensors, {"source": source, "kind": kind})
