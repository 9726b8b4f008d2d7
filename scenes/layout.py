"""Collision-free sampling of object placements inside receptacle regions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scenes.world import Region

SPACING_M = 0.035
"""Clearance kept between the circumscribed footprints of two objects (m): room for a finger."""
EDGE_M = 0.01
"""Clearance kept between a footprint and the region's edge (m)."""


def sample_spot(
    region: Region,
    radius: float,
    occupied: Sequence[tuple[np.ndarray, float]],
    rng: np.random.Generator,
    tries: int = 200,
    spacing: float = SPACING_M + 0.015,
) -> np.ndarray | None:
    """A random ``(x, y)`` (world) in ``region`` where a footprint of ``radius`` (m) is free.

    The footprint stays inside the region (up to half the region's size when the object is
    larger) and keeps ``spacing`` (m; a little more than a placement keeps) from every
    ``(xy, radius)`` in ``occupied``.
    Returns ``None`` if ``tries`` samples all collide.
    """
    center = np.asarray(region.center)
    half = np.asarray(region.half)
    room = np.maximum(half - radius - EDGE_M, 0.0)
    for _ in range(tries):
        xy = center + rng.uniform(-room, room)
        if all(np.linalg.norm(xy - oxy) >= radius + orad + spacing for oxy, orad in occupied):
            return xy
    return None


def free_spot(
    region: Region,
    radius: float,
    occupied: Sequence[tuple[np.ndarray, float]],
    prefer: np.ndarray | None = None,
    step: float = 0.01,
    spacing: float = SPACING_M,
) -> np.ndarray | None:
    """A free ``(x, y)`` (world) on a grid over the region, deterministic (for placing).

    Among spots keeping ``spacing`` (default :data:`SPACING_M`) from every footprint in
    ``occupied``, prefers those with 3 cm of extra clearance, then the one nearest
    ``prefer`` (world xy; e.g. the arm, so objects pack from the reachable side and leave
    room behind), else nearest the region centre.
    """
    center = np.asarray(region.center)
    room = np.maximum(np.asarray(region.half) - radius - EDGE_M, 0.0)
    nx, ny = int(room[0] / step), int(room[1] / step)
    anchor = center if prefer is None else np.asarray(prefer)[:2]
    best, best_key = None, None
    for i in range(-nx, nx + 1):
        for j in range(-ny, ny + 1):
            xy = center + np.array([i * step, j * step])
            extra = min(
                [np.linalg.norm(xy - oxy) - radius - orad - spacing for oxy, orad in occupied] + [1.0]
            )
            if extra < 0:
                continue
            key = (-min(extra, 0.03), float(np.linalg.norm(xy - anchor)))
            if best_key is None or key < best_key:
                best, best_key = xy, key
    return best
