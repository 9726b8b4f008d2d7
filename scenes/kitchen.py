"""``kitchen-v0``: a 6 x 5 m kitchen with seven receptacles and ten household objects.

Layout (world frame, metres; the room spans x in [-3, 3], y in [-2.5, 2.5]): counter,
sink and dish rack along the north wall, the shelf against the west wall, the dining
table and the fruit bowl (on a side table) in the south half, the trash bin by the east
wall. The mobile Panda starts at (-0.5, 0.3) facing +x. Each seed draws the objects'
colours and misplaces 2-5 of them onto other plausible receptacles.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from agentrt.core.registry import SCENES
from scenes.assets import COLOURS, KITCHEN_OBJECTS
from scenes.base import AgentEnv, SceneConfig
from scenes.robots.mobile_panda import MobilePanda
from scenes.world import ObjectRecord, Place, Region, add_box, add_container, box_rect

APPROACH_GAP_M = 0.08
"""Gap between the base's front edge and the furniture at an approach pose (m)."""
MISPLACE_TARGETS = ("counter", "dining_table", "sink", "shelf", "dish_rack")
WOOD = (0.6, 0.45, 0.3, 1.0)
STONE = (0.75, 0.75, 0.72, 1.0)
STEEL = (0.6, 0.62, 0.65, 1.0)


class KitchenConfig(SceneConfig):
    """Knobs of ``kitchen-v0`` (all seed-independent)."""

    min_misplaced: int = Field(default=2, ge=0, le=10, description="fewest objects misplaced per seed")
    max_misplaced: int = Field(default=5, ge=0, le=10, description="most objects misplaced per seed")
    walls: bool = Field(default=True, description="build the four room walls")


def _top(center: tuple[float, float, float], half: tuple[float, float, float]) -> Region:
    """The whole top of the box with this ``center`` and ``half`` extents (m, world), as a flat
    support (``Place.surface``)."""
    z = center[2] + half[2]
    return Region(center[:2], half[:2], z, z)


def _approach(edge: float, axis: str, side: int, other: float) -> tuple[float, float, float]:
    """Base pose facing a furniture edge at ``edge`` on ``axis``, approached from ``side`` (+1/-1)."""
    d = 0.25 + APPROACH_GAP_M
    if axis == "y":
        return (other, edge + side * d, -side * math.pi / 2)
    return (edge + side * d, other, math.pi if side > 0 else 0.0)


@SCENES.register("kitchen-v0")
class KitchenEnv(AgentEnv):
    """A kitchen to tidy with the mobile Panda (``mobile-panda``)."""

    scene_id = "kitchen-v0"
    Config = KitchenConfig
    robot_cls = MobilePanda
    bounds = (-3.0, -2.5, 3.0, 2.5)
    max_episode_steps = 3000

    def _furniture(
        self, center: tuple[float, float, float], half: tuple[float, float, float], color: tuple
    ) -> Region:
        """A static box the base drives around; its top (:func:`_top`)."""
        add_box(self.client, center, half, color)
        self.fixtures.append(box_rect(center, half))
        return _top(center, half)

    def _build(self, rng: np.random.Generator) -> tuple[float, ...]:
        c = self.client
        floor = add_box(c, (0, 0, -0.05), (3.2, 2.7, 0.05), (0.82, 0.8, 0.76, 1))
        assert floor >= 0
        if self.config.walls:
            wall = (0.9, 0.88, 0.82, 1)
            self._furniture((0, 2.55, 0.5), (3.1, 0.05, 0.5), wall)
            self._furniture((0, -2.55, 0.5), (3.1, 0.05, 0.5), wall)
            self._furniture((-3.05, 0, 0.5), (0.05, 2.5, 0.5), wall)
            self._furniture((3.05, 0, 0.5), (0.05, 2.5, 0.5), wall)
        self._build_places()
        self._build_objects(rng)
        return (-0.5, 0.3, 0.0)

    def _build_places(self) -> None:
        c = self.client
        add = self._add_place
        # counter, north wall
        counter_top = self._furniture((-1.9, 2.15, 0.36), (0.7, 0.3, 0.36), STONE)
        add(
            Place(
                "counter",
                "kitchen counter",
                "counter",
                Region((-1.9, 2.08), (0.25, 0.15), 0.72, 0.72),
                _approach(1.85, "y", -1, -1.9),
                ("countertop", "worktop"),
                surface=counter_top,
            )
        )
        # sink: cabinet up to the basin floor, rim strips around the basin
        self._furniture((-0.55, 2.15, 0.335), (0.45, 0.3, 0.335), STONE)
        for center, half in (
            ((-0.55, 1.9, 0.695), (0.45, 0.05, 0.025)),
            ((-0.55, 2.4, 0.695), (0.45, 0.05, 0.025)),
            ((-0.925, 2.15, 0.695), (0.075, 0.2, 0.025)),
            ((-0.175, 2.15, 0.695), (0.075, 0.2, 0.025)),
        ):
            add_box(c, center, half, STEEL)
        add(
            Place(
                "sink",
                "kitchen sink",
                "sink",
                Region((-0.55, 2.13), (0.22, 0.12), 0.67, 0.72),
                _approach(1.85, "y", -1, -0.55),
                ("basin",),
                # the basin floor inside the rim, less 2.5 cm as for containers (``add_container``)
                surface=Region((-0.55, 2.15), (0.275, 0.175), 0.67, 0.72),
            )
        )
        # dish rack on a counter section
        self._furniture((0.5, 2.15, 0.36), (0.45, 0.3, 0.36), STONE)
        rack = add_container(c, (0.5, 2.08), (0.3, 0.16), 0.72, 0.035, (0.85, 0.85, 0.9, 1))
        add(
            Place(
                "dish_rack",
                "dish rack",
                "dish_rack",
                rack,
                _approach(1.85, "y", -1, 0.5),
                ("drying rack", "dish drainer"),
            )
        )
        # shelf against the west wall
        self._furniture((-2.75, 0.0, 0.35), (0.2, 0.6, 0.35), WOOD)
        add_box(c, (-2.935, 0.0, 0.76), (0.015, 0.6, 0.06), WOOD)  # a low back lip
        add(
            Place(
                "shelf",
                "shelf",
                "shelf",
                Region((-2.72, 0.0), (0.14, 0.26), 0.7, 0.7),
                _approach(-2.55, "x", 1, 0.0),
                ("shelves", "pantry shelf"),
                surface=_top((-2.735, 0.0, 0.35), (0.185, 0.6, 0.35)),  # the top in front of the back lip
            )
        )
        # dining table
        table = ((0.8, -0.6, 0.6), (0.6, 0.4, 0.02))
        add_box(c, *table, WOOD)
        for dx in (-0.55, 0.55):
            for dy in (-0.35, 0.35):
                add_box(c, (0.8 + dx, -0.6 + dy, 0.29), (0.03, 0.03, 0.29), WOOD)
        self.fixtures.append((0.2, -1.0, 1.4, -0.2))
        add(
            Place(
                "dining_table",
                "dining table",
                "dining_table",
                Region((0.8, -0.78), (0.28, 0.15), 0.62, 0.62),
                _approach(-1.0, "y", -1, 0.8),
                ("table", "kitchen table"),
                surface=_top(*table),
            )
        )
        # fruit bowl on a small side table
        self._furniture((-1.2, -1.6, 0.225), (0.26, 0.26, 0.225), WOOD)  # the bowl overhangs a little
        bowl = add_container(c, (-1.2, -1.58), (0.21, 0.21), 0.45, 0.045, (0.9, 0.75, 0.5, 1))
        add(Place("fruit_bowl", "fruit bowl", "fruit_bowl", bowl, _approach(-1.34, "y", 1, -1.2), ()))
        # trash bin on the floor by the east wall
        bin_region = add_container(c, (2.5, 1.2), (0.17, 0.17), 0.0, 0.45, (0.3, 0.3, 0.32, 1), wall=0.02)
        self.fixtures.append((2.3, 1.0, 2.7, 1.4))
        bin_region = Region(
            bin_region.center, bin_region.half, bin_region.support_z, bin_region.rim_z, drop=True
        )
        add(
            Place(
                "trash_bin",
                "trash bin",
                "trash_bin",
                bin_region,
                _approach(2.3, "x", -1, 1.2),
                ("trash", "bin", "garbage", "rubbish bin", "trash can"),
            )
        )

    def _add_place(self, place: Place) -> None:
        self.places[place.id] = place

    def _build_objects(self, rng: np.random.Generator) -> None:
        counts: dict[str, int] = {}
        records: list[ObjectRecord] = []
        used: dict[str, set[str]] = {}
        for kind in KITCHEN_OBJECTS:
            k = counts.get(kind.category, 0)
            counts[kind.category] = k + 1
            taken = used.setdefault(kind.category, set())
            palette = [c for c in kind.palette if c not in taken] or list(kind.palette)
            colour = str(palette[int(rng.integers(len(palette)))])
            taken.add(colour)
            records.append(
                ObjectRecord(
                    f"{kind.category}_{k}",
                    kind.display if colour == kind.display else f"{colour} {kind.display}",
                    kind.category,
                    colour,
                    kind.home,
                    kind.shape,
                )
            )
        lo, hi = self.config.min_misplaced, max(self.config.min_misplaced, self.config.max_misplaced)
        n = int(rng.integers(lo, hi + 1))
        misplaced = set(rng.choice(len(records), size=min(n, len(records)), replace=False).tolist())
        # at-home objects first, so that homes have room; then the misplaced ones
        order = [i for i in range(len(records)) if i not in misplaced] + sorted(misplaced)
        spawned: dict[str, ObjectRecord] = {}
        for i in order:
            rec = records[i]
            targets = [rec.home] if i not in misplaced else [t for t in MISPLACE_TARGETS if t != rec.home]
            if i in misplaced:
                targets = [targets[j] for j in rng.permutation(len(targets))]
            color = COLOURS[rec.colour]
            if not any(self._spawn(rec, t, rng, color) for t in targets):
                self._spawn(rec, rec.home, rng, color) or self._spawn_anywhere(rec, rng, color)
            spawned[rec.id] = rec
        self.objects = {rec.id: spawned[rec.id] for rec in records}  # scene order

    def _spawn_anywhere(self, rec: ObjectRecord, rng: np.random.Generator, color: tuple) -> None:
        for place_id in self.places:
            if self._spawn(rec, place_id, rng, color):
                return
        raise RuntimeError(f"no room anywhere for {rec.id}")

