"""Test fakes for the learned skills: a chunk policy with scripted rows, and a grasp world.

``ScriptedChunkPolicy`` is a test fake (it ignores the images); ``ReplayPolicy`` replays a
scripted expert's recorded actions by matching the observed proprioception, the real check
that chunk timing and ensembling apply the right row at the right step. Both satisfy only
``ChunkPolicy``; a test gives one the attributes of an optional protocol
(``skills.vla.protocol.GraspAware``, ...) to make it one. The ``fakes`` fixture
(``tests/skills/conftest.py``) hands them to tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from agentrt.testing import FakeEnv, fixture_scene


class ScriptedChunkPolicy:
    """Chunks from ``rows(step, instruction) -> (chunk_size, dim)``; counts calls."""

    def __init__(
        self,
        rows: Callable[[int, str], np.ndarray],
        chunk_size: int = 4,
        action_keys: tuple[str, ...] = ("arm",),
        obs_keys: tuple[str, ...] = ("head_rgb", "state"),
    ) -> None:
        self.rows, self.chunk_size, self.action_keys, self.obs_keys = rows, chunk_size, action_keys, obs_keys
        self.control_hz = 10.0
        self.calls: list[tuple[int, str]] = []
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1

    def predict_chunk(self, obs: Mapping[str, np.ndarray], instruction: str) -> np.ndarray:
        step = int(obs["state"][0])  # FakeEnv's state is its step counter
        self.calls.append((step, instruction))
        return np.asarray(self.rows(step, instruction), dtype=np.float32)


class ReplayPolicy:
    """Returns the recorded expert actions that followed the recorded state nearest to ``obs["state"]``.

    Args:
        states: ``(T, 18)`` the expert's observed states, one per step.
        actions: ``(T, dim)`` the actions it took from them.
        chunk_size: rows per chunk; past the recording, the last action with zero motion.
    """

    def __init__(
        self, states: np.ndarray, actions: np.ndarray, chunk_size: int, action_keys: tuple[str, ...]
    ) -> None:
        self.states, self.actions = np.asarray(states), np.asarray(actions, dtype=np.float32)
        self.chunk_size, self.action_keys = chunk_size, action_keys
        self.obs_keys = ("state",)
        self.control_hz = 10.0
        self.matched: list[int] = []

    def reset(self) -> None:
        self.matched = []

    def predict_chunk(self, obs: Mapping[str, np.ndarray], instruction: str) -> np.ndarray:
        t = int(np.argmin(np.linalg.norm(self.states - obs["state"], axis=1)))
        self.matched.append(t)
        rest = self.actions[-1].copy()
        rest[: len(rest) - 1 if self.action_keys == ("arm",) else len(rest)] = 0.0
        rows = [self.actions[i] if i < len(self.actions) else rest for i in range(t, t + self.chunk_size)]
        return np.stack(rows)


class GraspWorld(FakeEnv):
    """A FakeEnv whose ``target`` object enters the hand after ``close_steps`` steps with the
    gripper command above 0.5 (the robot must be at the object's place)."""

    def __init__(self, scene, target: str, close_steps: int = 2) -> None:  # type: ignore[no-untyped-def]
        super().__init__(scene)
        self.target, self.close_steps, self.closed = target, close_steps, 0

    def step(self, action):  # type: ignore[no-untyped-def]
        out = super().step(action)
        self.closed = self.closed + 1 if float(action["arm"][-1]) > 0.5 else 0
        if self.closed >= self.close_steps and self.scene.robot.holding is None:
            self.move_object(self.target, None, held=True)
        return out


SCENE = fixture_scene(
    [("mug_0", "red mug", "mug", "counter", "shelf")], ["counter", "shelf"], robot_at="counter"
)
"""A red mug on the counter, the robot at the counter, the shelf its home."""


def pick_rows(close_at: int = 3, still_at: int = 8, size: int = 4) -> Callable[[int, str], np.ndarray]:
    """Rows for absolute steps s..s+size-1: lift 1 cm/step until ``still_at``, close from ``close_at``."""

    def rows(step: int, instruction: str) -> np.ndarray:
        out = np.zeros((size, 7), np.float32)
        for i in range(size):
            out[i, 2] = 0.01 if step + i < still_at else 0.0
            out[i, 6] = 1.0 if step + i >= close_at else -1.0
        return out

    return rows
