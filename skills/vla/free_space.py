"""Where to put the held object down: the free part of a receptacle, seen by the head depth camera.

A learned ``place`` takes its goal (the release point, :mod:`skills.vla.data`) from the goal head,
which learned the demonstrations' *usual* release point: with other objects already in the
receptacle it put a mug onto the mug already in the dish rack and a banana beside the fruit
bowl's rim (learned tidying, seeds 100005, 100007, 100013). The scripted expert chooses a free
spot from the simulator's object poses (:func:`scenes.layout.free_spot`); this module measures one
instead, as a mobile manipulator with a semantic map does:

* **the map** gives the receptacle's rectangle and support height (world frame, fixed furniture);
* **the head depth image** gives what lies there now: its pixels back-projected through the head
  camera's calibration (:class:`skills.vla.camera.PinholeCamera`, base frame) and the arm mount's
  pose (the robot's own localisation) are *surface* where they lie at the support height and
  *occupied* where they stand above it;
* every observed surface cell, on a 1 cm grid at least ``edge_m`` inside the rectangle, gets its
  *room*: the distance to the nearest occupied point and to the rectangle's edge, counted up to
  ``clearance_m`` (:class:`RoomMap`).

The learned place keeps its own goal where that has room (:meth:`RoomMap.spot_near`): only a goal
on something, or outside the receptacle, moves, to the nearest cell with ``need_m`` of room. A
first version that always moved the goal to the most open cell (the skill does not know the held
object's size, so it asked for room rather than the expert's tight fit) dropped tall objects on
the shelf, where the goal head's own spot had been right; one that took the expert's rule (the
cell nearest the arm with 6 cm of room) put a cereal box at the shelf's front edge.

Object poses are never read. :class:`skills.learned.place.LearnedPlace` hands the spot to the policy
(``VLAPolicy.place_spot``), whose goal then takes its x, y and the goal head's height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenes.world import Region
from skills.vla.camera import PinholeCamera


@dataclass(frozen=True)
class FreeSpotConfig:
    """Thresholds of :func:`room_map` and :class:`RoomMap` (m)."""

    surface_tol_m: float = 0.015
    """A point within this of the support height is the receptacle's surface."""
    occupied_above_m: float = 0.02
    """A point this far above the support (and below ``occupied_below_m``) is something on it."""
    occupied_below_m: float = 0.35
    """Points higher than this above the support are not on it (the robot's own arm, a wall)."""
    hand_radius_m: float = 0.15
    """Points this close to the hand are the hand and what it holds, not the receptacle's content."""
    clearance_m: float = 0.1
    """Room wanted around the spot (the held object's centre, whose size the skill does not know):
    distance to anything on the receptacle and to its edge; more than this counts the same."""
    need_m: float = 0.06
    """A goal with this much room stays where it is; one with less moves to the nearest that has it."""
    tie_m: float = 0.005
    """Cells within this of the most room are equally good; the one nearest the arm wins."""
    min_clearance_m: float = 0.035
    """Less room than this anywhere observed: no spot (the goal head's guess stands)."""
    edge_m: float = 0.04
    """Distance kept from the rectangle's edge (a container's wall)."""
    step_m: float = 0.01
    """Grid step."""


@dataclass(frozen=True)
class RoomMap:
    """Observed surface cells of one receptacle and the room around each (world frame, m)."""

    cells: np.ndarray
    """``(N, 2)`` world x, y of the observed cells."""
    room: np.ndarray
    """``(N,)`` room (m) at each: distance to the nearest occupied point and to the edge, capped."""
    config: FreeSpotConfig

    def most_open(self, prefer: np.ndarray) -> np.ndarray | None:
        """The cell with the most room, nearest ``prefer`` (world x, y) among equals; ``None`` if it
        has less than ``min_clearance_m``."""
        best = float(self.room.max())
        if best < self.config.min_clearance_m:
            return None
        candidates = np.flatnonzero(self.room >= best - self.config.tie_m)
        return self._nearest(candidates, prefer)

    def spot_near(self, xy: np.ndarray) -> np.ndarray | None:
        """``xy`` (world) itself if it lies on an observed cell with ``need_m`` of room; else the
        nearest cell with that much; else :meth:`most_open`; ``None`` if nothing has room."""
        xy = np.asarray(xy, np.float64)[:2]
        d = np.linalg.norm(self.cells - xy, axis=1)
        here = int(np.argmin(d))
        if d[here] <= self.config.step_m and self.room[here] >= self.config.need_m:
            return xy.copy()
        roomy = np.flatnonzero(self.room >= self.config.need_m)
        if roomy.size:
            return self._nearest(roomy, xy)
        return self.most_open(xy)

    def _nearest(self, candidates: np.ndarray, to: np.ndarray) -> np.ndarray:
        pick = candidates[np.argmin(np.linalg.norm(self.cells[candidates] - np.asarray(to)[:2], axis=1))]
        return self.cells[pick].copy()


def room_map(
    depth: np.ndarray,
    camera: PinholeCamera,
    mount_pos: np.ndarray,
    mount_rot: np.ndarray,
    region: Region,
    hand_xyz: np.ndarray,
    config: FreeSpotConfig = FreeSpotConfig(),
) -> RoomMap | None:
    """The :class:`RoomMap` of ``region`` seen in ``depth``, or ``None`` when no cell is observed.

    Args:
        depth: head depth image ``(H, W)`` or ``(H, W, 1)``, m along the optical axis.
        camera: the head camera's calibration in the arm mount's frame (``panda_link0``).
        mount_pos, mount_rot: the mount's world position ``(3,)`` and rotation ``(3, 3)``.
        region: the receptacle's rectangle and support height (world; from the map).
        hand_xyz: the hand's world position ``(3,)``; points near it are ignored.
        config: thresholds.
    """
    depth = np.asarray(depth, np.float64)
    depth = depth.reshape(depth.shape[:2])
    points = camera.unproject_window(depth, depth.shape).reshape(-1, 3) @ np.asarray(mount_rot).T + mount_pos
    center, half = np.asarray(region.center, np.float64), np.asarray(region.half, np.float64)
    offset = np.abs(points[:, :2] - center)
    inside = (offset <= half).all(axis=1)
    near = (offset <= half + config.clearance_m).all(axis=1)
    height = points[:, 2] - region.support_z
    off_hand = np.linalg.norm(points - np.asarray(hand_xyz), axis=1) > config.hand_radius_m
    surface = inside & (np.abs(height) <= config.surface_tol_m)
    occupied = near & off_hand & (height >= config.occupied_above_m) & (height <= config.occupied_below_m)
    inner = half - config.edge_m
    if not surface.any() or (inner <= 0).any():
        return None
    nx, ny = (inner / config.step_m).astype(int)
    gx = center[0] + config.step_m * np.arange(-nx, nx + 1)
    gy = center[1] + config.step_m * np.arange(-ny, ny + 1)
    cells = np.stack(np.meshgrid(gx, gy, indexing="ij"), axis=-1).reshape(-1, 2)

    # observed: some surface point within one grid step of the cell
    seen = {tuple(b) for b in np.round((points[surface, :2] - center) / config.step_m).astype(int)}
    bins = np.round((cells - center) / config.step_m).astype(int)
    observed = np.array(
        [any((i + di, j + dj) in seen for di in (-1, 0, 1) for dj in (-1, 0, 1)) for i, j in bins]
    )
    if not observed.any():
        return None
    cells = cells[observed]
    clearance = np.full(len(cells), np.inf)
    if occupied.any():
        occ = np.unique(np.round(points[occupied, :2] / 0.005).astype(int), axis=0) * 0.005
        clearance = np.sqrt(((cells[:, None, :] - occ[None, :, :]) ** 2).sum(-1)).min(axis=1)
    to_edge = (half - np.abs(cells - center)).min(axis=1)
    room = np.minimum(np.minimum(clearance, to_edge), config.clearance_m)
    return RoomMap(cells, room, config)


__all__ = ["FreeSpotConfig", "RoomMap", "room_map"]
