"""Each action head: a training step on a tiny batch learns, padded rows carry no loss, shapes hold."""

from __future__ import annotations

import pytest
import torch

from skills.vla import heads
from skills.vla.config import VLAConfig
from skills.vla.heads import L1Head, _masked_mean
from skills.vla.model import VLAModel
from tests.skills.vla.helpers import tiny_config

HEADS = tuple(heads.HEADS.names())
"""The contract tests below run over every registered head."""


def test_the_built_in_heads_are_registered_and_an_unknown_one_is_refused_by_name() -> None:
    assert {"tokens", "flow", "l1"} <= set(HEADS)
    with pytest.raises(ValueError, match="unknown action head 'diffusion'; known: flow, l1, tokens"):
        tiny_config(head="diffusion")


def test_a_head_registered_by_another_package_builds_and_trains() -> None:
    class MeanHead(L1Head):
        """A plugin's head: the L1 head under another name."""

    heads.HEADS.add("plugin-mean", MeanHead)
    try:
        config = tiny_config(head="plugin-mean")
        assert isinstance(config, VLAConfig) and isinstance(VLAModel(config).head, MeanHead)
    finally:
        heads.HEADS.remove("plugin-mean")


def tiny_batch(config, batch: int = 4) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    k = len(config.cameras)
    valid = torch.ones(batch, config.chunk_size, dtype=torch.bool)
    valid[0, -2:] = False  # a chunk that ran past its segment
    return {
        "images": torch.rand(batch, k, 3, config.image_size, config.image_size, generator=g),
        "text": torch.randn(batch, 384, generator=g),
        "state": torch.randn(batch, 18, generator=g),
        "target": torch.rand(batch, config.chunk_size, config.action_dim, generator=g) * 1.6 - 0.8,
        "valid": valid,
    }


@pytest.mark.parametrize("head", HEADS)
def test_training_steps_on_a_tiny_batch_reduce_the_loss(head: str) -> None:
    torch.manual_seed(0)
    config = tiny_config(head=head, dropout=0.0)
    model = VLAModel(config)
    batch = tiny_batch(config)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    losses = []
    for _ in range(40):
        torch.manual_seed(1)  # the same flow noise and time every step: a fixed objective
        loss, metrics = model.loss(**batch)
        assert torch.isfinite(loss) and metrics
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.5 * losses[0], losses
    changed = [n for n, p in model.named_parameters() if not torch.equal(p, before[n])]
    assert any(n.startswith("vision.") for n in changed) and any(n.startswith("head.") for n in changed)


def test_masked_mean_by_hand() -> None:
    values = torch.tensor([[[1.0, 3.0], [10.0, 10.0]], [[5.0, 7.0], [2.0, 4.0]]])  # (B=2, T=2, A=2)
    valid = torch.tensor([[True, False], [True, True]])
    assert float(_masked_mean(values, valid)) == pytest.approx((1 + 3 + 5 + 7 + 2 + 4) / 6)


def test_tokens_head_starts_near_uniform_cross_entropy() -> None:
    torch.manual_seed(0)
    config = tiny_config(head="tokens")
    loss, _ = VLAModel(config).eval().loss(**tiny_batch(config))
    assert abs(float(loss.detach()) - torch.log(torch.tensor(256.0)).item()) < 1.0


@pytest.mark.parametrize("head", ["tokens", "l1"])
def test_padded_rows_carry_no_loss(head: str) -> None:
    """(The flow head's decoder input holds the noised target, so padded rows shape its other rows.)"""
    config = tiny_config(head=head)
    model = VLAModel(config).eval()
    batch = tiny_batch(config)
    other = dict(batch, target=batch["target"].clone())
    other["target"][0, -2:] = -0.9  # change only the invalid rows
    with torch.no_grad():
        a, _ = model.loss(**batch)
        b, _ = model.loss(**other)
    assert float(a) == pytest.approx(float(b), rel=1e-6)


@pytest.mark.parametrize("head", HEADS)
def test_predict_shape_and_range(head: str) -> None:
    config = tiny_config(head=head)
    model = VLAModel(config).eval()
    batch = tiny_batch(config, batch=3)
    chunk = model.predict(batch["images"], batch["text"], batch["state"], torch.Generator().manual_seed(0))
    assert chunk.shape == (3, config.chunk_size, config.action_dim)
    assert float(chunk.abs().max()) <= 1.0


def test_flow_sampling_is_seeded_by_the_generator() -> None:
    config = tiny_config(head="flow")
    model = VLAModel(config).eval()
    b = tiny_batch(config, batch=1)
    first = model.predict(b["images"], b["text"], b["state"], torch.Generator().manual_seed(5))
    again = model.predict(b["images"], b["text"], b["state"], torch.Generator().manual_seed(5))
    other = model.predict(b["images"], b["text"], b["state"], torch.Generator().manual_seed(6))
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_film_conditions_vision_on_language() -> None:
    torch.manual_seed(0)
    model = VLAModel(tiny_config())
    for module in model.vision.modules():
        if module.__class__.__name__ == "FiLM":
            torch.nn.init.normal_(module.proj.weight, std=0.1)
    model.eval()
    images = torch.rand(1, 3, 32, 32)
    a = model.vision(images, torch.randn(1, 384))
    b = model.vision(images, torch.randn(1, 384))
    assert not torch.allclose(a, b)


def test_manipulation_ignores_the_bases_world_pose() -> None:
    torch.manual_seed(0)
    config = tiny_config("manipulation", head="l1")  # continuous outputs show any input change
    model = VLAModel(config).eval()
    b = tiny_batch(config, batch=1)
    moved = b["state"].clone()
    moved[:, 15:] += 5.0  # base x, y, yaw in the world
    arm = b["state"].clone()
    arm[:, 0] += 5.0  # a joint angle
    first = model.predict(b["images"], b["text"], b["state"])
    assert torch.equal(first, model.predict(b["images"], b["text"], moved))
    assert not torch.equal(first, model.predict(b["images"], b["text"], arm))


def test_the_goal_loss_is_added_with_its_weight_and_learns() -> None:
    torch.manual_seed(0)
    config = tiny_config("manipulation", head="l1", dropout=0.0, goal_weight=2.0)
    model = VLAModel(config)
    b = tiny_batch(config)
    goal = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))
    goal_valid = torch.tensor([True, True, True, False])
    without, _ = model.loss(**b)
    total, info = model.loss(**b, goal=goal, goal_valid=goal_valid)
    by_hand = torch.nn.functional.smooth_l1_loss(model.predict_goal(b["images"], b["text"], b["state"]), goal,
                                                 reduction="none").mean(-1)[:3].mean()  # fmt: skip
    torch.testing.assert_close(total, without + 2.0 * by_hand)
    assert info["goal_l1"] == pytest.approx(float(by_hand), rel=1e-5)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(60):
        loss, info = model.loss(**b, goal=goal, goal_valid=goal_valid)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert info["goal_l1"] < 0.2 * float(by_hand)
    # the goal token is one more context token, which the action decoder attends to
    plain = VLAModel(tiny_config("manipulation", head="l1"))
    assert model.encode(b["images"], b["text"], b["state"]).shape[1] == (
        plain.encode(b["images"], b["text"], b["state"]).shape[1] + 1
    )


def test_only_arm_models_with_an_encoder_have_a_goal() -> None:
    with pytest.raises(ValueError, match="goal_weight"):
        tiny_config("navigation", goal_weight=1.0)
    with pytest.raises(ValueError, match="enc_layers"):
        tiny_config("manipulation", goal_weight=1.0, enc_layers=0)
    model = VLAModel(tiny_config("manipulation"))
    assert not any(name.startswith("goal_") for name, _ in model.named_parameters())
    b = tiny_batch(model.config, batch=1)
    with pytest.raises(ValueError, match="no goal head"):
        model.predict_goal(b["images"], b["text"], b["state"])
