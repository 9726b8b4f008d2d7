"""``PinholeCamera``: where a point in the robot's base frame appears in a camera image.

The calibration of a camera fixed to the robot base (the kitchen robot's head camera on its
mast): eye, look-at target and up vector in the base frame (``panda_link0``, m) and the
vertical field of view, the same parameters PyBullet renders with (``computeViewMatrix``,
``computeProjectionMatrixFOV``, square image). Training uses it to mark, in the head image,
where a demonstration's gripper will act (:func:`skills.vla.data.goal_pixels`), a dense label
for the goal keypoint; a real robot would read it from its camera calibration.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

Vec3 = tuple[float, float, float]


class PinholeCamera(BaseModel):
    """See the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    eye: Vec3 = Field(description="camera centre, base frame (m)")
    target: Vec3 = Field(description="a point on the optical axis, base frame (m)")
    up: Vec3 = Field(description="up direction, base frame (image rows run against it)")
    fov_deg: float = Field(gt=0.0, lt=180.0, description="vertical field of view (deg), square image")

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Eye and the unit forward, right and up axes of the camera, base frame."""
        eye = np.asarray(self.eye, np.float64)
        forward = np.asarray(self.target, np.float64) - eye
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, np.asarray(self.up, np.float64))
        right /= np.linalg.norm(right)
        return eye, forward, right, np.cross(right, forward)

    def image_fractions(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``points`` ``(N, 3)`` (base frame, m) -> ``(N, 2)`` (column / width, row / height) and
        ``(N,)`` whether each lies in front of the camera (fractions outside ``[0, 1]`` are off-image).
        """
        eye, forward, right, up = self.basis()
        d = np.asarray(points, np.float64) - eye
        depth = d @ forward
        scale = np.tan(np.radians(self.fov_deg) / 2) * np.where(depth > 1e-6, depth, np.inf)
        ndc = np.stack([d @ right, d @ up], axis=-1) / scale[:, None]
        return np.stack([(ndc[:, 0] + 1) / 2, (1 - ndc[:, 1]) / 2], axis=-1), depth > 1e-6

    def unproject(self, fractions: np.ndarray, depth: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`image_fractions`: image fractions ``(N, 2)`` (column / width, row /
        height) seen at ``depth`` ``(N,)`` (m along the optical axis, what the scene's depth camera
        reports) -> ``(N, 3)`` points, base frame (m)."""
        eye, forward, right, up = self.basis()
        f = np.asarray(fractions, np.float64)
        t = np.tan(np.radians(self.fov_deg) / 2)
        rays = forward + t * ((2 * f[:, :1] - 1) * right + (1 - 2 * f[:, 1:]) * up)
        return eye + np.asarray(depth, np.float64)[:, None] * rays

    def unproject_window(
        self, depth: np.ndarray, frame: tuple[int, int], rows: slice = slice(None), cols: slice = slice(None)
    ) -> np.ndarray:
        """The pixels ``rows`` x ``cols`` of an ``(H, W)`` ``frame``, seen at ``depth`` ``(h, w)`` (that
        window of the depth image, m along the optical axis), as points ``(h, w, 3)``, base frame (m);
        each pixel is unprojected through its centre."""
        height, width = frame
        r, c = np.mgrid[rows.start or 0 : rows.stop or height, cols.start or 0 : cols.stop or width]
        fractions = np.stack([(c.ravel() + 0.5) / width, (r.ravel() + 0.5) / height], axis=-1)
        return self.unproject(fractions, np.asarray(depth, np.float64).reshape(-1)).reshape(*r.shape, 3)


def crop_points(
    camera: PinholeCamera, points: np.ndarray, crop: tuple[float, float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Where ``points`` ``(N, 3)`` (base frame, m) appear in ``camera``'s ``crop``: ``(N, 2)`` float32
    ``(x, y)`` in ``[-1, 1]`` (:func:`crop_coordinates`) and ``(N,)`` whether each is in front of the
    camera and inside the crop."""
    fractions, in_front = camera.image_fractions(points)
    xy = crop_coordinates(fractions, crop).astype(np.float32)
    return xy, in_front & (np.abs(xy) < 1).all(axis=1)


def crop_coordinates(fractions: np.ndarray, crop: tuple[float, float, float] | None) -> np.ndarray:
    """Image fractions ``(N, 2)`` -> ``(x, y)`` in ``[-1, 1]`` over the crop window (``None``: whole image),
    the convention of :class:`skills.vla.vision.SpatialKeypoints`."""
    top, left, side = crop if crop is not None else (0.0, 0.0, 1.0)
    return np.stack(
        [2 * (fractions[:, 0] - left) / side - 1, 2 * (fractions[:, 1] - top) / side - 1], axis=-1
    )


def crop_fractions(xy: np.ndarray, crop: tuple[float, float, float] | None) -> np.ndarray:
    """The inverse of :func:`crop_coordinates`: ``(N, 2)`` ``(x, y)`` in ``[-1, 1]`` over the crop ->
    image fractions (column / width, row / height)."""
    top, left, side = crop if crop is not None else (0.0, 0.0, 1.0)
    xy = np.asarray(xy, np.float64)
    return np.stack([left + (xy[:, 0] + 1) / 2 * side, top + (xy[:, 1] + 1) / 2 * side], axis=-1)


def head_camera(env: object) -> PinholeCamera:
    """The head camera of a reset scene ``env`` in its robot's base frame.

    Raises:
        ValueError: the robot's head camera is not fixed to the base (it moves between resets).
    """
    from scenes.geometry import quat_matrix

    e = getattr(env, "unwrapped", env)
    calibrations = []
    for seed in (0, 1):
        e.reset(seed=seed)
        eye, target, up = e.robot.head_view()
        mount, quat = e.robot.arm.mount_pose()
        rot = quat_matrix(quat).T
        calibrations.append(
            PinholeCamera(
                eye=tuple(float(v) for v in rot @ (np.asarray(eye) - mount)),
                target=tuple(float(v) for v in rot @ (np.asarray(target) - mount)),
                up=tuple(float(v) for v in rot @ np.asarray(up)),
                fov_deg=float(e.head_spec.fov_deg),
            )
        )
    a, b = (np.array([*c.eye, *c.target, *c.up]) for c in calibrations)
    if not np.allclose(a, b, atol=1e-6):
        raise ValueError("the head camera moves relative to the robot base; no fixed calibration")
    return calibrations[0]


def scene_head_camera(scene: str) -> PinholeCamera:
    """:func:`head_camera` of a fresh ``scene`` (registry name), closed afterwards.

    Raises:
        KeyError: unknown scene (the message lists the known ones).
        ValueError: its head camera is not fixed to the base.
    """
    from agentrt.core.registry import SCENES

    env = SCENES.get(scene)()
    try:
        return head_camera(env)
    finally:
        env.close()
