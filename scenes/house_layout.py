"""The fixed floor plan of ``house-v0``: rooms, walls with doorways, furniture, and the objects' homes.

World frame, metres, z up. The house spans x in [-4, 4], y in [-3, 3], split into four
rooms by a wall along x = 0 and one along y = 0, each with two 1 m doorways, so the rooms
form a ring::

      y
      3 +-----------------+-----------------+
        |  bedroom        D  kitchen        |      D: doorway
        |                 |                 |
      0 +----D------------+------------D----+
        |  living_room    |  bathroom       |
        |                 D                 |
     -3 +-----------------+-----------------+
       -4                 0                 4   x

Doorways: bedroom-kitchen at x = 0, y in [1, 2]; living_room-bathroom at x = 0,
y in [-2, -1]; bedroom-living_room at y = 0, x in [-2.5, -1.5]; kitchen-bathroom at
y = 0, x in [2, 3].
"""

from __future__ import annotations

from dataclasses import dataclass

from scenes.assets import ObjectKind
from scenes.world import ObjectShape

WALL_HALF_M = 0.05
"""Half thickness of every wall (m)."""
WALL_HEIGHT_M = 1.2
DOOR_M = 1.0
"""Doorway width (m)."""


@dataclass(frozen=True)
class Room:
    """A room: its floor rectangle and the point navigation aims for when asked to go there.

    Attributes:
        id, name: place id and natural name. synonyms: other names people use.
        rect: ``(xmin, ymin, xmax, ymax)`` of the floor between the wall centre lines (m).
        stand: ``(x, y)`` free floor near the middle of the room, clear of furniture (m).
        color: floor tint (RGBA) so camera images tell rooms apart.
    """

    id: str
    name: str
    rect: tuple[float, float, float, float]
    stand: tuple[float, float]
    color: tuple[float, float, float, float]
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Furniture:
    """A static box; a receptacle when ``place`` is set (objects rest on its top).

    Attributes:
        center, half: box centre and half sizes (m).
        place: place id of its top, or ``None`` for an obstacle only.
        name: natural name. facing: ``"+x"``, ``"-x"``, ``"+y"`` or ``"-y"``: the side the
            robot approaches from (the open floor side).
    """

    center: tuple[float, float, float]
    half: tuple[float, float, float]
    color: tuple[float, float, float, float]
    place: str | None = None
    name: str = ""
    facing: str = "+x"
    synonyms: tuple[str, ...] = ()


ROOMS: tuple[Room, ...] = (
    Room("kitchen", "kitchen", (0.0, 0.0, 4.0, 3.0), (1.6, 1.3), (0.86, 0.84, 0.74, 1.0)),
    Room("bedroom", "bedroom", (-4.0, 0.0, 0.0, 3.0), (-1.4, 1.1), (0.78, 0.82, 0.9, 1.0), ("bed room",)),
    Room(
        "living_room",
        "living room",
        (-4.0, -3.0, 0.0, 0.0),
        (-1.3, -1.3),
        (0.84, 0.78, 0.7, 1.0),
        ("lounge", "sitting room", "family room"),
    ),
    Room("bathroom", "bathroom", (0.0, -3.0, 4.0, 0.0), (1.6, -1.4), (0.8, 0.9, 0.9, 1.0), ("restroom",)),
)

_X_DOORS = ((1.0, 2.0), (-2.0, -1.0))
"""Doorways (y ranges) in the wall along x = 0."""
_Y_DOORS = ((-2.5, -1.5), (2.0, 3.0))
"""Doorways (x ranges) in the wall along y = 0."""


def wall_segments() -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
    """``(center, half)`` boxes of the outer walls and the interior walls between doorways."""
    h, z = WALL_HALF_M, WALL_HEIGHT_M / 2
    boxes = [
        ((0.0, 3.0 + h, z), (4.0 + 2 * h, h, z)),
        ((0.0, -3.0 - h, z), (4.0 + 2 * h, h, z)),
        ((4.0 + h, 0.0, z), (h, 3.0, z)),
        ((-4.0 - h, 0.0, z), (h, 3.0, z)),
    ]
    for lo, hi, doors, vertical in ((-3.0, 3.0, _X_DOORS, True), (-4.0, 4.0, _Y_DOORS, False)):
        cuts = sorted(doors)
        start = lo
        for a, b in [*cuts, (hi, hi)]:
            if a - start > 1e-6:
                mid, half = (start + a) / 2, (a - start) / 2
                boxes.append(((0.0, mid, z), (h, half, z)) if vertical else ((mid, 0.0, z), (half, h, z)))
            start = b
    return boxes


WOOD = (0.6, 0.45, 0.3, 1.0)
STONE = (0.75, 0.75, 0.72, 1.0)
FABRIC = (0.35, 0.4, 0.55, 1.0)
WHITE = (0.92, 0.92, 0.9, 1.0)

FURNITURE: tuple[Furniture, ...] = (
    # kitchen
    Furniture(
        (2.0, 2.7, 0.45),
        (1.2, 0.3, 0.45),
        STONE,
        "kitchen_counter",
        "kitchen counter",
        "-y",
        ("counter", "worktop", "countertop"),
    ),
    Furniture(
        (3.3, 1.6, 0.37),
        (0.35, 0.4, 0.37),
        WOOD,
        "kitchen_table",
        "kitchen table",
        "-x",
        ("table", "dining table"),
    ),
    # bedroom
    Furniture((-3.2, 2.1, 0.25), (0.7, 0.8, 0.25), FABRIC),  # the bed
    Furniture(
        (-1.9, 2.75, 0.25),
        (0.25, 0.2, 0.25),
        WOOD,
        "nightstand",
        "nightstand",
        "-y",
        ("bedside table", "night stand"),
    ),
    # living room
    Furniture((-2.0, -2.65, 0.22), (1.0, 0.3, 0.22), FABRIC),  # the sofa
    Furniture(
        (-2.6, -1.4, 0.2), (0.45, 0.3, 0.2), WOOD, "coffee_table", "coffee table", "+x", ("low table",)
    ),
    # bathroom
    Furniture((3.3, -2.2, 0.3), (0.65, 0.75, 0.3), WHITE),  # the bathtub
    Furniture(
        (1.2, -2.75, 0.4),
        (0.5, 0.22, 0.4),
        WHITE,
        "bathroom_cabinet",
        "bathroom cabinet",
        "+y",
        ("vanity", "bathroom counter"),
    ),
)

HOUSE_OBJECTS: tuple[ObjectKind, ...] = (
    ObjectKind(
        "mug",
        "mug",
        ObjectShape("cylinder", (0.056, 0.056, 0.09), 0.2),
        ("red", "blue", "green", "white", "yellow"),
        "kitchen_counter",
    ),
    ObjectKind(
        "bowl",
        "bowl",
        ObjectShape("cylinder", (0.058, 0.058, 0.05), 0.15),
        ("white", "blue", "green"),
        "kitchen_table",
    ),
    ObjectKind(
        "apple",
        "apple",
        ObjectShape("sphere", (0.058, 0.058, 0.058), 0.15),
        ("red", "green", "yellow"),
        "kitchen_table",
    ),
    ObjectKind(
        "bottle",
        "bottle",
        ObjectShape("cylinder", (0.05, 0.05, 0.16), 0.3),
        ("blue", "green", "white"),
        "nightstand",
    ),
    ObjectKind(
        "can", "can", ObjectShape("cylinder", (0.05, 0.05, 0.1), 0.2), ("red", "blue", "grey"), "coffee_table"
    ),
    ObjectKind(
        "sponge",
        "sponge",
        ObjectShape("box", (0.09, 0.05, 0.03), 0.05),
        ("yellow", "green", "pink"),
        "bathroom_cabinet",
    ),
)
"""The house's objects; each seed draws colours and misplaces 1-3 of them onto other furniture."""
