"""DAgger relabelling: the learned skill drives, every visited state carries the scripted expert's command."""

from __future__ import annotations

import numpy as np
import pytest

from agentrt.core.registry import SCENES
from skills.base import Done, StepEvent
from skills.scripted.navigate import ScriptedNavigate
from skills.scripted.pick import PickRelabeller, grasp_point
from skills.vla.dagger import expert_label, relabel_navigation, relabel_pick
from skills.vla.evaluate import setup_case
from skills.vla.model import VLAModel
from skills.vla.normalize import NormStats
from skills.vla.policy import VLAPolicy
from tests.skills.vla.helpers import FakeTextEncoder, tiny_config


@pytest.fixture(scope="module")
def env():
    env = SCENES.get("kitchen-v0")()
    yield env
    env.close()


def test_expert_label_is_the_experts_first_command_from_a_fresh_start(env) -> None:
    env.reset(seed=3)
    scene = env.unwrapped.describe()
    label = expert_label(env, "sink", scene)
    first: list[StepEvent] = []
    ScriptedNavigate().run(env, {"place": "sink"}, scene=scene, max_steps=1, on_step=first.append)
    assert label is not None and set(label) == {"arm", "base"}
    np.testing.assert_allclose(label["base"], first[0].action["base"], atol=1e-6)
    np.testing.assert_allclose(label["arm"], first[0].action["arm"])
    assert np.linalg.norm(label["base"][:2]) > 0.1  # it drives off, it does not stand still


def test_arrival_is_labelled_standing_still(env) -> None:
    env.reset(seed=3)
    scene = env.unwrapped.describe()
    with env.unwrapped.cameras_paused():
        assert ScriptedNavigate().run(env, {"place": "sink"}, scene=scene).ok
    label = expert_label(env, "sink", env.unwrapped.describe())
    assert label is not None and not label["base"].any()


def test_relabelled_run_pairs_what_the_policy_saw_with_the_experts_command(env) -> None:
    config = tiny_config("navigation")
    dim = config.action_dim
    stats = NormStats(
        state_mean=[0.0] * config.state_width,
        state_std=[1.0] * config.state_width,
        action_low=[-0.3] * dim,
        action_high=[0.3] * dim,
    )
    policy = VLAPolicy(VLAModel(config), stats, FakeTextEncoder())  # untrained: it does not drive well
    run = relabel_navigation(env, policy, 100_001, max_steps=6)
    assert run is not None and not run.success and run.steps == 6
    assert len(run.frames) + run.unlabelled == 6 and run.unlabelled == 0
    case, scene = setup_case(env, "navigate_to", 100_001)  # the same start again
    assert (run.target, run.instruction) == (case.args["place"], case.instruction)
    np.testing.assert_array_equal(run.frames[0][0]["state"], env.unwrapped.get_obs()["state"])
    np.testing.assert_allclose(run.frames[0][1]["base"], expert_label(env, run.target, scene)["base"])
    states = np.stack([obs["state"] for obs, _ in run.frames])
    assert np.abs(np.diff(states[:, -3:], axis=0)).sum() > 0  # the learned policy moved the base
    assert all(obs["head_rgb"].shape == (128, 128, 3) for obs, _ in run.frames)


@pytest.mark.parametrize("seed", [300, 302])
def test_pick_relabeller_recovers_from_a_wandering_start_and_picks(env, seed: int) -> None:
    with env.unwrapped.cameras_paused():
        case, scene = setup_case(env, "pick", seed)
        target = case.args["object"]
        labeller = PickRelabeller(env, target, scene)
        rng = np.random.default_rng(seed)
        closed, label = False, None
        for step in range(150):
            label = labeller.label(closed)
            if isinstance(label, Done):
                break
            action = label.copy()
            if step < 15:  # a learner that wanders (seed 302: it knocks the bowl aside)
                action[:3] += rng.normal(0.0, 0.01, 3)
            env.step({"arm": action, "base": np.zeros(3, np.float32)})
            closed = bool(action[-1] > 0)
        assert label == Done(True) and env.unwrapped.held_object() == target


def test_pick_relabeller_opens_a_gripper_closed_away_from_the_object(env) -> None:
    with env.unwrapped.cameras_paused():
        case, scene = setup_case(env, "pick", 300)
    labeller = PickRelabeller(env, case.args["object"], scene)
    np.testing.assert_array_equal(labeller.label(gripper_closed=True), [0, 0, 0, 0, 0, 0, -1.0])
    start = labeller.label(gripper_closed=False)
    toward = grasp_point(env.unwrapped, case.args["object"])[:2] - env.unwrapped.ee_pose()[0][:2]
    assert start[-1] == -1.0 and float(start[:2] @ toward) > 0  # open, heading over the object


def test_relabelled_pick_run_labels_what_the_policy_saw(env) -> None:
    config = tiny_config("manipulation")
    stats = NormStats(
        state_mean=[0.0] * 18, state_std=[1.0] * 18, action_low=[-0.05] * 7, action_high=[0.05] * 7
    )
    policy = VLAPolicy(VLAModel(config), stats, FakeTextEncoder())  # untrained
    run = relabel_pick(env, policy, 100_002, max_steps=4)
    assert run is not None and not run.success and run.steps == 4 and len(run.frames) == 4
    case, scene = setup_case(env, "pick", 100_002)  # the same start again
    assert (run.target, run.instruction) == (case.args["object"], case.instruction)
    first = PickRelabeller(env, run.target, scene).label(False)
    np.testing.assert_allclose(run.frames[0][1]["arm"], first, atol=1e-6)
    assert not run.frames[0][1]["base"].any()
