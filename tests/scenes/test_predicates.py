"""Known-answer tests of the success predicates and planar geometry."""

from __future__ import annotations

import math

import numpy as np

from scenes.geometry import box_corners, obb_hits_rect, wrap_angle
from scenes.predicates import location_of, object_in, robot_at, robot_location
from scenes.world import Place, Region

TABLE = Region((1.0, 0.0), (0.3, 0.2), support_z=0.7, rim_z=0.7)
BIN = Region((0.0, 2.0), (0.15, 0.15), support_z=0.02, rim_z=0.45, drop=True)


def test_object_on_surface() -> None:
    assert object_in(np.array([1.1, 0.1, 0.75]), 0.701, TABLE)
    assert object_in(np.array([1.32, 0.0, 0.75]), 0.70, TABLE)  # 2 cm outside: within the 3 cm margin
    assert not object_in(np.array([1.35, 0.0, 0.75]), 0.70, TABLE)  # 5 cm outside
    assert not object_in(np.array([1.0, 0.0, 0.75]), 0.70, TABLE, held=True)
    assert not object_in(np.array([1.0, 0.0, 0.9]), 0.85, TABLE)  # floating 15 cm above
    assert not object_in(np.array([1.0, 0.0, 0.05]), 0.0, TABLE)  # on the floor below


def test_object_in_deep_container() -> None:
    assert object_in(np.array([0.05, 2.0, 0.08]), 0.02, BIN)
    assert object_in(np.array([0.05, 2.0, 0.4]), 0.35, BIN)  # resting on other trash, below the rim
    assert not object_in(np.array([0.05, 2.0, 0.6]), 0.55, BIN)


def test_location_of_first_matching_place() -> None:
    places = {"table": Place("table", "table", "table", TABLE), "bin": Place("bin", "bin", "bin", BIN)}
    assert location_of(np.array([1.0, 0.0, 0.75]), 0.7, places) == "table"
    assert location_of(np.array([0.0, 2.0, 0.1]), 0.02, places) == "bin"
    assert location_of(np.array([5.0, 5.0, 0.1]), 0.0, places) is None


def test_robot_at_tolerances() -> None:
    approach = (1.0, 2.0, math.pi / 2)
    assert robot_at(np.array([1.0, 2.0, math.pi / 2]), approach)
    assert robot_at(np.array([1.15, 2.1, math.pi / 2 + 0.3]), approach)
    assert not robot_at(np.array([1.25, 2.0, math.pi / 2]), approach)
    assert not robot_at(np.array([1.0, 2.0, math.pi / 2 + 0.4]), approach)
    assert robot_at(np.array([1.0, 2.0, -3 * math.pi / 2]), approach)  # same heading, wrapped
    assert not robot_at(np.array([1.0, 2.0, 0.0]), None)


def test_robot_location_picks_nearest() -> None:
    places = {
        "a": Place("a", "a", "a", TABLE, approach=(0.0, 0.0, 0.0)),
        "b": Place("b", "b", "b", TABLE, approach=(0.3, 0.0, 0.0)),
    }
    assert robot_location(np.array([0.1, 0.0, 0.0]), places) == "a"
    assert robot_location(np.array([0.2, 0.0, 0.0]), places) == "b"
    assert robot_location(np.array([2.0, 0.0, 0.0]), places) is None


def test_geometry_known_answers() -> None:
    assert math.isclose(wrap_angle(3 * math.pi / 2), -math.pi / 2)
    corners = box_corners(0.0, 0.0, math.pi / 4, 0.25, 0.25)
    assert math.isclose(corners[:, 0].max(), 0.25 * math.sqrt(2))
    assert obb_hits_rect(corners, (0.3, -0.05, 1.0, 0.05))  # the rotated corner pokes in
    assert not obb_hits_rect(corners, (0.36, -0.05, 1.0, 0.05))
    assert not obb_hits_rect(box_corners(0, 0, 0, 0.25, 0.25), (0.26, -1, 1, 1))
    # a rectangle beside the diamond's edge: bounding boxes overlap but the shapes do not
    assert not obb_hits_rect(corners, (0.2, 0.2, 0.4, 0.4))
