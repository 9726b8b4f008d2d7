"""Legged robot models registered in ``ROBOTS``, and the drive a legged scene needs from its controller.

A legged scene (``house-v0``) spawns a :class:`~scenes.robots.legged.LeggedRobot` from a
registered :class:`LeggedModel` and asks the ``CONTROLLERS`` registry for a controller
that drives that model. The controller side (``controllers/registration.py``) returns an
object satisfying :class:`LeggedDrive`: the scene hands it base velocity commands at the
10 Hz skill rate and ticks it at the controller rate. The scene never imports
``controllers/`` (it sits above scenes); this protocol is the whole interface.

Frames and units: a command is ``(vx, vy, wz)`` in the trunk's heading frame (x forward,
y left), m/s and rad/s.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

from agentrt.core.registry import ROBOTS
from scenes.robots.legged import A1, LeggedRobot, LeggedSpec


class LeggedModel:
    """A legged robot model a scene can spawn.

    Class attributes say what the model is; :meth:`spawn` loads it into a physics client.
    """

    name: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    """What ``--robot`` also accepts for this model: ``"quadruped"``, ``"humanoid"``."""
    spec: ClassVar[LeggedSpec]
    footprint_radius_m: ClassVar[float] = 0.3
    """Radius of the circle (m) that covers trunk and feet from above, for the navigation map."""
    camera_offset: ClassVar[tuple[float, float, float]] = (0.25, 0.0, 0.06)
    """Head camera position in the trunk frame (m)."""
    mobile: ClassVar[bool] = True

    @classmethod
    def spawn(cls, client: int) -> LeggedRobot:
        """Load the model into ``client`` (pose set later by the controller's ``stand``)."""
        return LeggedRobot(client, cls.spec)


@ROBOTS.register("a1")
class A1Model(LeggedModel):
    """``a1``: Unitree A1 quadruped (12 joints), walked by a locomotion controller (``a1-locomotion``)."""

    name = "a1"
    kind = "quadruped"
    spec = A1
    footprint_radius_m = 0.3
    camera_offset = (0.25, 0.0, 0.06)


@runtime_checkable
class LeggedDrive(Protocol):
    """A controller stack running one legged robot (implemented in ``controllers/registration.py``).

    Attributes:
        name: the controller's registry name (recorded with the hand-offs).
        hz: controller ticks per simulated second (e.g. 50).
        substeps: physics steps per tick; the scene's physics rate is ``hz * substeps``.
        fault: why the fall interlock latched, ``None`` while the robot is up.
        handoffs: every command handed over so far (``time_s``, ``command``, ``clipped``).
    """

    name: str
    hz: int
    substeps: int
    fault: str | None
    handoffs: list[Any]

    def stand(self, x: float, y: float, yaw: float) -> None:
        """Put the robot on its feet at world ``(x, y)`` heading ``yaw`` and reset the stack."""

    def command(self, vx: float, vy: float, wz: float) -> bool:
        """Hand over a base velocity command; returns whether it was clipped to the envelope.

        Raises:
            RuntimeError: the interlock has latched (``fault`` says why).
        """

    def tick(self) -> None:
        """One controller tick: ``substeps`` physics steps of joint PD; latches ``fault`` on a fall."""


def legged_models() -> dict[str, type[LeggedModel]]:
    """Registered legged models by name."""
    return {
        name: cls for name, cls in ROBOTS.items() if isinstance(cls, type) and issubclass(cls, LeggedModel)
    }


def resolve_model(robot: str) -> list[type[LeggedModel]]:
    """Legged models named ``robot`` (a model name), or of kind ``robot`` (``"quadruped"``)."""
    models = legged_models()
    if robot in models:
        return [models[robot]]
    return [cls for cls in models.values() if cls.kind == robot]


def model_kind(robot: str) -> str:
    """The kind of a registered robot model; an unregistered name is taken as its own kind."""
    cls: Any = ROBOTS.get(robot) if robot in ROBOTS else None
    return str(getattr(cls, "kind", "") or robot)


__all__ = ["A1Model", "LeggedDrive", "LeggedModel", "legged_models", "model_kind", "resolve_model"]
