"""Object catalogue: categories, shapes, colour palettes and homes.

Every object is a primitive sized for the Panda gripper: at most 6 cm across its grasp
axis, leaving about 6 mm per side between the open fingers (7.2 cm apart).
Colours are drawn per seed from each category's palette.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenes.world import Color, ObjectShape

COLOURS: dict[str, Color] = {
    "red": (0.85, 0.12, 0.1, 1.0),
    "blue": (0.12, 0.3, 0.85, 1.0),
    "green": (0.15, 0.65, 0.2, 1.0),
    "yellow": (0.95, 0.85, 0.1, 1.0),
    "orange": (0.98, 0.55, 0.05, 1.0),
    "white": (0.92, 0.92, 0.92, 1.0),
    "black": (0.08, 0.08, 0.08, 1.0),
    "grey": (0.55, 0.55, 0.58, 1.0),
    "pink": (0.95, 0.5, 0.7, 1.0),
    "purple": (0.55, 0.2, 0.7, 1.0),
    "brown": (0.5, 0.3, 0.12, 1.0),
}
"""Colour name -> RGBA used for rendering."""


@dataclass(frozen=True)
class ObjectKind:
    """One object category of the catalogue.

    Attributes:
        category: id prefix and symbolic category, e.g. ``"cereal_box"``.
        display: natural name, e.g. ``"cereal box"``.
        shape: geometry (see :class:`scenes.world.ObjectShape`).
        palette: colour names a seed may draw.
        home: place id where it belongs when the kitchen is tidy.
    """

    category: str
    display: str
    shape: ObjectShape
    palette: tuple[str, ...]
    home: str


KITCHEN_OBJECTS: tuple[ObjectKind, ...] = (
    ObjectKind(
        "mug",
        "mug",
        ObjectShape("cylinder", (0.056, 0.056, 0.09), 0.2),
        ("red", "blue", "green", "white", "yellow"),
        "dish_rack",
    ),
    ObjectKind(
        "mug",
        "mug",
        ObjectShape("cylinder", (0.056, 0.056, 0.09), 0.2),
        ("red", "blue", "green", "white", "yellow"),
        "dish_rack",
    ),
    ObjectKind(
        "bowl",
        "bowl",
        ObjectShape("cylinder", (0.058, 0.058, 0.05), 0.15),
        ("white", "blue", "green"),
        "dish_rack",
    ),
    ObjectKind(
        "apple",
        "apple",
        ObjectShape("sphere", (0.058, 0.058, 0.058), 0.15),
        ("red", "green", "yellow"),
        "fruit_bowl",
    ),
    ObjectKind(
        "banana", "banana", ObjectShape("box", (0.14, 0.036, 0.036), 0.12), ("yellow", "green"), "fruit_bowl"
    ),
    ObjectKind(
        "orange", "orange", ObjectShape("sphere", (0.06, 0.06, 0.06), 0.15), ("orange",), "fruit_bowl"
    ),
    ObjectKind(
        "bottle",
        "bottle",
        ObjectShape("cylinder", (0.052, 0.052, 0.18), 0.25),
        ("green", "blue", "white"),
        "shelf",
    ),
    ObjectKind(
        "cereal_box",
        "cereal box",
        ObjectShape("box", (0.14, 0.048, 0.17), 0.2),
        ("red", "blue", "yellow"),
        "shelf",
    ),
    ObjectKind(
        "can",
        "can",
        ObjectShape("cylinder", (0.056, 0.056, 0.11), 0.15),
        ("red", "grey", "green"),
        "trash_bin",
    ),
    ObjectKind(
        "sponge", "sponge", ObjectShape("box", (0.09, 0.05, 0.045), 0.05), ("yellow", "green", "pink"), "sink"
    ),
)
"""The kitchen's objects in scene order; ids are ``{category}_{k}`` numbered per category."""

BLOCK_SHAPE = ObjectShape("box", (0.04, 0.04, 0.04), 0.08)
"""Tabletop blocks: 4 cm cubes."""
BLOCK_PALETTE: tuple[str, ...] = ("red", "blue", "green", "yellow", "purple", "orange")
