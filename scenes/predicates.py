"""Success predicates computed from simulator state (pure functions, unit-tested).

- :func:`object_in` — an object rests in/on a receptacle: its centre lies inside the
  region's xy rectangle (grown by :data:`XY_MARGIN_M`), its bottom is at or above the
  support height (within :data:`Z_BELOW_TOL_M`) and not far above it (at most
  :data:`Z_ABOVE_TOL_M` above the support, or anywhere below the rim of a container),
  and it is not held. :func:`location_of` tests each place's whole support
  (``Place.extent``), not only the region objects are put in.
- :func:`robot_at` — the base is within :data:`AT_POS_TOL_M` / :data:`AT_YAW_TOL_RAD`
  of a place's approach pose.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from scenes.geometry import wrap_angle
from scenes.world import Place, Region

XY_MARGIN_M = 0.03
Z_BELOW_TOL_M = 0.03
Z_ABOVE_TOL_M = 0.06
AT_POS_TOL_M = 0.2
AT_YAW_TOL_RAD = 0.35


def object_in(center: np.ndarray, bottom_z: float, region: Region, held: bool = False) -> bool:
    """Whether an object with world ``center`` (3,) and lowest point ``bottom_z`` (m) is in ``region``."""
    if held or not region.contains_xy(center, XY_MARGIN_M):
        return False
    top_allowed = max(region.support_z + Z_ABOVE_TOL_M, region.rim_z)
    return region.support_z - Z_BELOW_TOL_M <= bottom_z <= top_allowed


def location_of(
    center: np.ndarray, bottom_z: float, places: Mapping[str, Place], held: bool = False
) -> str | None:
    """The id of the first receptacle (in ``places`` order) the object is in, else ``None``."""
    for place in places.values():
        if place.receptacle and object_in(center, bottom_z, place.extent, held):
            return place.id
    return None


def robot_at(base_pose: np.ndarray, approach: tuple[float, float, float] | None) -> bool:
    """Whether base ``(x, y, yaw)`` (world) is at the approach pose ``approach``."""
    if approach is None:
        return False
    dist = float(np.hypot(base_pose[0] - approach[0], base_pose[1] - approach[1]))
    return dist <= AT_POS_TOL_M and abs(wrap_angle(base_pose[2] - approach[2])) <= AT_YAW_TOL_RAD


def robot_location(base_pose: np.ndarray, places: Mapping[str, Place]) -> str | None:
    """The place whose approach pose the base is at (the nearest if several), else ``None``."""
    best, best_d = None, float("inf")
    for place in places.values():
        if place.approach is not None and robot_at(base_pose, place.approach):
            d = float(np.hypot(base_pose[0] - place.approach[0], base_pose[1] - place.approach[1]))
            if d < best_d:
                best, best_d = place.id, d
    return best
