"""``DepthGoal``: where the gripper should act, from the learned keypoint and the head depth camera.

A keypoint model (``VLAConfig.goal_source == "keypoints"``) finds the named object in the head
image: its head keypoint 0 lands on the grasp point's pixel (within about 2 px of 128 on held-out
picks). One pixel only fixes a ray, though, and the goal head's guess of how far along the ray
the object lies is off by several centimetres (grasp heights span 0.07-0.44 m; see the removed
experiment ``goal_generalisation --ray-bound`` (docs/experiments.md)). The scene's head camera also
measures depth, so the distance can be read instead of guessed:

1. take the median head depth over the ``(2 * window + 1)`` square of pixels under keypoint 0;
2. unproject that pixel at that depth through the calibrated head camera (base frame): a point
   on the object's visible surface;
3. continue ``behind_m`` further along the ray, since the grasp point lies inside the object
   (2.5 cm under a top, over its centre), behind the surface the camera sees.
   :func:`skills.vla.calibration.calibrate_behind` measures it on training seeds.

The arm itself may stand between the head camera and the object (at the start of about a fifth of
kitchen picks, the tucked arm hides it). The point then lands on the arm, far from the goal head's
own estimate; :meth:`DepthGoal.trust` rejects a depth goal more than ``max_disagreement_m`` from it,
and the policy keeps the goal head's estimate until the object comes into view
(:class:`skills.vla.policy.VLAPolicy`).

With ``segment_radius_m > 0`` the point under the keypoint only seeds a segmentation (the
*segment* method): the head depth pixels around it are unprojected, the support surface is their
low percentile, and the pixels above it that connect to the seed without a depth jump form the
object. The goal is then over the centre of the object's top (the mean of the points within
:data:`TOP_CAP_M` of its highest point), ``below_top_m`` under that highest point. A keypoint a
pixel or two off the grasp point (a centimetre or two at the counter) then still gives the same
goal, as long as it lands on the object. With ``align_yaw`` the same top also gives the yaw of its
long axis (:func:`top_yaw`, a principal-axis fit; 1.9 degrees off a box's long side at the median
on held-out pick starts, the removed experiment ``depth_goal_accuracy`` (docs/experiments.md)), and
the learned pick turns the hand so the fingers close across it (:class:`skills.learned.pick.LearnedPick`).

The learned parts stay learned: which object, and where it appears, come from the instruction
and the image; how to reach the goal is the action decoder's. Depth only replaces a guess of a
distance with a measurement of it, as in keypoint-based manipulation with RGB-D cameras
(Transporter networks, kPAM).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from skills.vla.camera import PinholeCamera, crop_fractions

HIDDEN_M = 0.1
"""A grasp point more than this (m) behind the surface its pixel shows is hidden (by the arm, ...)."""
SEGMENT_WINDOW_PX = 12
"""The segment method looks at the ``(2k+1)^2`` head depth pixels around the seed pixel."""
SUPPORT_PERCENTILE = 10.0
"""The support surface's height is this percentile of the window's point heights."""
ABOVE_SUPPORT_M = 0.01
"""Object pixels lie at least this far (m) above the support surface."""
STEP_M = 0.02
STEP_PX = 2.5
"""Neighbouring pixels farther apart (in 3-D) than ``STEP_M`` (m) or ``STEP_PX`` pixel footprints
(range times the pixel's angle), whichever is larger, belong to different surfaces. The footprint
term keeps a steep face in one piece: rows on a face the ray meets at 60 degrees lie two footprints
apart, and on the 17 cm cereal box in the dish rack (1.1 m from the head camera, 0.55 degrees a
pixel) they were 2 cm apart, so a fixed 2 cm stopped the fill halfway up the face and the goal went
8 cm under the box's top; the hand came down onto it and tipped it over (held-out seed 100021)."""
TOP_CAP_M = 0.01
"""The object's top: its points within this (m) of its highest one."""
MIN_GRASP_ABOVE_SUPPORT_M = 0.02
"""A goal is at least this high (m) over the support surface (the fingertips clear it)."""
SEED_SEARCH_PX = 3
"""A seed pixel on the support moves to the nearest object pixel within this many pixels."""
ELONGATED = 1.4
"""A top whose principal spreads (standard deviations) differ by this factor has a long axis."""
MIN_TOP_POINTS = 10
"""Fewer top points than this tell no axis (with 7-9 a sponge's axis came out 58-75 degrees off)."""


class DepthGoal(BaseModel):
    """See the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    camera: PinholeCamera = Field(description="head camera calibration, base frame")
    behind_m: float = Field(
        ge=0.0,
        description="how far beyond the visible surface the goal lies along the camera ray (m)",
    )
    window: int = Field(default=1, ge=0, le=8, description="median depth over (2w+1)^2 pixels")
    segment_radius_m: float = Field(
        default=0.0,
        ge=0.0,
        le=0.3,
        description="0: the ray method; else the segment method, the object no wider than this "
        "horizontal radius (m) around the seed point",
    )
    below_top_m: float = Field(
        default=0.025, ge=0.0, description="segment method: the goal lies this far (m) under the top seen"
    )
    align_yaw: bool = Field(
        default=False,
        description="segment method: also read the yaw of the object's top's long axis "
        "(:func:`top_yaw`), so that a learned pick turns the hand to close across it",
    )
    max_disagreement_m: float = Field(
        default=0.2,
        gt=0.0,
        description="a depth goal farther than this (m) from the goal head's is not trusted "
        "(something, usually the arm, hides the object)",
    )

    def locate(
        self, xy: np.ndarray, depth: np.ndarray, crop: tuple[float, float, float] | None
    ) -> np.ndarray:
        """The goal ``(3,)`` (m, base frame) for head keypoint 0 at ``xy`` ``(2,)`` (``[-1, 1]`` over
        the head ``crop``) in the head depth image ``depth`` ``(H, W)`` or ``(H, W, 1)`` (m)."""
        return self.locate_grasp(xy, depth, crop)[0]

    def locate_grasp(
        self, xy: np.ndarray, depth: np.ndarray, crop: tuple[float, float, float] | None
    ) -> tuple[np.ndarray, float | None]:
        """:meth:`locate`'s goal and, with ``align_yaw`` and the segment method, the yaw (rad, base
        frame, in ``[-pi/2, pi/2)``) of the long axis of the segmented top (:func:`top_yaw`; ``None``
        when round, too small to tell, not segmented, or not asked for), from one segmentation."""
        d = np.asarray(depth, np.float32).reshape(depth.shape[0], depth.shape[1])
        fractions = crop_fractions(np.asarray(xy, np.float64)[None], crop)
        if self.segment_radius_m > 0:
            seen = segment_top(self.camera, fractions[0], d, self.segment_radius_m)
            if seen is not None:
                top_xy, top_z, support_z, cap = seen
                z = max(support_z + MIN_GRASP_ABOVE_SUPPORT_M, top_z - self.below_top_m)
                return np.array([top_xy[0], top_xy[1], z]), top_yaw(cap) if self.align_yaw else None
        surface = self.surface(xy, d, crop)
        ray = surface - np.asarray(self.camera.eye)
        return surface + self.behind_m * ray / np.linalg.norm(ray), None

    def surface(
        self, xy: np.ndarray, depth: np.ndarray, crop: tuple[float, float, float] | None
    ) -> np.ndarray:
        """The surface point ``(3,)`` (m, base frame) the head depth image ``depth`` ``(H, W[, 1])`` shows
        at ``xy`` ``(2,)`` (``[-1, 1]`` over ``crop``): the window's median depth, unprojected."""
        d = np.asarray(depth, np.float32).reshape(depth.shape[0], depth.shape[1])
        fractions = crop_fractions(np.asarray(xy, np.float64)[None], crop)
        h, w = d.shape
        col = int(np.clip(fractions[0, 0] * w, 0, w - 1))
        row = int(np.clip(fractions[0, 1] * h, 0, h - 1))
        k = self.window
        surface_depth = float(np.median(d[max(row - k, 0) : row + k + 1, max(col - k, 0) : col + k + 1]))
        return self.camera.unproject(fractions, np.array([surface_depth]))[0]

    def trust(self, depth_goal: np.ndarray, head_goal: np.ndarray) -> bool:
        """Whether ``depth_goal`` is within ``max_disagreement_m`` of the goal head's ``head_goal``
        (both ``(3,)``, m, base frame)."""
        return (
            float(np.linalg.norm(np.asarray(depth_goal) - np.asarray(head_goal))) <= self.max_disagreement_m
        )


def object_top(
    camera: PinholeCamera, fraction: np.ndarray, depth: np.ndarray, radius_m: float
) -> tuple[np.ndarray, float, float] | None:
    """:func:`segment_top` without the top's points."""
    seen = segment_top(camera, fraction, depth, radius_m)
    return None if seen is None else seen[:3]


def top_yaw(cap_xy: np.ndarray) -> float | None:
    """The yaw (rad, in ``[-pi/2, pi/2)``, base frame) of the long axis of an object's top, from the
    top's points ``cap_xy`` ``(N, 2)`` (m, base frame; :func:`segment_top`), or ``None`` when the top
    is round or too small to tell (its principal spreads' ratio under :data:`ELONGATED`, or fewer
    than :data:`MIN_TOP_POINTS` points). Fingers closing across the long axis grasp a box by its
    narrow side, as the scripted pick does."""
    if len(cap_xy) < MIN_TOP_POINTS:
        return None
    spread, axes = np.linalg.eigh(np.cov(np.asarray(cap_xy, np.float64).T))
    if spread[0] <= 0 or np.sqrt(spread[1] / spread[0]) < ELONGATED:
        return None
    major = axes[:, 1]
    return float((np.arctan2(major[1], major[0]) + np.pi / 2) % np.pi - np.pi / 2)


def segment_top(
    camera: PinholeCamera, fraction: np.ndarray, depth: np.ndarray, radius_m: float
) -> tuple[np.ndarray, float, float, np.ndarray] | None:
    """The object seen at image ``fraction`` ``(2,)`` (column / width, row / height) of the head depth
    image ``depth`` ``(H, W)`` (m), segmented as the module docstring says: the centre ``(2,)`` of its
    top and the height of that top (base frame, m), the support surface's height (m) and the top's
    points ``(N, 2)`` (m, base frame xy); ``None`` when no pixel near the seed stands above the support.

    Pure numpy; a flood fill over at most ``(2 * SEGMENT_WINDOW_PX + 1)^2`` pixels (well under a
    millisecond). Written here because the fill must stop at depth jumps, which connected-component
    labelling of a mask (``scipy.ndimage.label``) does not see.
    """
    h, w = depth.shape
    col = int(np.clip(fraction[0] * w, 0, w - 1))
    row = int(np.clip(fraction[1] * h, 0, h - 1))
    k = SEGMENT_WINDOW_PX
    r0, r1, c0, c1 = max(row - k, 0), min(row + k + 1, h), max(col - k, 0), min(col + k + 1, w)
    points = camera.unproject_window(depth[r0:r1, c0:c1], (h, w), slice(r0, r1), slice(c0, c1))
    pixel_rad = np.radians(camera.fov_deg) / h
    step = np.maximum(STEP_M, STEP_PX * pixel_rad * np.linalg.norm(points - np.asarray(camera.eye), axis=-1))
    support = float(np.percentile(points[..., 2], SUPPORT_PERCENTILE))
    above = points[..., 2] > support + ABOVE_SUPPORT_M
    seed = _nearest_true(above, (row - r0, col - c0), SEED_SEARCH_PX)
    if seed is None:
        return None
    centre = points[seed][:2]
    member = np.zeros_like(above)
    member[seed] = True
    frontier = [seed]
    while frontier:
        r, c = frontier.pop()
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if not (0 <= nr < above.shape[0] and 0 <= nc < above.shape[1]) or member[nr, nc]:
                continue
            p = points[nr, nc]
            if (
                above[nr, nc]
                and float(np.linalg.norm(p - points[r, c])) < step[r, c]
                and float(np.linalg.norm(p[:2] - centre)) < radius_m
            ):
                member[nr, nc] = True
                frontier.append((nr, nc))
    body = points[member]
    top = float(body[:, 2].max())
    cap = body[body[:, 2] >= top - TOP_CAP_M]
    return cap[:, :2].mean(axis=0), top, support, cap[:, :2]


def _nearest_true(mask: np.ndarray, at: tuple[int, int], reach: int) -> tuple[int, int] | None:
    """The ``True`` cell of ``mask`` nearest ``at`` (row, column) within ``reach`` cells, else ``None``."""
    r, c = at
    cells = np.argwhere(mask[max(r - reach, 0) : r + reach + 1, max(c - reach, 0) : c + reach + 1])
    if len(cells) == 0:
        return None
    cells += (max(r - reach, 0), max(c - reach, 0))
    nearest = cells[np.argmin(((cells - (r, c)) ** 2).sum(axis=1))]
    return int(nearest[0]), int(nearest[1])


def surface_behind(camera: PinholeCamera, goal: np.ndarray, depth: np.ndarray, window: int) -> float:
    """How far (m, along the camera ray) ``goal`` ``(3,)`` (base frame) lies behind the surface the
    head depth image ``depth`` ``(H, W[, 1])`` shows at its pixel; negative when the surface is
    behind the goal."""
    probe = DepthGoal(camera=camera, behind_m=0.0, window=window)
    fractions = camera.image_fractions(np.asarray(goal, np.float64)[None])[0]
    surface = probe.locate(2 * fractions[0] - 1, depth, None)
    ray = surface - np.asarray(camera.eye)
    return float((np.asarray(goal) - surface) @ (ray / np.linalg.norm(ray)))


def below_top(camera: PinholeCamera, goal: np.ndarray, depth: np.ndarray, radius_m: float) -> float | None:
    """How far (m) ``goal`` ``(3,)`` (base frame) lies under the top of the object the head depth image
    ``depth`` shows at its pixel (:func:`object_top`); ``None`` when the pixel shows no object or the
    object is hidden (its surface more than :data:`HIDDEN_M` in front of ``goal``)."""
    d = np.asarray(depth, np.float32).reshape(depth.shape[0], depth.shape[1])
    if surface_behind(camera, goal, d, 1) > HIDDEN_M:
        return None
    fraction = camera.image_fractions(np.asarray(goal, np.float64)[None])[0][0]
    seen = object_top(camera, fraction, d, radius_m)
    return None if seen is None else seen[1] - float(goal[2])
