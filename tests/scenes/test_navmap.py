"""A* over the occupancy grid: known answers on a tiny map."""

from __future__ import annotations

import numpy as np

from scenes.navmap import OccupancyGrid


def test_inflation_marks_cells_near_fixtures() -> None:
    grid = OccupancyGrid((0.0, 0.0, 2.0, 2.0), [(0.9, 0.9, 1.1, 1.1)], inflate=0.2, resolution=0.1)
    assert not grid.is_free(np.array([1.0, 1.0]))
    assert not grid.is_free(np.array([1.25, 1.0]))  # 0.15 from the edge: inside the inflation
    assert grid.is_free(np.array([1.45, 1.0]))


def test_plan_goes_around_a_wall() -> None:
    wall = (0.95, 0.0, 1.05, 1.5)  # a wall from the bottom edge up to y = 1.5
    grid = OccupancyGrid((0.0, 0.0, 2.0, 2.0), [wall], inflate=0.1, resolution=0.05)
    path = grid.plan(np.array([0.5, 0.5]), np.array([1.5, 0.5]))
    assert path is not None
    assert max(p[1] for p in path) > 1.5  # it went over the top of the wall
    for a, b in zip(path[:-1], path[1:], strict=False):
        assert grid.line_free(a, b)
    assert np.linalg.norm(path[-1] - np.array([1.5, 0.5])) < 0.05


def test_unreachable_goal_returns_none() -> None:
    box = [(0.8, 0.8, 1.2, 0.9), (0.8, 1.1, 1.2, 1.2), (0.8, 0.8, 0.9, 1.2), (1.1, 0.8, 1.2, 1.2)]
    grid = OccupancyGrid((0.0, 0.0, 2.0, 2.0), box, inflate=0.01, resolution=0.02)
    assert grid.is_free(np.array([1.0, 1.0]))
    assert grid.plan(np.array([0.3, 0.3]), np.array([1.0, 1.0])) is None
