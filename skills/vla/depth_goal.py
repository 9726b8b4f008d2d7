"""``DepthGoal``: where the gripper should act, from the learned keypoint and the head depth camera.

A keypoint model (``VLAConfig.goal_source == "keypoints"``) finds the named object in the head
image: its head keypoint 0 lands on the grasp point's pixel (within about 2 px of 128 on held-out
picks). One pixel only fixes a ray, though, and the goal head's guess of how far along the ray
the object lies is off by several centimetres (grasp heights span 0.07-0.44 m; see
``scripts/goal_generalisation.py --ray-bound``). The scene's head camera also measures depth, so
the distance can be read instead of guessed:

1. take the median head depth over the ``(2 * window + 1)`` square of pixels under keypoint 0;
2. unproject that pixel at that depth through the calibrated head camera (base frame): a point
   on the object's visible surface;
3. continue ``behind_m`` further along the ray, since the grasp point lies inside the object
   (2.5 cm under a top, over its centre), behind the surface the camera sees.
   :func:`calibrate_behind` measures it on training seeds.

The arm itself may stand between the head camera and the object (at the start of about a fifth of
kitchen picks, the tucked arm hides it). The point then lands on the arm, far from the goal head's
own estimate; :meth:`DepthGoal.trust` rejects a depth goal more than ``max_disagreement_m`` from it,
and the policy keeps the goal head's estimate until the object comes into view
(:class:`skills.vla.policy.VLAPolicy`).

The learned parts stay learned: which object, and where it appears, come from the instruction
and the image; how to reach the goal is the action decoder's. Depth only replaces a guess of a
distance with a measurement of it, as in keypoint-based manipulation with RGB-D cameras
(Transporter networks, kPAM).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from skills.vla.camera import PinholeCamera, crop_fractions

HIDDEN_M = 0.1
"""A grasp point more than this (m) behind the surface its pixel shows is hidden (by the arm, ...)."""


class DepthGoal(BaseModel):
    """See the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    camera: PinholeCamera = Field(description="head camera calibration, base frame")
    behind_m: float = Field(
        ge=0.0,
        description="how far beyond the visible surface the goal lies along the camera ray (m)",
    )
    window: int = Field(default=1, ge=0, le=8, description="median depth over (2w+1)^2 pixels")
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
        d = np.asarray(depth, np.float32).reshape(depth.shape[0], depth.shape[1])
        fractions = crop_fractions(np.asarray(xy, np.float64)[None], crop)
        h, w = d.shape
        col = int(np.clip(fractions[0, 0] * w, 0, w - 1))
        row = int(np.clip(fractions[0, 1] * h, 0, h - 1))
        k = self.window
        surface_depth = float(np.median(d[max(row - k, 0) : row + k + 1, max(col - k, 0) : col + k + 1]))
        surface = self.camera.unproject(fractions, np.array([surface_depth]))[0]
        ray = surface - np.asarray(self.camera.eye)
        return surface + self.behind_m * ray / np.linalg.norm(ray)

    def trust(self, depth_goal: np.ndarray, head_goal: np.ndarray) -> bool:
        """Whether ``depth_goal`` is within ``max_disagreement_m`` of the goal head's ``head_goal``
        (both ``(3,)``, m, base frame)."""
        return (
            float(np.linalg.norm(np.asarray(depth_goal) - np.asarray(head_goal))) <= self.max_disagreement_m
        )


def surface_behind(camera: PinholeCamera, goal: np.ndarray, depth: np.ndarray, window: int) -> float:
    """How far (m, along the camera ray) ``goal`` ``(3,)`` (base frame) lies behind the surface the
    head depth image ``depth`` ``(H, W[, 1])`` shows at its pixel; negative when the surface is
    behind the goal."""
    probe = DepthGoal(camera=camera, behind_m=0.0, window=window)
    fractions = camera.image_fractions(np.asarray(goal, np.float64)[None])[0]
    surface = probe.locate(2 * fractions[0] - 1, depth, None)
    ray = surface - np.asarray(camera.eye)
    return float((np.asarray(goal) - surface) @ (ray / np.linalg.norm(ray)))


def calibrate_behind(
    env: Any, seeds: range, window: int = 1, hidden_m: float = HIDDEN_M
) -> tuple[float, list[float]]:
    """The median :func:`surface_behind` of the grasp point of ``pick`` at the start of the
    evaluation's pick cases (:func:`skills.vla.evaluate.setup_case`) on ``seeds`` of scene ``env``
    (use training seeds, not the held-out ones): ``behind_m`` and every case's offset (m). Cases
    where the surface is more than ``hidden_m`` in front of the grasp point (something hides the
    object) are left out of the median.

    Raises:
        ValueError: no seed gave a visible pick case.
    """
    from skills.scripted.pick import grasp_point
    from skills.vla.camera import head_camera
    from skills.vla.evaluate import setup_case

    camera = head_camera(env)
    offsets = []
    for seed in seeds:
        with env.unwrapped.cameras_paused():
            setup = setup_case(env, "pick", seed)
        if setup is None:
            continue
        e = env.unwrapped
        goal = grasp_point(e, setup[0].args["object"])
        offsets.append(surface_behind(camera, goal, e.get_obs()["head_depth"], window))
    seen = [o for o in offsets if o <= hidden_m]
    if not seen:
        raise ValueError(f"no pick case on seeds {seeds} shows its object to the head camera")
    return float(np.median(seen)), offsets
