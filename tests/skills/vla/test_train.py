"""Training data windows, a tiny training run, its artifact and resumption (the CLI: tests/agentrt/cli/)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from rich.console import Console

from agentrt.datasets import constants as K
from agentrt.datasets.torch_dataset import EpisodeDataset
from skills.vla.artifact import load_policy, save_policy
from skills.vla.camera import PinholeCamera
from skills.vla.config import preset
from skills.vla.data import (
    chunk_targets,
    chunk_windows,
    gripper_goals,
    load_training_data,
    relabelled_episodes,
    setpoint_offsets,
)
from skills.vla.depth_goal import DepthGoal
from skills.vla.model import VLAModel
from skills.vla.normalize import NormStats
from skills.vla.pointer import PointerConfig
from skills.vla.policy import VLAPolicy
from skills.vla.train import TrainConfig, goal_pixels, train, training_stats
from tests.skills.vla.helpers import FakeTextEncoder, make_kitchen_dataset, observation, tiny_config


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_kitchen_dataset(tmp_path_factory.mktemp("vla") / "data", episodes=3, frames_per_skill=6)


def test_chunk_windows_stop_at_segment_ends() -> None:
    idx, valid = chunk_windows(np.array([7, 7, 7, 3, 3]), horizon=3)
    assert idx.tolist() == [[0, 1, 2], [1, 2, 2], [2, 2, 2], [3, 4, 4], [4, 4, 4]]
    assert valid.tolist() == [[1, 1, 1], [1, 1, 0], [1, 0, 0], [1, 1, 0], [1, 0, 0]]


def test_position_targets_sum_the_arms_steps_over_the_valid_rows() -> None:
    actions = np.zeros((5, 7), np.float32)
    actions[:, 0] = [0.01, 0.02, 0.03, 0.04, 0.05]  # dx
    actions[:, 5] = 0.1  # dyaw: stays a per-step delta
    actions[:, 6] = [-1, -1, 1, 1, 1]
    idx, valid = chunk_windows(np.array([7, 7, 7, 3, 3]), horizon=3)
    deltas = chunk_targets(actions, idx, valid)
    np.testing.assert_allclose(deltas[0, :, 0], [0.01, 0.02, 0.03])
    targets = chunk_targets(actions, idx, valid, position_targets=True)
    np.testing.assert_allclose(targets[0, :, 0], [0.01, 0.03, 0.06])
    np.testing.assert_allclose(targets[1, :, 0], [0.02, 0.05, 0.05])  # past the segment: stays put
    np.testing.assert_allclose(targets[3, :, 0], [0.04, 0.09, 0.09])
    np.testing.assert_array_equal(targets[..., 3:], deltas[..., 3:])  # rotation and gripper unchanged
    with pytest.raises(ValueError, match="arm-only"):
        preset("navigation", position_targets=True)


def test_gripper_goals_are_where_each_segment_first_flips_its_gripper() -> None:
    segment = np.array([0, 0, 0, 0, 5, 5, 5, 2, 2])
    ee = np.arange(27, dtype=np.float32).reshape(9, 3)
    gripper = np.array([-1, -1, 1, -1, 1, 1, -1, -1, -1])  # pick closes at 2; place opens at 6; 2 never flips
    goals, valid = gripper_goals(segment, ee, gripper)
    assert goals[:4].tolist() == [[6, 7, 8]] * 4 and goals[4:7].tolist() == [[18, 19, 20]] * 3
    assert valid.tolist() == [True] * 7 + [False] * 2 and not goals[7:].any()


def test_setpoint_offsets_are_the_steps_between_a_grasp_frame_and_its_close() -> None:
    segment = np.array([0, 0, 0, 0, 5, 5, 2, 2])
    steps = np.zeros((8, 3), np.float32)
    steps[:, 0] = [0.01, 0.02, 0.03, 0.04, 0.1, 0.2, 0.5, 0.5]
    gripper = np.array([-1, -1, 1, 1, 1, -1, -1, -1])  # a grasp closing at 2; a place; a grasp never closing
    offsets, grasp = setpoint_offsets(segment, steps, gripper)
    # S_t - S_2: minus the steps of frames t..1 before the close, plus those of 2..t-1 after it
    np.testing.assert_allclose(offsets[:4, 0], [-0.03, -0.02, 0.0, 0.03], atol=1e-7)
    assert grasp.tolist() == [True] * 4 + [False] * 2 + [True] * 2
    assert not offsets[4:].any() and not offsets[:, 1:].any()  # the place keeps the setpoint frame


def test_goal_frame_targets_are_position_targets_relative_to_the_goal(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="goal_frame needs position_targets"):
        tiny_config("manipulation", goal_frame=True)
    sized = {"cnn_widths": (8, 16, 16), "keypoints": 2, "goal_weight": 1.0, "goal_source": "keypoints"}
    setpoint = tiny_config("manipulation", position_targets=True, **sized)
    plain = load_training_data(dataset, setpoint, tmp_path / "cache", progress=False)
    config = tiny_config("manipulation", position_targets=True, goal_frame=True, **sized)
    data = load_training_data(dataset, config, tmp_path / "cache", progress=False)
    assert data.goal_offsets is not None and plain.goal_offsets is None
    idx = np.arange(len(data))
    shifted = data.targets(idx, position_targets=True) - plain.targets(idx, position_targets=True)
    expected_shift = np.broadcast_to(data.goal_offsets[:, None], shifted[..., :3].shape)
    np.testing.assert_allclose(shifted[..., :3], expected_shift, atol=1e-6)
    assert not shifted[..., 3:].any()
    assert data.goal_valid is not None and data.goal_valid.all()
    # each episode: a pick (subgoal 1, frames 0-5) closing at its frame 3, then a place (frames 6-11)
    assert not data.goal_offsets[3::12].any() and data.goal_offsets[0::12].any()
    assert not data.goal_offsets[6::12].any()  # the place's rows stay relative to the setpoint
    cfg = run_config(dataset, tmp_path / "run", steps=2, position_targets=True, goal_frame=True, **sized)
    policy = train(cfg, text_encoder=FakeTextEncoder(), console=quiet())
    assert policy.goal_frame and policy.position_targets
    train_idx, _ = data.split(cfg.val_fraction, cfg.seed)
    expected = training_stats(data, train_idx, position_targets=True)
    assert policy.stats.action_high == pytest.approx(expected.action_high)


def test_goal_targets_of_the_manipulation_family(dataset: Path, tmp_path: Path) -> None:
    data = load_training_data(dataset, tiny_config("manipulation"), tmp_path / "cache", progress=False)
    assert data.goals is None  # only read for a model with a goal head
    config = tiny_config("manipulation", goal_weight=1.0)
    data = load_training_data(dataset, config, tmp_path / "cache", progress=False)
    assert data.goals is not None and data.goal_valid is not None and data.goal_valid.all()
    # pick (subgoal 1) closes and place (subgoal 2) opens at frame 3: the EE is at (3, episode, subgoal)
    expected = [[3.0, e, s] for e in range(3) for s in (1, 2) for _ in range(6)]
    assert data.goals.tolist() == expected


def test_relabelled_episodes_train_only_the_first_rows_of_their_chunks(dataset: Path, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(dataset, copy)
    record = copy / K.PROVENANCE_PATH.format(episode_index=1)
    body = json.loads(record.read_text())
    record.write_text(json.dumps({**body, "extra": {**(body.get("extra") or {}), "dagger": {"driver": "x"}}}))
    assert relabelled_episodes(EpisodeDataset(copy, video_keys=()).meta) == {1}
    config = tiny_config("manipulation")
    every = load_training_data(copy, config, tmp_path / "cache", progress=False)
    first = load_training_data(copy, config, tmp_path / "cache", progress=False, relabelled_rows=1)
    mine = every.episodes == 1
    assert first.chunk_valid[mine].sum(1).tolist() == [1] * int(mine.sum())
    np.testing.assert_array_equal(first.chunk_valid[~mine], every.chunk_valid[~mine])


def test_training_data_of_a_family(dataset: Path, tmp_path: Path) -> None:
    config = tiny_config("manipulation")
    data = load_training_data(dataset, config, tmp_path / "cache", progress=False)
    assert len(data) == 3 * 2 * 6  # pick + place frames of 3 episodes
    assert data.images.shape == (36, 2, 3, 32, 32) and data.images.dtype == np.uint8
    assert data.actions.shape == (36, 7)
    assert sorted(data.texts) == ["pick up the red mug", "put the red mug in the sink"]
    # frame 4 of the first pick segment: chunk rows 4, 5 valid, then the segment ends (place is next)
    assert data.chunks[4].tolist() == [4, 5, 5, 5] and data.chunk_valid[4].tolist() == [1, 1, 0, 0]
    assert np.allclose(data.actions[data.chunks[4], 0], [0.04, 0.05, 0.05, 0.05])
    head = data.images[0, 0]  # flat colour 60 * subgoal(1) of the first pick frame, through H.264
    assert abs(int(np.median(head)) - 60) <= 3
    train_idx, val_idx = data.split(0.34, seed=0)
    assert len(np.intersect1d(data.episodes[train_idx], data.episodes[val_idx])) == 0 and len(val_idx) == 12
    cached = sorted(p.name for p in (tmp_path / "cache").iterdir())
    again = load_training_data(dataset, config, tmp_path / "cache", progress=False)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == cached
    np.testing.assert_array_equal(again.images, data.images)
    nav = load_training_data(dataset, tiny_config("navigation"), tmp_path / "cache", progress=False)
    assert nav.actions.shape == (18, 3) and np.allclose(nav.actions, [0.1, 0.0, -0.1])


def test_a_crop_feeds_its_window_at_full_resolution_and_keys_its_own_cache(
    dataset: Path, tmp_path: Path
) -> None:
    whole = load_training_data(dataset, tiny_config("manipulation"), tmp_path / "cache", progress=False)
    # the 32 px tiny model reads the centre quarter of the 128 px head frames without resizing
    config = tiny_config("manipulation", crops={"head": (0.375, 0.375, 0.25)})
    cropped = load_training_data(dataset, config, tmp_path / "cache", progress=False)
    assert len(list((tmp_path / "cache").glob("images-*.u8"))) == 2
    assert cropped.images.shape == whole.images.shape
    np.testing.assert_array_equal(cropped.images[:, 1], whole.images[:, 1])  # wrist: not cropped
    assert abs(int(np.median(cropped.images[0, 0])) - 60) <= 3  # still the flat pick colour


def run_config(dataset: Path, out: Path, steps: int, **overrides: object) -> TrainConfig:
    model = tiny_config("manipulation", dropout=0.0, **overrides)
    return TrainConfig(
        data=dataset, out=out, model=model, steps=steps, batch_size=4, val_every=2, val_batches=1,
        save_every=2, warmup_steps=1, val_fraction=0.34, augment_shift=2,
    )  # fmt: skip


def quiet() -> Console:
    return Console(file=open("/dev/null", "w"))  # noqa: SIM115


def test_train_writes_a_loadable_artifact_and_logs(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "run" / "manip"
    calls: list[int] = []

    def rollout(policy) -> dict[str, float]:
        calls.append(1)
        chunk = policy.predict_chunk(observation(np.random.default_rng(0)), "pick up the red mug")
        return {"pick/success": float(chunk.shape == (4, 7))}

    cfg = run_config(dataset, out, steps=4).model_copy(update={"rollout_every": 2})
    policy = train(cfg, rollout=rollout, text_encoder=FakeTextEncoder(), progress=False, console=quiet())
    assert calls == [1, 1]
    loaded = load_policy(out, text_encoder=FakeTextEncoder())
    assert loaded.provenance["steps"] == 4 and loaded.provenance["metrics"]["rollout/pick/success"] == 1.0
    assert loaded.provenance["episodes"] == 2
    obs = observation(np.random.default_rng(1))
    np.testing.assert_array_equal(
        loaded.predict_chunk(obs, "pick up the red mug"), policy.predict_chunk(obs, "pick up the red mug")
    )
    log = [json.loads(line) for line in out.with_name("manip.log.jsonl").read_text().splitlines()]
    assert [e["step"] for e in log if "val/loss" in e] == [2, 4]
    assert all(np.isfinite(e["val/loss"]) for e in log if "val/loss" in e)


def test_resumed_training_equals_uninterrupted_training(dataset: Path, tmp_path: Path) -> None:
    straight = train(run_config(dataset, tmp_path / "a", 6), text_encoder=FakeTextEncoder(), progress=False,
                     console=quiet())  # fmt: skip

    def interrupt(policy) -> dict[str, float]:
        raise KeyboardInterrupt

    cfg = run_config(dataset, tmp_path / "b", 6).model_copy(update={"rollout_every": 4})
    with pytest.raises(KeyboardInterrupt):  # a session ending: the checkpoint is written first
        train(cfg, rollout=interrupt, text_encoder=FakeTextEncoder(), progress=False, console=quiet())
    assert torch.load(tmp_path / "b.train.pt", weights_only=True)["step"] == 4
    resumed = train(run_config(dataset, tmp_path / "b", 6), text_encoder=FakeTextEncoder(), progress=False,
                    console=quiet())  # fmt: skip
    assert resumed.provenance["steps"] == 6
    for (name, a), b in zip(
        straight.model.state_dict().items(), resumed.model.state_dict().values(), strict=True
    ):
        torch.testing.assert_close(a, b, msg=name)


def test_resuming_with_another_model_config_is_refused(dataset: Path, tmp_path: Path) -> None:
    train(
        run_config(dataset, tmp_path / "c", 2),
        text_encoder=FakeTextEncoder(),
        progress=False,
        console=quiet(),
    )
    with pytest.raises(ValueError, match="another model config"):
        other = run_config(dataset, tmp_path / "c", 4, head="l1")
        train(other, text_encoder=FakeTextEncoder(), progress=False, console=quiet())


def test_wrapped_angles_give_one_value_per_heading() -> None:
    config = tiny_config("navigation", sincos_angles=(), wrap_angles=(17,))  # the shipped model's encoding
    states = np.zeros((3, 18), np.float32)
    states[:, 17] = [-4.71, 1.5708, 6.2832]
    states[:, 16] = 5.0  # not an angle: untouched
    out = config.prepare_state(states)
    np.testing.assert_allclose(out[:, 17], [1.5732, 1.5708, 0.0], atol=1e-3)
    assert (out[:, 16] == 5.0).all() and states[0, 17] == np.float32(-4.71)  # a copy
    assert tiny_config("manipulation").prepare_state(states) is states


def test_sincos_angles_are_continuous_through_the_wrap() -> None:
    config = tiny_config("navigation")
    assert config.sincos_angles == (17,) and config.state_width == 19  # base_yaw: integrated unwrapped
    states = np.zeros((4, 18), np.float32)
    states[:, 17] = [np.pi - 1e-3, -np.pi + 1e-3, 3 * np.pi, 0.5]  # the first three: about one heading
    states[:, 16] = 5.0
    out = config.prepare_state(states)
    assert out.shape == (4, 19) and (out[:, 16] == 5.0).all()
    np.testing.assert_allclose(out[:3, 17:], [[0.0, -1.0]] * 3, atol=2e-3)  # wrapped: 3.14 vs -3.14
    np.testing.assert_allclose(out[3, 17:], [np.sin(0.5), np.cos(0.5)], atol=1e-6)
    assert config.state_columns == (*range(18), 18)


@pytest.mark.parametrize(
    "overrides",
    [
        {"sincos_angles": (17,), "wrap_angles": (17,)},  # both encodings of one angle
        {"sincos_angles": (16, 16)},
        {"sincos_angles": (17,), "state_indices": tuple(range(15))},  # an angle the model does not read
        {"sincos_angles": (18,)},
    ],
)
def test_bad_sincos_angles_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="sincos_angles"):
        tiny_config("navigation", **overrides)


@pytest.mark.parametrize("encoding", [{"sincos_angles": (), "wrap_angles": (17,)}, {}])
def test_policy_reads_one_input_per_heading(encoding: dict[str, object]) -> None:
    from skills.vla.model import VLAModel
    from skills.vla.normalize import NormStats
    from skills.vla.policy import VLAPolicy

    config = tiny_config("navigation", **encoding)
    width = config.state_width
    stats = NormStats(
        state_mean=[0.0] * width, state_std=[1.0] * width, action_low=[-1.0] * 3, action_high=[1.0] * 3
    )
    policy = VLAPolicy(VLAModel(config), stats, FakeTextEncoder())
    obs = observation(np.random.default_rng(0))
    turned = dict(obs, state=obs["state"].copy())
    turned["state"][17] += 2 * np.pi  # the same heading, one turn further
    np.testing.assert_allclose(policy.inputs(turned)[1], policy.inputs(obs)[1], atol=1e-5)
    assert policy.inputs(obs)[1].shape == (1, width)
    assert policy.predict_chunk(obs, "go to the table").shape == (config.chunk_size, 3)


def test_init_from_across_a_new_state_encoding_refits_only_the_state_projection(
    dataset: Path, tmp_path: Path
) -> None:
    first = train(
        run_config(dataset, tmp_path / "a", steps=2), text_encoder=FakeTextEncoder(), console=quiet()
    )
    cfg = run_config(dataset, tmp_path / "b", steps=1, sincos_angles=(5,)).model_copy(
        update={"init_from": tmp_path / "a", "lr": 1e-9}
    )
    tuned = train(cfg, text_encoder=FakeTextEncoder(), console=quiet())
    assert (
        len(tuned.stats.state_mean) == 19 and len(first.stats.state_mean) == 18
    )  # the data's, with a cosine
    assert (tuned.stats.action_low, tuned.stats.action_high) == (
        first.stats.action_low,
        first.stats.action_high,
    )
    start = dict(first.model.named_parameters())
    for name, value in tuned.model.named_parameters():
        if name.startswith("state_proj."):
            assert value.shape[-1] == (16 if name.endswith("weight") else value.shape[-1])  # 15 + a cosine
        else:
            torch.testing.assert_close(value, start[name], atol=1e-6, rtol=0)


def test_init_from_starts_a_fresh_run_from_an_artifacts_weights(dataset: Path, tmp_path: Path) -> None:
    first = train(
        run_config(dataset, tmp_path / "a", steps=2), text_encoder=FakeTextEncoder(), console=quiet()
    )
    cfg = run_config(dataset, tmp_path / "b", steps=1).model_copy(
        update={"init_from": tmp_path / "a", "lr": 1e-9}
    )
    tuned = train(cfg, text_encoder=FakeTextEncoder(), console=quiet())
    assert tuned.stats == first.stats and tuned.provenance["train_config"]["init_from"] == str(tmp_path / "a")
    start = dict(first.model.named_parameters())  # one step at lr 1e-9: the weights are where they started
    for name, value in tuned.model.named_parameters():
        torch.testing.assert_close(value, start[name], atol=1e-6, rtol=0)
    other = run_config(dataset, tmp_path / "c", steps=1, d_model=64).model_copy(
        update={"init_from": tmp_path / "a"}
    )
    with pytest.raises(ValueError, match="does not fit"):
        train(other, text_encoder=FakeTextEncoder(), console=quiet())
    missing = run_config(dataset, tmp_path / "d", steps=1).model_copy(update={"init_from": tmp_path / "none"})
    with pytest.raises(ValueError, match="--init-from"):
        train(missing, text_encoder=FakeTextEncoder(), console=quiet())


def test_a_goal_run_reports_its_error_in_metres_and_can_start_from_a_run_without_one(
    dataset: Path, tmp_path: Path
) -> None:
    plain = train(
        run_config(dataset, tmp_path / "a", steps=2), text_encoder=FakeTextEncoder(), console=quiet()
    )
    cfg = run_config(dataset, tmp_path / "b", steps=2, goal_weight=1.0).model_copy(
        update={"init_from": tmp_path / "a"}
    )
    goal = train(cfg, text_encoder=FakeTextEncoder(), console=quiet())
    logged = [json.loads(line) for line in (tmp_path / "b.log.jsonl").read_text().splitlines()]
    assert all(entry["val/goal_err_m"] > 0 for entry in logged)
    # the fake EE is (frame, episode, subgoal) "metres" from a goal at frame 3: most frames are far
    assert all(entry["val/goal_err_far_m"] > 0 for entry in logged)
    assert load_policy(tmp_path / "b").config.goal_weight == 1.0
    assert {n for n, _ in goal.model.named_parameters()} - {n for n, _ in plain.model.named_parameters()} == {
        "goal_token", "goal_head.0.weight", "goal_head.0.bias", "goal_head.2.weight", "goal_head.2.bias"
    }  # fmt: skip
    back = run_config(dataset, tmp_path / "c", steps=1).model_copy(update={"init_from": tmp_path / "b"})
    with pytest.raises(ValueError, match="unexpected"):  # dropping a trained goal head is not silent
        train(back, text_encoder=FakeTextEncoder(), console=quiet())


def test_a_position_target_run_starts_from_a_delta_run_with_new_action_statistics(
    dataset: Path, tmp_path: Path
) -> None:
    deltas = train(
        run_config(dataset, tmp_path / "a", steps=2), text_encoder=FakeTextEncoder(), console=quiet()
    )
    cfg = run_config(dataset, tmp_path / "b", steps=2, position_targets=True).model_copy(
        update={"init_from": tmp_path / "a"}
    )
    tuned = train(cfg, text_encoder=FakeTextEncoder(), console=quiet())
    data = load_training_data(dataset, cfg.model, tmp_path / "cache", progress=False)
    train_idx, _ = data.split(cfg.val_fraction, cfg.seed)
    expected = training_stats(data, train_idx, position_targets=True)
    assert tuned.stats.action_high == pytest.approx(expected.action_high)
    assert tuned.stats.action_high[:3] != pytest.approx(deltas.stats.action_high[:3])  # sums spread wider
    assert tuned.stats.state_mean == deltas.stats.state_mean  # the inputs keep the source's scaling
    assert load_policy(tmp_path / "b").position_targets


def test_keypoints_can_be_added_to_a_trained_network(dataset: Path, tmp_path: Path) -> None:
    sized = {"cnn_widths": (8, 16, 16)}
    plain = train(
        run_config(dataset, tmp_path / "a", steps=2, **sized), text_encoder=FakeTextEncoder(), console=quiet()
    )
    cfg = run_config(dataset, tmp_path / "b", steps=2, keypoints=2, **sized).model_copy(
        update={"init_from": tmp_path / "a"}
    )
    tuned = train(cfg, text_encoder=FakeTextEncoder(), console=quiet())
    added = {n for n, _ in tuned.model.named_parameters()} - {n for n, _ in plain.model.named_parameters()}
    assert added and all(n.startswith("keypoint") for n in added)


def test_a_teacher_forced_relative_goal_run_can_start_from_a_keypoint_goal_run(
    dataset: Path, tmp_path: Path
) -> None:
    sized = dict(cnn_widths=(8, 16, 16), keypoints=2, goal_weight=1.0, goal_source="keypoints")
    first = train(
        run_config(dataset, tmp_path / "a", steps=2, **sized), text_encoder=FakeTextEncoder(), console=quiet()
    )
    cfg = run_config(
        dataset, tmp_path / "b", steps=2, keypoint_readout="peak", goal_relative=True, **sized
    ).model_copy(update={"init_from": tmp_path / "a", "goal_teacher": 0.5, "goal_noise_m": 0.01})
    tuned = train(cfg, text_encoder=FakeTextEncoder(), console=quiet())
    added = {n for n, _ in tuned.model.named_parameters()} - {n for n, _ in first.model.named_parameters()}
    assert added == {"goal_rel_in.weight", "goal_rel_in.bias"}
    loaded = load_policy(tmp_path / "b")
    assert loaded.config.goal_relative and loaded.config.keypoint_readout == "peak"
    # a goal head that reads the features under keypoint 0 starts afresh; the rest carries over
    cfg = run_config(
        dataset,
        tmp_path / "c",
        steps=1,
        keypoint_readout="peak",
        goal_relative=True,
        goal_features=True,
        **sized,
    ).model_copy(update={"init_from": tmp_path / "b", "lr": 1e-12, "warmup_steps": 0})
    grown = train(cfg, text_encoder=FakeTextEncoder(), console=quiet())
    before, after = tuned.model.state_dict(), grown.model.state_dict()
    assert after["goal_head.0.weight"].shape[1] == before["goal_head.0.weight"].shape[1] + 2 * 16
    torch.testing.assert_close(after["goal_in.weight"], before["goal_in.weight"], atol=1e-6, rtol=0)
    goal = torch.tensor([0.3, -0.2, 0.9])
    torch.testing.assert_close(loaded.normalizer.ungoal(loaded.normalizer.goal(goal)), goal)


def test_a_dense_goal_label_run_places_goals_with_the_camera(dataset: Path, tmp_path: Path) -> None:
    from skills.vla.camera import PinholeCamera

    # the fake end effector is at (frame, episode, subgoal) m: look down on that patch from 20 m
    camera = PinholeCamera(eye=(3.0, 1.0, 20.0), target=(3.0, 1.0, 0.0), up=(1.0, 0.0, 0.0), fov_deg=60.0)
    cfg = run_config(
        dataset, tmp_path / "a", steps=2, cnn_widths=(8, 16, 16), keypoints=2, goal_weight=1.0,
        goal_source="keypoints",
    ).model_copy(update={"goal_pixel_weight": 1.0, "head_camera": camera, "augment_shift": 0})  # fmt: skip
    lines = io.StringIO()
    train(cfg, text_encoder=FakeTextEncoder(), progress=False, console=Console(file=lines, width=200))
    data = load_training_data(dataset, cfg.model, cfg.path(".cache"), progress=False)
    xy, valid = goal_pixels(data, camera, None)
    assert valid.tolist() == data.goal_valid.tolist()  # every goal is in view
    # looking straight down with image-up along +x: image right is -y, and tan(30 deg) spans half the image
    g = data.goals[valid]
    scale = (20.0 - g[:, 2]) * np.tan(np.radians(30.0))
    np.testing.assert_allclose(
        xy[valid], np.stack([-(g[:, 1] - 1.0), -(g[:, 0] - 3.0)], 1) / scale[:, None], atol=1e-6
    )
    assert f"goal pixels: {int(valid.sum())} of {len(data)} frames" in lines.getvalue()
    assert load_policy(tmp_path / "a").config.goal_source == "keypoints"


def _grounding_file(path: Path, crop: tuple[float, float, float], size: int, n: int = 8) -> Path:
    rng = np.random.default_rng(0)
    np.savez(
        path, images=rng.integers(0, 256, (n, 3, size, size), dtype=np.uint8), xy=rng.uniform(-1, 1, (n, 2)),
        texts=np.array([f"pick up the mug {i % 3}" for i in range(n)]), seeds=np.arange(n),
        crop=np.array(crop), size=np.array(size),
    )  # fmt: skip
    return path


def test_grounding_co_trains_keypoint_0_on_labelled_crops(dataset: Path, tmp_path: Path) -> None:
    crops = {"head": (0.0, 0.0, 1.0)}
    model = {"cnn_widths": (8, 16, 16), "keypoints": 2, "crops": crops}
    cfg = run_config(dataset, tmp_path / "a", steps=2, **model).model_copy(
        update={"grounding": _grounding_file(tmp_path / "g.npz", crops["head"], 32)}
    )
    lines = io.StringIO()
    train(cfg, text_encoder=FakeTextEncoder(), progress=False, console=Console(file=lines, width=200))
    assert "grounding: co-training keypoint 0 on 8 labelled head crops" in lines.getvalue()
    wrong = cfg.model_copy(
        update={"out": tmp_path / "b", "grounding": _grounding_file(tmp_path / "w.npz", (0.1, 0.1, 0.5), 32)}
    )
    with pytest.raises(ValueError, match="but the model reads head crop"):
        train(wrong, text_encoder=FakeTextEncoder(), progress=False, console=quiet())
    (tmp_path / "bad.npz").write_bytes(b"not numpy")
    broken = cfg.model_copy(update={"out": tmp_path / "c", "grounding": tmp_path / "bad.npz"})
    with pytest.raises(ValueError, match="not a grounding-crops .npz"):
        train(broken, text_encoder=FakeTextEncoder(), progress=False, console=quiet())
    with pytest.raises(ValueError, match="grounding needs keypoints"):
        TrainConfig.model_validate(
            {**run_config(dataset, tmp_path / "d", steps=1).model_dump(), "grounding": tmp_path / "g.npz"}
        )


def test_fine_tuning_keeps_the_sources_depth_goal_and_frozen_pointer(dataset: Path, tmp_path: Path) -> None:
    crop = (0.25, 0.25, 0.5)
    camera = PinholeCamera(eye=(0.0, 0.0, 1.0), target=(1.0, 0.0, 0.0), up=(0.0, 0.0, 1.0), fov_deg=60.0)
    sized = dict(
        cnn_widths=(8, 16, 16), keypoints=2, goal_weight=1.0, goal_source="keypoints", crops={"head": crop}
    )
    torch.manual_seed(0)
    measured = tiny_config(
        "manipulation", dropout=0.0, depth_goal=DepthGoal(camera=camera, behind_m=0.02, align_yaw=True),
        pointer=PointerConfig(crop=crop, channels=8, dilations=(1, 1)), **sized,
    )  # fmt: skip
    stats = NormStats(
        state_mean=[0.0] * 18, state_std=[1.0] * 18, action_low=[-1.0] * 7, action_high=[1.0] * 7
    )
    source = VLAPolicy(VLAModel(measured), stats, text_encoder=FakeTextEncoder())
    save_policy(tmp_path / "a", source)
    cfg = run_config(dataset, tmp_path / "b", steps=2, **sized).model_copy(
        update={"init_from": tmp_path / "a"}
    )
    assert cfg.model.pointer is None
    tuned = train(cfg, text_encoder=FakeTextEncoder(), console=quiet())
    assert tuned.config.depth_goal == measured.depth_goal and tuned.config.pointer == measured.pointer
    before, after = source.model.state_dict(), load_policy(tmp_path / "b").model.state_dict()
    pointer = [k for k in before if k.startswith("pointer.")]
    assert pointer and all(torch.equal(before[k], after[k]) for k in pointer)
    assert not torch.equal(before["text_proj.weight"], after["text_proj.weight"])
    # a source whose pointer reads another head crop cannot lend it
    other = run_config(
        dataset, tmp_path / "c", steps=1, **{**sized, "crops": {"head": (0.3, 0.3, 0.5)}}
    ).model_copy(update={"init_from": tmp_path / "a"})
    with pytest.raises(ValueError, match="does not fit this model"):
        train(other, text_encoder=FakeTextEncoder(), console=quiet())
