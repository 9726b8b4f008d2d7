"""The depth goal: keypoint 0 through the head depth image, its calibration, and the policy's latch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydantic
import pytest
import torch

from skills.vla.artifact import load_policy, save_policy
from skills.vla.camera import PinholeCamera
from skills.vla.depth_goal import DepthGoal, surface_behind
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
