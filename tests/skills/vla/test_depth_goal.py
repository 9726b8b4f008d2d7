"""The depth goal: keypoint 0 through the head depth image, its calibration, and the policy's latch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydantic
import pytest
import torch

from skills.vla.artifact import load_policy, save_policy
from skills.vla.camera import PinholeCamera
from skills.vla.depth_goal import DepthGoal, below_top, object_top, surface_behind, top_yaw
from skills.vla.model import VLAModel
from skills.vla.normalize import NormStats
from skills.vla.policy import VLAPolicy
from tests.skills.vla.helpers import FakeTextEncoder, observation, tiny_config

CAMERA = PinholeCamera(eye=(0.0, 0.0, 1.0), target=(1.0, 0.0, 0.0), up=(0.0, 0.0, 1.0), fov_deg=60.0)
"""Looks forward and 45 degrees down from 1 m up."""
FORWARD = np.array([1.0, 0.0, -1.0]) / np.sqrt(2)


def _plane(depth: float, size: int = 64) -> np.ndarray:
    """A depth image ``(size, size, 1)`` that is ``depth`` (m along the optical axis) everywhere."""
    return np.full((size, size, 1), depth, np.float32)


def _xy(point: np.ndarray) -> np.ndarray:
    """Where ``point`` appears in the whole image, ``[-1, 1]``."""
    return 2 * CAMERA.image_fractions(point[None])[0][0] - 1


def test_locate_unprojects_the_keypoint_and_continues_behind_the_surface() -> None:
    point = np.array([0.9, 0.2, 0.05])
    depth = float((point - np.array(CAMERA.eye)) @ FORWARD)
    ray = (point - np.array(CAMERA.eye)) / np.linalg.norm(point - np.array(CAMERA.eye))
    np.testing.assert_allclose(
        DepthGoal(camera=CAMERA, behind_m=0.0).locate(_xy(point), _plane(depth), None), point
    )
    np.testing.assert_allclose(
        DepthGoal(camera=CAMERA, behind_m=0.03).locate(_xy(point), _plane(depth), None),
        point + 0.03 * ray,
        atol=1e-6,
    )
    # a crop: the same pixel named in the crop's coordinates
    crop = (0.25, 0.25, 0.5)
    fractions = CAMERA.image_fractions(point[None])[0][0]
    in_crop = (fractions - [0.25, 0.25]) / 0.5 * 2 - 1
    np.testing.assert_allclose(
        DepthGoal(camera=CAMERA, behind_m=0.0).locate(in_crop, _plane(depth), crop), point
    )


def test_the_window_median_ignores_one_wrong_pixel() -> None:
    point = np.array([0.8, -0.1, 0.1])
    depth = float((point - np.array(CAMERA.eye)) @ FORWARD)
    image = _plane(depth)
    col, row = (CAMERA.image_fractions(point[None])[0][0] * 64).astype(int)
    image[row, col] = 0.2  # a speck in front of the object
    np.testing.assert_allclose(
        DepthGoal(camera=CAMERA, behind_m=0.0, window=1).locate(_xy(point), image, None), point, atol=1e-6
    )
    near = DepthGoal(camera=CAMERA, behind_m=0.0, window=0).locate(_xy(point), image, None)
    assert np.linalg.norm(near - np.array(CAMERA.eye)) < 0.3


BOX_LO, BOX_HI = np.array([0.87, 0.07, 0.0]), np.array([0.93, 0.13, 0.1])
"""A 6 cm box, 10 cm tall, standing on the floor (z = 0) in front of :data:`CAMERA`."""


def _box_scene(size: int = 128, lo: np.ndarray = BOX_LO, hi: np.ndarray = BOX_HI) -> np.ndarray:
    """Ray-cast depth ``(size, size)`` (m along the optical axis) of the floor and the box ``lo``-``hi``."""
    rows, cols = np.mgrid[0:size, 0:size]
    fractions = np.stack([(cols + 0.5) / size, (rows + 0.5) / size], -1).reshape(-1, 2)
    rays = CAMERA.unproject(fractions, np.ones(len(fractions))) - np.array(CAMERA.eye)
    eye = np.array(CAMERA.eye)
    depth = np.where(rays[:, 2] < 0, -eye[2] / np.minimum(rays[:, 2], -1e-9), 10.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # slab test, rays parallel to a face
        t0, t1 = (lo - eye) / rays, (hi - eye) / rays
    near = np.nanmax(np.minimum(t0, t1), axis=1)
    far = np.nanmin(np.maximum(t0, t1), axis=1)
    hit = (near <= far) & (near > 0)
    return np.where(hit, np.minimum(depth, near), depth).reshape(size, size).astype(np.float32)


def test_the_segment_method_finds_the_centre_of_the_top_from_any_pixel_on_the_object() -> None:
    depth = _box_scene()
    centre = (BOX_LO + BOX_HI) / 2
    top = np.array([centre[0], centre[1], BOX_HI[2]])
    finder = DepthGoal(camera=CAMERA, behind_m=0.0, segment_radius_m=0.08, below_top_m=0.025)
    for corner in ([0.88, 0.08, 0.1], [0.92, 0.12, 0.1], [0.875, 0.1, 0.05]):  # top corners, a side
        fraction = CAMERA.image_fractions(np.array([corner]))[0][0]
        seen = object_top(CAMERA, fraction, depth, 0.08)
        assert seen is not None
        top_xy, top_z, support_z = seen
        np.testing.assert_allclose(top_xy, top[:2], atol=0.008)  # a pixel is about 1 cm here
        assert top_z == pytest.approx(0.1, abs=0.005) and support_z == pytest.approx(0.0, abs=1e-3)
        goal = finder.locate(2 * fraction - 1, depth, None)
        np.testing.assert_allclose(goal, [*top[:2], 0.075], atol=0.008)
    # the ray method from a top corner lands on that corner, 3 cm or more from the centre
    corner = CAMERA.image_fractions(np.array([[0.88, 0.08, 0.1]]))[0][0]
    ray_goal = DepthGoal(camera=CAMERA, behind_m=0.0).locate(2 * corner - 1, depth, None)
    assert np.linalg.norm(ray_goal[:2] - top[:2]) > 0.025
    assert below_top(CAMERA, np.array([*top[:2], 0.07]), depth, 0.08) == pytest.approx(0.03, abs=0.005)


def test_the_segment_method_falls_back_to_the_ray_off_any_object() -> None:
    depth = _box_scene()
    floor = np.array([0.7, -0.3, 0.0])
    fraction = CAMERA.image_fractions(floor[None])[0][0]
    assert object_top(CAMERA, fraction, depth, 0.08) is None
    finder = DepthGoal(camera=CAMERA, behind_m=0.0, segment_radius_m=0.08, below_top_m=0.025)
    np.testing.assert_allclose(finder.locate(2 * fraction - 1, depth, None), floor, atol=0.01)


def test_trust_and_surface_behind() -> None:
    finder = DepthGoal(camera=CAMERA, behind_m=0.0, max_disagreement_m=0.1)
    assert finder.trust(np.zeros(3), np.array([0.0, 0.09, 0.0]))
    assert not finder.trust(np.zeros(3), np.array([0.0, 0.11, 0.0]))
    goal = np.array([1.0, 0.0, 0.0])  # on the optical axis, sqrt(2) m away
    assert surface_behind(CAMERA, goal, _plane(np.sqrt(2) - 0.04), window=1) == pytest.approx(0.04, abs=1e-6)
    assert surface_behind(CAMERA, goal, _plane(np.sqrt(2) + 0.02), window=0) == pytest.approx(-0.02, abs=1e-6)


def test_a_depth_goal_needs_a_keypoint_goal_and_the_head_camera() -> None:
    finder = DepthGoal(camera=CAMERA, behind_m=0.03)
    with pytest.raises(pydantic.ValidationError, match="depth_goal needs goal_source='keypoints'"):
        tiny_config(goal_weight=1.0, depth_goal=finder)
    with pytest.raises(pydantic.ValidationError, match="behind_m"):
        DepthGoal(camera=CAMERA, behind_m=-0.01)


def _depth_policy(max_disagreement_m: float) -> VLAPolicy:
    torch.manual_seed(0)
    config = tiny_config(
        keypoints=2, cnn_widths=(8, 16, 16), goal_weight=1.0, goal_source="keypoints", goal_relative=True,
        head="l1", depth_goal=DepthGoal(camera=CAMERA, behind_m=0.02, max_disagreement_m=max_disagreement_m),
    )  # fmt: skip
    stats = NormStats(
        state_mean=[0.0] * 18, state_std=[1.0] * 18, action_low=[-1.0] * 7, action_high=[1.0] * 7
    )
    return VLAPolicy(VLAModel(config), stats, text_encoder=FakeTextEncoder())


def test_the_policy_keeps_the_first_depth_goal_it_trusts_until_reset(tmp_path: Path) -> None:
    policy = _depth_policy(max_disagreement_m=100.0)  # trusts any depth goal
    assert policy.obs_keys == ("head_rgb", "wrist_rgb", "head_depth", "state")
    text = "pick up the red mug"
    obs = {**observation(np.random.default_rng(0)), "head_depth": _plane(1.0)}
    with pytest.raises(KeyError, match="head_depth"):
        policy.predict_chunk({k: v for k, v in obs.items() if k != "head_depth"}, text)
    chunk = policy.predict_chunk(obs, text)
    assert policy.depth_goal is not None and policy.depth_goal[0] == text
    found = policy.depth_goal[1]
    # what the keypoint says, through the depth image
    images, state = policy.inputs(obs)
    logits = policy.model.keypoint_logits(images, policy.embed(text)[None])
    side = int(np.sqrt(logits.shape[-1]))
    xy = policy.model.keypoints.expected_xy(logits[:, 0, :1], side, side)[0, 0].numpy()
    assert policy.config.depth_goal is not None
    np.testing.assert_allclose(found, policy.config.depth_goal.locate(xy, _plane(1.0), None), atol=1e-5)
    expected = policy.model.predict(
        images, policy.embed(text)[None], state, goal=torch.as_tensor(found[None]).float()
    )
    np.testing.assert_allclose(chunk, policy.normalizer.unaction(expected[0]).numpy(), atol=1e-5)
    # kept while the instruction stays: a changed depth image does not move it
    policy.predict_chunk({**obs, "head_depth": _plane(3.0)}, text)
    np.testing.assert_array_equal(policy.depth_goal[1], found)
    policy.reset()
    assert policy.depth_goal is None
    # the artifact keeps the depth goal
    save_policy(tmp_path / "depth", policy)
    loaded = load_policy(tmp_path / "depth", text_encoder=FakeTextEncoder())
    assert loaded.config.depth_goal == policy.config.depth_goal


def test_the_policy_keeps_its_own_goal_while_the_depth_goal_disagrees() -> None:
    policy = _depth_policy(max_disagreement_m=1e-6)  # trusts no depth goal
    text = "pick up the red mug"
    obs = {**observation(np.random.default_rng(1)), "head_depth": _plane(1.0)}
    chunk = policy.predict_chunk(obs, text)
    assert policy.depth_goal is None
    images, state = policy.inputs(obs)
    # a call that starts holding something (a place) never uses the depth goal
    trusting = _depth_policy(max_disagreement_m=100.0)
    trusting.grasping = False
    trusting.predict_chunk(obs, text)
    assert trusting.depth_goal is None
    own = policy.model.predict(images, policy.embed(text)[None], state)
    np.testing.assert_allclose(chunk, policy.normalizer.unaction(own[0]).numpy(), atol=1e-6)


def test_top_yaw_is_the_long_axis_of_an_elongated_top_and_none_for_a_round_one() -> None:
    xs, ys = np.meshgrid(np.linspace(-0.045, 0.045, 10), np.linspace(-0.025, 0.025, 6))
    grid = np.stack([xs, ys], -1).reshape(-1, 2)
    for yaw in (0.5, -1.2, 1.5):
        c, s = np.cos(yaw), np.sin(yaw)
        box = grid @ np.array([[c, s], [-s, c]]) + [0.6, 0.1]  # a 9 x 5 cm top, long side at ``yaw``
        found = top_yaw(box)
        assert found is not None and abs((found - yaw + np.pi / 2) % np.pi - np.pi / 2) < 1e-6
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    disc = 0.028 * np.stack([np.cos(angles), np.sin(angles)], -1)
    assert top_yaw(np.concatenate([disc, 0.5 * disc])) is None  # a mug's rim: no axis
    assert top_yaw(grid[:5]) is None  # too few points to tell


def test_locate_grasp_reads_the_long_axis_of_the_segmented_top_once_asked() -> None:
    """A 4 x 12 cm box, its long side along y: the long axis is +-pi/2; the goal is locate's."""
    lo, hi = np.array([0.88, 0.04, 0.0]), np.array([0.92, 0.16, 0.1])
    depth = _box_scene(lo=lo, hi=hi)
    xy = _xy(np.array([0.9, 0.1, 0.1]))
    plain = DepthGoal(camera=CAMERA, behind_m=0.0, segment_radius_m=0.1, below_top_m=0.025)
    aligned = plain.model_copy(update={"align_yaw": True})
    goal, yaw = aligned.locate_grasp(xy, depth, None)
    np.testing.assert_allclose(goal, plain.locate(xy, depth, None))
    assert yaw is not None and abs(abs(yaw) - np.pi / 2) < np.radians(5)
    assert plain.locate_grasp(xy, depth, None)[1] is None  # not asked for
    _, square = aligned.locate_grasp(_xy(np.array([0.9, 0.1, 0.1])), _box_scene(), None)
    assert square is None  # the 6 x 6 cm box has no long axis


@pytest.mark.parametrize("size", [64, 96, 128])
def test_the_segment_climbs_a_tall_face_to_the_top(size: int) -> None:
    """A 17 cm tall, 5 cm thin box seen from a pixel halfway up its front face: rows on the face lie
    more than 2 cm apart at 64 and 96 px, and the fill still reaches the top (the pixel footprint
    sets the step it allows, ``STEP_PX``)."""
    lo, hi = np.array([0.88, 0.04, 0.0]), np.array([0.928, 0.18, 0.17])
    face = np.array([[lo[0], 0.11, 0.08]])
    seen = object_top(CAMERA, CAMERA.image_fractions(face)[0][0], _box_scene(size, lo, hi), 0.08)
    assert seen is not None
    top_xy, top_z, support_z = seen
    assert top_z == pytest.approx(0.17, abs=0.005) and support_z == pytest.approx(0.0, abs=1e-3)
    np.testing.assert_allclose(top_xy, [0.904, 0.11], atol=0.012)
