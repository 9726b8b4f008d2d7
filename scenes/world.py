"""World records and PyBullet builders shared by every scene.

A scene is built from *fixtures* (static boxes: furniture, walls, container walls),
*places* (named receptacles with a placement :class:`Region` and an approach pose for
the base) and *objects* (movable primitives described by :class:`ObjectShape`).
All coordinates are world frame, metres and radians.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pybullet as p

from scenes.geometry import Rect

Color = tuple[float, float, float, float]


@dataclass(frozen=True)
class Region:
    """Where objects rest in a receptacle: an axis-aligned xy rectangle and heights.

    Attributes:
        center: ``(x, y)`` of the rectangle (m, world).
        half: ``(hx, hy)`` half sizes (m).
        support_z: height of the supporting surface (m); an object in the region rests on it.
        rim_z: top of the receptacle's walls (m); equals ``support_z`` for a flat surface.
        drop: objects are released above the rim instead of lowered onto the support
            (deep containers such as a trash bin).
    """

    center: tuple[float, float]
    half: tuple[float, float]
    support_z: float
    rim_z: float
    drop: bool = False

    def contains_xy(self, xy: np.ndarray, margin: float = 0.0) -> bool:
        """Whether ``xy`` lies in the rectangle grown by ``margin`` (m; negative shrinks)."""
        d = np.abs(np.asarray(xy[:2]) - np.asarray(self.center))
        return bool(d[0] <= self.half[0] + margin and d[1] <= self.half[1] + margin)


@dataclass(frozen=True)
class Place:
    """A named place. ``approach`` is the base pose ``(x, y, yaw)`` from which the arm reaches
    the region (``None`` for a fixed robot's workspace).

    ``region`` is where objects are put (experts place and seeds spawn inside it); ``surface``
    is the whole support it lies on (a counter top, a sink's basin floor), so an object pushed
    or dropped off the region but still resting on that support is still in the place.
    ``None``: the region is the whole support (containers, whose region is their floor).
    """

    id: str
    name: str
    category: str
    region: Region
    approach: tuple[float, float, float] | None = None
    synonyms: tuple[str, ...] = ()
    receptacle: bool = True
    surface: Region | None = None

    @property
    def extent(self) -> Region:
        """Where an object counts as in the place: ``surface`` if set, else ``region``."""
        return self.surface if self.surface is not None else self.region


@dataclass(frozen=True)
class ObjectShape:
    """Geometry of a primitive object.

    Attributes:
        kind: ``"box"``, ``"cylinder"`` or ``"sphere"``.
        size: box: full extents ``(sx, sy, sz)``; cylinder: ``(diameter, diameter, height)``;
            sphere: ``(d, d, d)``. A box's grasp axis is its local y (``sy`` must be the
            narrow horizontal side); round shapes can be grasped along any axis.
        mass: kg.
    """

    kind: str
    size: tuple[float, float, float]
    mass: float

    @property
    def height(self) -> float:
        """Height when upright (m)."""
        return self.size[2]

    @property
    def radius(self) -> float:
        """Radius of the xy footprint's circumscribed circle (m)."""
        if self.kind == "box":
            return 0.5 * math.hypot(self.size[0], self.size[1])
        return 0.5 * self.size[0]

    @property
    def grasp_width(self) -> float:
        """Width across the grasp axis (m)."""
        return self.size[1]


@dataclass
class ObjectRecord:
    """A movable object in a built scene."""

    id: str
    name: str
    category: str
    colour: str
    home: str | None
    shape: ObjectShape
    body: int = -1
    extras: dict[str, float] = field(default_factory=dict)


def add_box(
    client: int, center: tuple[float, float, float], half: tuple[float, float, float], color: Color
) -> int:
    """A static box fixture (mass 0)."""
    col = p.createCollisionShape(p.GEOM_BOX, halfExtents=half, physicsClientId=client)
    vis = p.createVisualShape(p.GEOM_BOX, halfExtents=half, rgbaColor=color, physicsClientId=client)
    body = p.createMultiBody(0.0, col, vis, center, physicsClientId=client)
    p.changeDynamics(body, -1, lateralFriction=0.8, physicsClientId=client)
    return body


def box_rect(center: tuple[float, float, float], half: tuple[float, float, float]) -> Rect:
    """xy footprint of an axis-aligned box."""
    return (center[0] - half[0], center[1] - half[1], center[0] + half[0], center[1] + half[1])


def add_container(
    client: int,
    center_xy: tuple[float, float],
    inner_half: tuple[float, float],
    floor_z: float,
    wall_height: float,
    color: Color,
    wall: float = 0.015,
    plate: float = 0.015,
) -> Region:
    """An open box (plate + four walls) whose inner floor is at ``floor_z + plate``.

    Returns the region of its inner floor, shrunk by 2.5 cm (room for a finger beside a
    wall), with ``rim_z`` at the wall tops.
    """
    cx, cy = center_xy
    hx, hy = inner_half
    add_box(client, (cx, cy, floor_z + plate / 2), (hx + wall, hy + wall, plate / 2), color)
    top = floor_z + plate + wall_height
    zc = floor_z + plate + wall_height / 2
    hz = wall_height / 2
    add_box(client, (cx + hx + wall / 2, cy, zc), (wall / 2, hy + wall, hz), color)
    add_box(client, (cx - hx - wall / 2, cy, zc), (wall / 2, hy + wall, hz), color)
    add_box(client, (cx, cy + hy + wall / 2, zc), (hx, wall / 2, hz), color)
    add_box(client, (cx, cy - hy - wall / 2, zc), (hx, wall / 2, hz), color)
    return Region((cx, cy), (hx - 0.025, hy - 0.025), floor_z + plate, top)


ROLLING_FRICTION_M = 0.002
"""PyBullet ``rollingFriction`` (m: resisting torque per newton of contact force) of shapes that
can roll, spheres and cylinders. Without it a cylinder knocked onto its side does not stop: a
bottle lying on the floor, set rolling at 0.3 m/s, is still rolling 20 s later, 2.5 m on; in
tidying runs a bottle tipped over on the shelf rolled off it during the next drive, and a can
lying in the bin rocked between its walls for the rest of the episode. With 0.002 (what
spheres always had) the bottle stops 8 cm on, a mug 10 cm (``tests/scenes/test_world.py``).
Boxes do not roll and keep 0."""


def add_object(client: int, shape: ObjectShape, color: Color, pos: np.ndarray, yaw: float) -> int:
    """A dynamic primitive object resting at ``pos`` (its centre) with ``yaw`` (rad)."""
    sx, sy, sz = shape.size
    if shape.kind == "box":
        half = [sx / 2, sy / 2, sz / 2]
        col = p.createCollisionShape(p.GEOM_BOX, halfExtents=half, physicsClientId=client)
        vis = p.createVisualShape(p.GEOM_BOX, halfExtents=half, rgbaColor=color, physicsClientId=client)
    elif shape.kind == "cylinder":
        col = p.createCollisionShape(p.GEOM_CYLINDER, radius=sx / 2, height=sz, physicsClientId=client)
        vis = p.createVisualShape(
            p.GEOM_CYLINDER, radius=sx / 2, length=sz, rgbaColor=color, physicsClientId=client
        )
    elif shape.kind == "sphere":
        col = p.createCollisionShape(p.GEOM_SPHERE, radius=sx / 2, physicsClientId=client)
        vis = p.createVisualShape(p.GEOM_SPHERE, radius=sx / 2, rgbaColor=color, physicsClientId=client)
    else:
        raise ValueError(f"unknown shape kind {shape.kind!r}")
    body = p.createMultiBody(
        shape.mass, col, vis, list(pos), p.getQuaternionFromEuler((0, 0, yaw)), physicsClientId=client
    )
    p.changeDynamics(
        body,
        -1,
        lateralFriction=1.2,
        spinningFriction=0.002,
        rollingFriction=0.0 if shape.kind == "box" else ROLLING_FRICTION_M,
        linearDamping=0.1,
        angularDamping=0.3,
        physicsClientId=client,
    )
    return body
