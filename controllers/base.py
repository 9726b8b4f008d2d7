"""The controller interface, and the stack that runs one on a legged robot with a safe-stop interlock.

A :class:`Controller` maps (robot state, command) to joint targets at
:data:`~controllers.commands.CONTROLLER_HZ`. A :class:`ControlledRobot` is what a skill
drives: it takes ~10 Hz commands, bridges them to 50 Hz (:class:`CommandBridge`), runs the
controller and the joint PD, and watches for falls. Once the robot falls the interlock
latches: joints go limp-damped (no stiffness, so a fallen robot does not thrash), every
further command is refused, and :attr:`ControlledRobot.fault` says why — the skill
returns that as its failure reason, so the planner sees it. Only :meth:`reset` clears it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from agentrt.core.registry import Registry
from controllers.commands import CONTROLLER_HZ, CommandBridge, PostureCommand, VelocityCommand
from scenes.robots.legged import LeggedRobot, LeggedState

CONTROLLER_KINDS: Registry = Registry("controller_kind")
"""Deployed controller classes by the artifact ``kind`` they load (``locomotion``, ``balance``); a new
kind registers its :class:`Controller` subclass, advertised under ``agentrt.controller_kinds``."""


class Controller(ABC):
    """Robot state + command -> joint targets ``(n_joints,)`` in rad, once per 1/``hz`` s."""

    hz: ClassVar[int] = CONTROLLER_HZ
    command_type: ClassVar[type[VelocityCommand] | type[PostureCommand]] = VelocityCommand

    @abstractmethod
    def reset(self) -> None:
        """Forget internal state (gait phase, last action) before a new episode."""

    @abstractmethod
    def act(self, observation: LeggedState, command: VelocityCommand | PostureCommand) -> np.ndarray:
        """Joint targets (rad) for this tick, in the robot spec's joint order."""


@dataclass(frozen=True)
class Handoff:
    """One command handed from a skill to a controller (for the episode's provenance)."""

    time_s: float
    """Simulated time of the hand-off, s."""
    command: tuple[float, ...]
    clipped: bool
    """Whether the command was outside the controller's envelope and clipped."""


class SafeStop(RuntimeError):
    """Raised by :meth:`ControlledRobot.command` once the fall interlock has latched."""


class ControlledRobot:
    """A legged robot, its controller, the 10→50 Hz command bridge and the fall interlock.

    ``step_physics`` advances the world by one physics step (the scene owns the
    simulation); ``substeps`` physics steps make one controller tick.
    """

    def __init__(
        self,
        robot: LeggedRobot,
        controller: Controller,
        bridge: CommandBridge,
        step_physics: Callable[[], None],
        substeps: int,
    ) -> None:
        self.robot = robot
        self.controller = controller
        self.bridge = bridge
        self.step_physics = step_physics
        self.substeps = substeps
        self.time_s = 0.0
        self.handoffs: list[Handoff] = []
        self.fault: str | None = None
        """Why the interlock latched (``None`` while the robot is up)."""

    def reset(self) -> None:
        """Clear the interlock, bridge, controller and hand-off log (after the scene reset the robot)."""
        self.robot.kp[:] = self.robot.spec.kp
        self.robot.kd[:] = self.robot.spec.kd
        self.controller.reset()
        self.bridge.reset()
        self.fault = None
        self.time_s = 0.0
        self.handoffs = []

    def command(self, command: VelocityCommand) -> None:
        """A skill's command (held and ramped until the next one). Raises :class:`SafeStop` after a fall."""
        if self.fault is not None:
            raise SafeStop(self.fault)
        self.bridge.set(command)
        self.handoffs.append(Handoff(self.time_s, tuple(command.as_array().round(4)), self.bridge.clipped))

    def tick(self) -> LeggedState:
        """One controller tick: bridge, controller, ``substeps`` physics steps of PD; checks for a fall."""
        state = self.robot.state()
        if self.fault is None:
            targets = self.controller.act(state, self.bridge.step())
        else:
            targets = state.q  # limp-damped: kp = 0 below, so only damping acts
        for _ in range(self.substeps):
            self.robot.apply_pd(targets)
            self.step_physics()
        self.time_s += 1.0 / self.controller.hz
        state = self.robot.state()
        if self.fault is None and (why := self.robot.fallen(state)) is not None:
            self.fault = f"safe stop: the robot fell ({why})"
            self.robot.kp[:] = 0.0
            self.robot.kd[:] = 2.0 * self.robot.spec.kd
        return state
