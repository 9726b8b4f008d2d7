"""DAgger relabelling: the learned skill drives, every visited state carries the scripted expert's command."""

from __future__ import annotations

import numpy as np
import pytest

from agentrt.core.registry import SCENES
from skills.base import StepEvent
from skills.scripted.navigate import ScriptedNavigate
from skills.vla.dagger import expert_label, relabel_navigation
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
        state_mean=[0.0] * 18, state_std=[1.0] * 18, action_low=[-0.3] * dim, action_high=[0.3] * dim
    )
    policy = VLAPolicy(VLAModel(config), stats, FakeTextEncoder())  # untrained: it does not drive well
    run = relabel_navigation(env, policy, 100_001, max_steps=6)
    assert run is not None and not run.success and run.steps == 6
    assert len(run.frames) + run.unlabelled == 6 and run.unlabelled == 0
    case, scene = setup_case(env, "navigate_to", 100_001)  # the same start again
    assert (run.place, run.instruction) == (case.args["place"], case.instruction)
    np.testing.assert_array_equal(run.frames[0][0]["state"], env.unwrapped.get_obs()["state"])
    np.testing.assert_allclose(run.frames[0][1]["base"], expert_label(env, run.place, scene)["base"])
    states = np.stack([obs["state"] for obs, _ in run.frames])
    assert np.abs(np.diff(states[:, -3:], axis=0)).sum() > 0  # the learned policy moved the base
    assert all(obs["head_rgb"].shape == (128, 128, 3) for obs, _ in run.frames)
