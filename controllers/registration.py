"""Shipped controllers in the ``CONTROLLERS`` registry, so scenes can look them up by name.

Every artifact in ``controllers/checkpoints/`` (see :func:`controllers.catalog.shipped_controllers`)
is registered under its name as a :class:`ShippedController`: a small factory that says
which robot model it drives and which command it takes, and builds the running stack
(:class:`VelocityDrive`, a :class:`~controllers.base.ControlledRobot` behind the
:class:`scenes.robots.quadruped.LeggedDrive` protocol) for a robot a scene has spawned.

Why a registry and not an import: scenes sit below controllers (DESIGN.md), yet a legged
scene needs a controller to turn 10 Hz base velocity commands into joint targets. The
scene asks ``CONTROLLERS.get(name)`` for the factory; this module is advertised under the
``agentrt.controllers`` entry point group, like any plugin, so a user's controller package
registers the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from agentrt.core.registry import CONTROLLERS
from controllers.base import ControlledRobot, Controller, Handoff, SafeStop
from controllers.catalog import load_controller, shipped_controllers
from controllers.commands import CommandBridge, VelocityCommand
from scenes.robots.legged import LeggedRobot


class VelocityDrive:
    """A velocity-tracking controller stack on one robot (satisfies ``LeggedDrive``).

    Args:
        name: controller registry name.
        controller: a loaded controller taking :class:`VelocityCommand` (with ``envelope``,
            ``gait`` and ``env_config``, as
            :class:`~controllers.locomotion.controller.LocomotionController` has).
        robot: the robot the scene spawned.
        step_physics: advances the scene's world by one physics step.
    """

    def __init__(
        self, name: str, controller: Controller, robot: LeggedRobot, step_physics: Callable[[], None]
    ) -> None:
        from controllers.locomotion.env import DECIMATION

        self.name = name
        self.controller = controller
        self.robot = robot
        self.hz = controller.hz
        self.substeps = DECIMATION
        self.stack = ControlledRobot(
            robot,
            controller,
            CommandBridge(controller.envelope),
            step_physics,
            DECIMATION,  # type: ignore[attr-defined]
        )

    @property
    def fault(self) -> str | None:
        return self.stack.fault

    @property
    def handoffs(self) -> list[Handoff]:
        return self.stack.handoffs

    def stand(self, x: float, y: float, yaw: float) -> None:
        """Stand in the gait's standing pose at ``(x, y)`` heading ``yaw``; reset the stack."""
        gait, env_config = self.controller.gait, self.controller.env_config  # type: ignore[attr-defined]
        q0 = gait.joint_targets(np.zeros(3), 0.0)
        self.robot.reset((x, y, env_config.trot.stance_height + 0.03), yaw=yaw, q=q0)
        self.stack.reset()

    def command(self, vx: float, vy: float, wz: float) -> bool:
        try:
            self.stack.command(VelocityCommand(vx=float(vx), vy=float(vy), wz=float(wz)))
        except SafeStop as exc:
            raise RuntimeError(str(exc)) from None
        return self.stack.handoffs[-1].clipped

    def tick(self) -> None:
        self.stack.tick()


@dataclass
class ShippedController:
    """A shipped controller artifact as a ``CONTROLLERS`` entry.

    Attributes:
        name: artifact name (``a1-locomotion``).
        kind: artifact kind (``locomotion``, ...).
        robot: robot model the policy was trained on (``a1``).
    """

    name: str
    kind: str
    robot: str
    _command: str | None = field(default=None, repr=False)

    @property
    def command(self) -> str:
        """``"velocity"`` or ``"posture"``: read from the loaded controller's ``command_type``."""
        if self._command is None:
            command_type = type(load_controller(self.name)).command_type
            self._command = "velocity" if issubclass(command_type, VelocityCommand) else "posture"
        return self._command

    def drive(self, robot: LeggedRobot, step_physics: Callable[[], None]) -> VelocityDrive:
        """A fresh controller (own gait phase) running ``robot``.

        Raises:
            ValueError: the controller does not take velocity commands.
        """
        if self.command != "velocity":
            raise ValueError(
                f"controller {self.name!r} takes {self.command} commands, not base velocity commands"
            )
        return VelocityDrive(self.name, load_controller(self.name), robot, step_physics)


for _name, _info in shipped_controllers().items():
    CONTROLLERS.add(_name, ShippedController(_name, str(_info["kind"]), str(_info["robot"])))

__all__ = ["ShippedController", "VelocityDrive"]
