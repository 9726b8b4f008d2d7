"""The object pointer: its loss, that it learns to find a named colour, and the policy's use of it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pydantic
import pytest
import torch

from skills.vla.artifact import load_policy, save_policy
from skills.vla.camera import PinholeCamera
from skills.vla.depth_goal import DepthGoal
from skills.vla.model import VLAModel
from skills.vla.normalize import NormStats
from skills.vla.pointer import (
    ObjectPointer,
    PointerConfig,
    evaluate_pointer,
    pointer_loss,
    train_pointer,
    window_inputs,
)
from skills.vla.policy import VLAPolicy
from tests.skills.vla.helpers import FakeTextEncoder, observation, tiny_config

CAMERA = PinholeCamera(eye=(0.0, 0.0, 1.0), target=(1.0, 0.0, 0.0), up=(0.0, 0.0, 1.0), fov_deg=60.0)
CROP = (0.25, 0.25, 0.5)


def test_the_loss_is_minus_the_log_probability_on_the_object_or_on_not_visible() -> None:
    pixels, null = torch.zeros(2, 9), torch.zeros(2)  # uniform over 9 pixels + "not visible"
    masks = torch.zeros(2, 9, dtype=torch.bool)
    masks[0, :3] = True
    loss = pointer_loss(pixels, null, masks, torch.tensor([True, False]))
    assert float(loss) == pytest.approx((math.log(10 / 3) + math.log(10)) / 2, abs=1e-6)
    # all the mass on the object: no loss, whichever of its pixels carries it
    pixels[0, 1] = 50.0
    assert float(pointer_loss(pixels[:1], torch.tensor([-50.0]), masks[:1], torch.tensor([True]))) < 1e-6


def test_window_inputs_hold_colour_and_base_frame_height() -> None:
    config = PointerConfig(crop=CROP)
    depth = np.full((8, 8), np.sqrt(2), np.float32)  # 16 x 16 frame; the optical axis meets z = 0 there
    rgb = np.full((8, 8, 3), 255, np.uint8)
    x = window_inputs(rgb, depth, CAMERA, config, (16, 16))
    assert x.shape == (4, 8, 8) and x.dtype == np.float32
    np.testing.assert_allclose(x[:3], 1.0)
    # the window's centre pixels look along the axis: height 0 m
    assert x[3, 3:5, 3:5] == pytest.approx((0.0 - config.z_offset_m) / config.z_scale_m, abs=0.2)


def _squares(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``n`` views of 16 x 16 with a red and a blue 3 x 3 square; pairs name one of them (or green,
    which no view shows: not visible)."""
    rgb = np.zeros((n, 16, 16, 3), np.uint8)
    labels = np.zeros((n, 16, 16), np.int8)
    for v in range(n):
        for k, colour in ((1, (220, 20, 20)), (2, (20, 20, 220))):
            while True:
                r, c = rng.integers(0, 13, 2)
                if not labels[v, r : r + 3, c : c + 3].any():
                    break
            rgb[v, r : r + 3, c : c + 3] = colour
            labels[v, r : r + 3, c : c + 3] = k
    view = np.repeat(np.arange(n), 3)
    label = np.tile([1, 2, 0], n)
    return {
        "rgb": rgb,
        "depth": np.full((n, 16, 16), 1.2, np.float32),
        "labels": labels,
        "view": view,
        "label": label,
        "text_id": np.tile([0, 1, 2], n),
        "frame": np.array([32, 32]),
    }


def test_the_pointer_learns_to_point_at_the_named_colour_and_to_say_not_visible() -> None:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    data = _squares(96, rng)
    embeddings = torch.as_tensor(FakeTextEncoder().encode(["red", "blue", "green"]))
    pointer = ObjectPointer(PointerConfig(crop=CROP, channels=8, dilations=(1, 1, 1)))
    pairs = np.arange(len(data["view"]))
    train, val = pairs[:240], pairs[240:]
    before = evaluate_pointer(pointer, CAMERA, data, embeddings, data["text_id"], val)
    history = train_pointer(
        pointer, CAMERA, data, embeddings, data["text_id"], train, val, steps=150, batch=32, lr=1e-2,
        report_every=150,
    )  # fmt: skip
    after = history[-1]
    assert after["on_object"] > 0.9 > before["on_object"]
    assert after["null_right"] > 0.9 and after["trusted"] > 0.9


def _pointer_policy(max_null: float, places: bool = False) -> VLAPolicy:
    torch.manual_seed(0)
    config = tiny_config(
        keypoints=2, cnn_widths=(8, 16, 16), goal_weight=1.0, goal_source="keypoints", goal_relative=True,
        head="l1", crops={"head": CROP}, depth_goal=DepthGoal(camera=CAMERA, behind_m=0.02),
        pointer=PointerConfig(crop=CROP, channels=8, dilations=(1, 1), max_null=max_null, places=places),
    )  # fmt: skip
    stats = NormStats(
        state_mean=[0.0] * 18, state_std=[1.0] * 18, action_low=[-1.0] * 7, action_high=[1.0] * 7
    )
    return VLAPolicy(VLAModel(config), stats, text_encoder=FakeTextEncoder())


def test_the_policy_seeds_the_depth_goal_at_the_pointers_pixel(tmp_path: Path) -> None:
    policy = _pointer_policy(max_null=1.0)  # trusts any answer
    text = "pick up the red mug"
    depth = np.full((128, 128, 1), 1.0, np.float32)
    obs = {**observation(np.random.default_rng(0)), "head_depth": depth}
    chunk = policy.predict_chunk(obs, text)
    assert policy.pointer_seen is not None and policy.depth_goal is not None
    xy, p_null = policy.pointer_seen
    assert 0.0 < p_null < 1.0 and np.all(np.abs(xy) < 1)
    pointer, finder = policy.model.pointer, policy.config.depth_goal
    assert pointer is not None and finder is not None
    again, _ = pointer.point(obs["head_rgb"], depth, CAMERA, policy.embed(text))
    np.testing.assert_array_equal(again, xy)
    np.testing.assert_allclose(policy.depth_goal[1], finder.locate(xy, depth, CROP))
    assert policy.last_goal is not None
    np.testing.assert_allclose(policy.last_goal, policy.depth_goal[1], atol=1e-5)
    # the artifact holds the pointer: save -> load gives the same chunk
    policy.reset()
    assert policy.pointer_seen is None and policy.depth_goal is None
    save_policy(tmp_path / "pointer", policy)
    loaded = load_policy(tmp_path / "pointer", text_encoder=FakeTextEncoder())
    assert loaded.config.pointer == policy.config.pointer
    np.testing.assert_allclose(loaded.predict_chunk(obs, text), chunk, atol=1e-6)


def test_the_policy_keeps_the_goal_heads_guess_while_the_pointer_sees_nothing() -> None:
    policy = _pointer_policy(max_null=1e-6)  # never sure enough
    obs = {**observation(np.random.default_rng(1)), "head_depth": np.full((128, 128, 1), 1.0, np.float32)}
    text = "pick up the red mug"
    chunk = policy.predict_chunk(obs, text)
    assert policy.depth_goal is None and policy.pointer_seen is not None
    images, state = policy.inputs(obs)
    own = policy.model.predict(images, policy.embed(text)[None], state)
    np.testing.assert_allclose(chunk, policy.normalizer.unaction(own[0]).numpy(), atol=1e-6)


def test_a_pointer_needs_a_depth_goal_and_the_head_crop() -> None:
    base = dict(keypoints=2, cnn_widths=(8, 16, 16), goal_weight=1.0, goal_source="keypoints")
    with pytest.raises(pydantic.ValidationError, match="pointer needs depth_goal"):
        tiny_config(**base, pointer=PointerConfig(crop=CROP))
    with pytest.raises(pydantic.ValidationError, match="differs from the head crop"):
        tiny_config(
            **base, crops={"head": (0.1, 0.1, 0.5)}, depth_goal=DepthGoal(camera=CAMERA, behind_m=0.0),
            pointer=PointerConfig(crop=CROP),
        )  # fmt: skip


def test_a_place_takes_x_y_from_the_pointer_and_the_height_from_the_goal_head() -> None:
    text = "put the red mug in the kitchen sink"
    depth = np.full((128, 128, 1), 1.0, np.float32)
    obs = {**observation(np.random.default_rng(2)), "head_depth": depth}
    plain = _pointer_policy(max_null=1.0)  # a pointer trained on picks only: a place keeps the head's goal
    plain.grasping = False
    plain.predict_chunk(obs, text)
    assert plain.depth_goal is None and plain.pointer_seen is None
    policy = _pointer_policy(max_null=1.0, places=True)
    policy.grasping = False
    policy.predict_chunk(obs, text)
    assert policy.depth_goal is not None and policy.pointer_seen is not None
    found = policy.depth_goal[1]
    finder = policy.config.depth_goal
    assert finder is not None
    surface = finder.surface(policy.pointer_seen[0], depth, CROP)
    images, state = policy.inputs(obs)
    head = policy.normalizer.ungoal(policy.model.predict_goal(images, policy.embed(text)[None], state)[0])
    np.testing.assert_allclose(found, [surface[0], surface[1], float(head[2])], atol=1e-5)


def test_a_pointer_goal_off_the_place_is_not_kept() -> None:
    """``grasp_within`` (the place the object lies in, set by the pick) rejects a depth goal found
    elsewhere: the chunk uses the goal head's guess and the next chunk looks again."""
    policy = _pointer_policy(max_null=1.0)
    obs = {**observation(np.random.default_rng(0)), "head_depth": np.full((128, 128, 1), 1.0, np.float32)}
    text = "pick up the red mug"
    asked: list[np.ndarray] = []
    policy.grasp_within = lambda grasp: asked.append(grasp) is not None  # nothing is on the place
    chunk = policy.predict_chunk(obs, text)
    assert len(asked) == 1 and policy.depth_goal is None and policy.grasp_yaw is None
    images, state = policy.inputs(obs)
    own = policy.model.predict(images, policy.embed(text)[None], state)
    np.testing.assert_allclose(chunk, policy.normalizer.unaction(own[0]).numpy(), atol=1e-6)
    policy.grasp_within = lambda grasp: True  # on the place: kept, as without the check
    policy.predict_chunk(obs, text)
    assert policy.depth_goal is not None
    np.testing.assert_allclose(policy.depth_goal[1], asked[0])
    policy.reset()
    assert policy.grasp_within is None
