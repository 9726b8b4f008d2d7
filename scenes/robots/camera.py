"""Headless pinhole cameras rendered with PyBullet's TinyRenderer.

Images are rendered only when an observation is produced (once per 10 Hz policy
step), never per physics step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pybullet as p


@dataclass(frozen=True)
class CameraSpec:
    """Intrinsics of one camera.

    Attributes:
        width, height: image size in pixels.
        fov_deg: vertical field of view (degrees).
        near, far: clipping planes (m); depth is clipped to ``[near, far]``.
    """

    width: int
    height: int
    fov_deg: float = 60.0
    near: float = 0.02
    far: float = 6.0


def render(
    client: int, spec: CameraSpec, eye: np.ndarray, target: np.ndarray, up: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Render RGB and metric depth from ``eye`` looking at ``target`` (world frame, m).

    Returns:
        ``rgb`` of shape ``(H, W, 3)`` uint8 and ``depth`` of shape ``(H, W, 1)`` float32,
        the z-distance in metres along the optical axis, clipped to ``[near, far]``.
    """
    view = p.computeViewMatrix(list(map(float, eye)), list(map(float, target)), list(map(float, up)))
    proj = p.computeProjectionMatrixFOV(spec.fov_deg, spec.width / spec.height, spec.near, spec.far)
    _, _, rgba, zbuf, _ = p.getCameraImage(
        spec.width,
        spec.height,
        viewMatrix=view,
        projectionMatrix=proj,
        renderer=p.ER_TINY_RENDERER,
        shadow=0,
        flags=p.ER_NO_SEGMENTATION_MASK,
        physicsClientId=client,
    )
    rgb = np.asarray(rgba, dtype=np.uint8).reshape(spec.height, spec.width, 4)[..., :3].copy()
    zbuf = np.asarray(zbuf, dtype=np.float64).reshape(spec.height, spec.width)
    depth = spec.far * spec.near / (spec.far - (spec.far - spec.near) * zbuf)
    depth = np.clip(depth, spec.near, spec.far).astype(np.float32)[..., None]
    return rgb, depth


def segmentation(
    client: int, spec: CameraSpec, eye: np.ndarray, target: np.ndarray, up: np.ndarray
) -> np.ndarray:
    """``(H, W)`` int PyBullet body id seen at each pixel (``-1``: none), rendered like :func:`render`."""
    view = p.computeViewMatrix(list(map(float, eye)), list(map(float, target)), list(map(float, up)))
    proj = p.computeProjectionMatrixFOV(spec.fov_deg, spec.width / spec.height, spec.near, spec.far)
    _, _, _, _, seg = p.getCameraImage(
        spec.width, spec.height, viewMatrix=view, projectionMatrix=proj,
        renderer=p.ER_TINY_RENDERER, shadow=0, physicsClientId=client,
    )  # fmt: skip
    ids = np.asarray(seg, dtype=np.int64).reshape(spec.height, spec.width)
    return np.where(ids < 0, -1, ids & ((1 << 24) - 1))  # the low 24 bits: body; the high: link
