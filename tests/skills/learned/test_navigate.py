"""The learned drive: base rows, the arm held still with the grip the scene says."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agentrt.testing import FakeEnv, fixture_scene
from skills.learned import LearnedNavigate


class _ArriveWorld(FakeEnv):
    """The robot is at ``shelf`` after 5 steps of any base command."""

    def step(self, action):  # type: ignore[no-untyped-def]
        out = super().step(action)
        if self.steps >= 5:
            self.scene.robot.at = "shelf"
        return out


def test_navigate_holds_the_arm_and_keeps_the_grip(fakes: SimpleNamespace) -> None:
    scene = fixture_scene(
        [("mug_0", "red mug", "mug", None, "shelf")],
        ["counter", "shelf"],
        robot_at="counter",
        holding="mug_0",
    )

    def speed(step: int, text: str) -> np.ndarray:  # rows for steps step..step+2: drive until step 5
        return np.array([[0.5, 0.0, 0.1] if step + i < 5 else [0.0, 0.0, 0.0] for i in range(3)])

    policy = fakes.ScriptedChunkPolicy(speed, chunk_size=3, action_keys=("base",))
    env = _ArriveWorld(scene.model_copy(deep=True))
    result = LearnedNavigate(policy).run(env, {"place": "shelf"}, scene=scene)
    assert result.ok and result.steps == 6  # at the shelf after step 5; row 5 is still -> done at 6
    assert all(np.array_equal(a["arm"], [0, 0, 0, 0, 0, 0, 1]) for a in env.actions)
    assert env.actions[0]["base"] == pytest.approx([0.5, 0.0, 0.1])
    assert policy.calls[0][1] == "go to the shelf"
