"""A 2-D occupancy grid of the known map and an A* path planner for the mobile base.

Cells are square (:attr:`OccupancyGrid.resolution` m). A cell is occupied when its
centre lies within ``inflate`` metres of a fixture rectangle (the base radius plus a
margin), so a path through free cells keeps the whole base clear of furniture.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

import numpy as np

from scenes.geometry import Rect


class OccupancyGrid:
    """Inflated occupancy grid over ``bounds`` ``(xmin, ymin, xmax, ymax)`` (world, m).

    Attributes:
        occupied: bool array of shape ``(nx, ny)``; ``occupied[i, j]`` covers the cell whose
            centre is ``(xmin + (i + 0.5) * res, ymin + (j + 0.5) * res)``.
    """

    def __init__(
        self, bounds: Rect, fixtures: Sequence[Rect], inflate: float, resolution: float = 0.05
    ) -> None:
        self.bounds = bounds
        self.resolution = resolution
        self.inflate = inflate
        xmin, ymin, xmax, ymax = bounds
        self.shape = (int(round((xmax - xmin) / resolution)), int(round((ymax - ymin) / resolution)))
        xs = xmin + (np.arange(self.shape[0]) + 0.5) * resolution
        ys = ymin + (np.arange(self.shape[1]) + 0.5) * resolution
        gx, gy = np.meshgrid(xs, ys, indexing="ij")
        occ = np.zeros(self.shape, dtype=bool)
        for rx0, ry0, rx1, ry1 in fixtures:
            dx = np.maximum(np.maximum(rx0 - gx, gx - rx1), 0.0)
            dy = np.maximum(np.maximum(ry0 - gy, gy - ry1), 0.0)
            occ |= np.hypot(dx, dy) < inflate
        occ[0, :] = occ[-1, :] = occ[:, 0] = occ[:, -1] = True
        self.occupied = occ

    def cell(self, xy: np.ndarray) -> tuple[int, int]:
        """Grid index of a world point (clamped to the grid)."""
        i = int((xy[0] - self.bounds[0]) / self.resolution)
        j = int((xy[1] - self.bounds[1]) / self.resolution)
        return min(max(i, 0), self.shape[0] - 1), min(max(j, 0), self.shape[1] - 1)

    def center(self, cell: tuple[int, int]) -> np.ndarray:
        """World ``(x, y)`` of a cell centre."""
        return np.array(
            [
                self.bounds[0] + (cell[0] + 0.5) * self.resolution,
                self.bounds[1] + (cell[1] + 0.5) * self.resolution,
            ]
        )

    def is_free(self, xy: np.ndarray) -> bool:
        """Whether the cell containing ``xy`` is free."""
        return not self.occupied[self.cell(xy)]

    def nearest_free(self, xy: np.ndarray) -> tuple[int, int] | None:
        """The free cell nearest ``xy`` (breadth-first over growing squares)."""
        ci, cj = self.cell(xy)
        for r in range(max(self.shape)):
            best, best_d = None, math.inf
            for i in range(ci - r, ci + r + 1):
                for j in range(cj - r, cj + r + 1):
                    if max(abs(i - ci), abs(j - cj)) != r:
                        continue
                    if 0 <= i < self.shape[0] and 0 <= j < self.shape[1] and not self.occupied[i, j]:
                        d = float(np.linalg.norm(self.center((i, j)) - xy))
                        if d < best_d:
                            best, best_d = (i, j), d
            if best is not None:
                return best
        return None

    def line_free(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Whether the straight segment ``a -> b`` crosses only free cells."""
        n = max(2, int(np.linalg.norm(b - a) / (self.resolution / 2)) + 1)
        return all(self.is_free(a + (b - a) * t) for t in np.linspace(0.0, 1.0, n))

    def plan(self, start: np.ndarray, goal: np.ndarray) -> list[np.ndarray] | None:
        """A* (8-connected) from ``start`` to ``goal`` (world xy); ``None`` if unreachable.

        Start and goal are snapped to their nearest free cells; the returned waypoints
        (world xy) are shortcut by line of sight and end at the snapped goal.
        """
        s, g = self.nearest_free(np.asarray(start)), self.nearest_free(np.asarray(goal))
        if s is None or g is None:
            return None
        came: dict[tuple[int, int], tuple[int, int]] = {}
        cost = {s: 0.0}
        heap = [(0.0, s)]
        steps = [(di, dj, math.hypot(di, dj)) for di in (-1, 0, 1) for dj in (-1, 0, 1) if di or dj]
        while heap:
            _, cur = heapq.heappop(heap)
            if cur == g:
                break
            for di, dj, c in steps:
                nb = (cur[0] + di, cur[1] + dj)
                if not (0 <= nb[0] < self.shape[0] and 0 <= nb[1] < self.shape[1]) or self.occupied[nb]:
                    continue
                new = cost[cur] + c
                if new < cost.get(nb, math.inf):
                    cost[nb] = new
                    came[nb] = cur
                    heapq.heappush(heap, (new + math.hypot(nb[0] - g[0], nb[1] - g[1]), nb))
        if g not in cost:
            return None
        cells = [g]
        while cells[-1] != s:
            cells.append(came[cells[-1]])
        points = [self.center(c) for c in reversed(cells)]
        points[0] = np.asarray(start, dtype=float) if self.is_free(np.asarray(start)) else points[0]
        return self._shortcut(points)

    def _shortcut(self, points: list[np.ndarray]) -> list[np.ndarray]:
        out = [points[0]]
        i = 0
        while i < len(points) - 1:
            j = len(points) - 1
            while j > i + 1 and not self.line_free(points[i], points[j]):
                j -= 1
            out.append(points[j])
            i = j
        return out
