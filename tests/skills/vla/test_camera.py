"""Head camera calibration: known projections, the kitchen robot's head camera against PyBullet's render."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.robots.camera import segmentation
from skills.vla.camera import PinholeCamera, crop_coordinates, crop_fractions, crop_points, head_camera

CAMERA = PinholeCamera(eye=(0.0, 0.0, 1.0), target=(1.0, 0.0, 1.0), up=(0.0, 0.0, 1.0), fov_deg=90.0)
"""Looks along +x from 1 m up: tan(45 deg) = 1, so a point d ahead is at the image edge d off-axis."""


def test_known_projections() -> None:
    points = np.array([[2.0, 0.0, 1.0], [2.0, 0.0, 3.0], [2.0, -2.0, 1.0], [1.0, 0.5, 0.5], [-1.0, 0.0, 1.0]])
    fractions, in_front = CAMERA.image_fractions(points)
    np.testing.assert_allclose(fractions[:4], [[0.5, 0.5], [0.5, 0.0], [1.0, 0.5], [0.25, 0.75]], atol=1e-9)
    assert in_front.tolist() == [True, True, True, True, False]  # the last is behind the camera


def test_crop_points_keep_only_what_the_crop_shows() -> None:
    points = np.array([[2.0, 0.0, 1.0], [2.0, -1.9, 1.0], [-1.0, 0.0, 1.0]])  # centre, right edge, behind
    xy, seen = crop_points(CAMERA, points, (0.25, 0.25, 0.5))  # the middle half of the image
    np.testing.assert_allclose(xy[0], [0.0, 0.0], atol=1e-9)
    assert xy.dtype == np.float32 and seen.tolist() == [True, False, False]


def test_crop_coordinates_span_the_window() -> None:
    corners = np.array([[0.25, 0.5], [0.75, 1.0], [0.5, 0.75]])
    np.testing.assert_allclose(
        crop_coordinates(corners, (0.5, 0.25, 0.5)), [[-1, -1], [1, 1], [0, 0]], atol=1e-12
    )
    np.testing.assert_allclose(crop_coordinates(corners, None), corners * 2 - 1)


def test_the_kitchen_head_camera_puts_objects_where_pybullet_renders_them() -> None:
    from agentrt.core.registry import SCENES
    from skills.vla.evaluate import setup_case

    env = SCENES.get("kitchen-v0")()
    try:
        camera = head_camera(env)
        e = env.unwrapped
        compared = 0
        for seed in range(100_000, 100_002):
            with e.cameras_paused():
                assert setup_case(env, "pick", seed) is not None  # the robot now faces the objects
            spec, (eye, target, up) = e.head_spec, e.robot.head_view()
            seg = segmentation(e.client, spec, eye, target, up)
            for oid, record in e.objects.items():
                rows, cols = np.nonzero(seg == record.body)
                cut = len(rows) and (rows.min() == 0 or cols.min() == 0 or cols.max() == spec.width - 1)
                if len(rows) < 20 or cut:  # hidden, barely visible or cut by the frame: centroid is off
                    continue
                centre = e.world_to_base(np.asarray(e.object_pose(oid)[0]))
                (frac,), _ = camera.image_fractions(centre[None])
                assert abs(frac[0] * spec.width - cols.mean()) < 3.0, oid  # px
                assert abs(frac[1] * spec.height - rows.mean()) < 3.0, oid
                compared += 1
        assert compared >= 4
    finally:
        env.close()


def test_a_camera_that_moves_with_the_scene_is_refused() -> None:
    class Drifting:
        """A stand-in env whose head camera is elsewhere after every reset."""

        def __init__(self) -> None:
            self.resets = 0
            self.head_spec = type("Spec", (), {"fov_deg": 60.0})()
            self.robot = self
            self.arm = self

        def reset(self, seed: int) -> None:
            self.resets += 1

        def head_view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            return (
                np.array([0.0, 0.0, float(self.resets)]),
                np.array([1.0, 0.0, 0.0]),
                np.array([0.0, 0.0, 1.0]),
            )

        def mount_pose(self) -> tuple[np.ndarray, tuple[float, float, float, float]]:
            return np.zeros(3), (0.0, 0.0, 0.0, 1.0)

    with pytest.raises(ValueError, match="moves relative to the robot base"):
        head_camera(Drifting())


def test_unproject_inverts_the_projection() -> None:
    camera = PinholeCamera(eye=(0.1, -0.2, 1.3), target=(1.0, 0.3, 0.4), up=(0.0, 0.0, 1.0), fov_deg=70.0)
    points = np.random.default_rng(0).uniform([0.5, -0.4, 0.0], [1.2, 0.4, 0.6], (20, 3))
    fractions, in_front = camera.image_fractions(points)
    eye, forward, _, _ = camera.basis()
    depth = (points - eye) @ forward  # along the optical axis, as the depth camera reports
    assert in_front.all()
    np.testing.assert_allclose(camera.unproject(fractions, depth), points, atol=1e-9)
    np.testing.assert_allclose(CAMERA.unproject(np.array([[0.5, 0.0]]), np.array([2.0])), [[2.0, 0.0, 3.0]])


def test_crop_fractions_invert_crop_coordinates() -> None:
    fractions = np.random.default_rng(1).uniform(0, 1, (10, 2))
    for crop in ((0.36, 0.33, 0.5), None):
        np.testing.assert_allclose(
            crop_fractions(crop_coordinates(fractions, crop), crop), fractions, atol=1e-12
        )


def test_unproject_window_is_unproject_at_the_window_pixel_centres() -> None:
    from skills.vla.camera import PinholeCamera

    camera = PinholeCamera(eye=(0.1, 0.0, 0.9), target=(0.6, 0.0, 0.2), up=(0.0, 0.0, 1.0), fov_deg=60.0)
    depth = np.random.default_rng(0).uniform(0.5, 1.5, (8, 10))
    points = camera.unproject_window(depth[2:5, 3:7], (8, 10), slice(2, 5), slice(3, 7))
    assert points.shape == (3, 4, 3)
    expected = camera.unproject(np.array([[(5 + 0.5) / 10, (3 + 0.5) / 8]]), depth[3:4, 5])
    np.testing.assert_allclose(points[1, 2], expected[0])
    np.testing.assert_allclose(camera.unproject_window(depth, (8, 10))[3, 5], expected[0])
