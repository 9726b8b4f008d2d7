"""The retraction after a missed grasp: open, rise, home, then fail; only the pick has one."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agentrt.core.registry import SKILLS
from agentrt.core.results import SkillStatus
from skills.learned import LearnedNavigate, LearnedPick, LearnedPlace, NavigateDoneConfig, PlaceDoneConfig
from skills.learned.retract import RetractConfig


class _DownThenClose:
    """A chunk policy (4-row chunks, one call per step under ensembling): 2 cm down per step for 5
    steps, then closed and still."""

    chunk_size, action_keys, obs_keys, control_hz = 4, ("arm",), ("head_rgb", "state"), 10.0

    def __init__(self) -> None:
        self.calls = 0

    def reset(self) -> None:
        self.calls = 0

    def predict_chunk(self, obs: dict, instruction: str) -> np.ndarray:
        step, self.calls = self.calls, self.calls + 1
        out = np.zeros((4, 7), np.float32)
        for i in range(4):
            out[i, 2] = -0.02 if step + i < 5 else 0.0
            out[i, 6] = 1.0 if step + i >= 5 else -1.0
        return out


def test_a_missed_grasp_opens_the_gripper_and_brings_the_arm_home_before_failing(
    kitchen_expert_pick: dict,
) -> None:
    env, obj = kitchen_expert_pick["env"], kitchen_expert_pick["object"]
    env.reset(seed=7)
    assert SKILLS.get("navigate_to")().run(env, {"place": obj.location}, scene=env.describe()).ok
    home = np.asarray(env.unwrapped.robot.arm.home_pos)

    applied: list[np.ndarray] = []
    result = LearnedPick(_DownThenClose()).run(
        env, {"object": obj.id}, scene=env.describe(), on_step=lambda e: applied.append(e.action["arm"])
    )
    assert result.status is SkillStatus.FAILURE
    assert result.reason.startswith("grasp missed") and result.reason.endswith("; the arm retracted home")
    assert float(np.linalg.norm(env.unwrapped.ee_pose()[0] - home)) < 0.03
    assert applied[-1][6] < 0 and result.steps > 20  # open again, after 5 + 15 steps of the policy


def test_only_an_arm_skill_retracts(fakes: SimpleNamespace) -> None:
    """Only the pick's config has ``retract_on_miss``; the drive's and the place's refuse it."""
    policy = fakes.ScriptedChunkPolicy(lambda step, text: np.zeros((4, 3), np.float32), action_keys=("base",))
    with pytest.raises(ValueError, match="retract_on_miss"):
        LearnedNavigate(policy, done=NavigateDoneConfig(retract_on_miss=True))
    with pytest.raises(ValueError, match="retract_on_miss"):
        PlaceDoneConfig(retract_on_miss=True)
    assert LearnedPick.default_done.retract_on_miss and not RetractConfig().retract_on_miss
    assert isinstance(LearnedPick.default_done, RetractConfig)
    assert not isinstance(LearnedPlace.default_done, RetractConfig)
