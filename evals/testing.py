"""Suites in a symbolic kitchen for tests: whole evaluations in milliseconds, no physics.

Importing this module registers ``fake-tidy-v0``, ``fake-chain3-v0`` and ``fake-crash-v0``
in ``SUITES``. Their worlds are :class:`agentrt.testing.FakeEnv` fixtures and their skills
the symbolic fakes of :mod:`agentrt.testing`; run them with the symbolic planner and
``planner_config={"use_encoder": False}`` (see :data:`FAST_PLANNER`). Failures are part
of the episode's definition (its tags), so they are as reproducible as real ones.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from agentrt.core.registry import SUITES
from agentrt.core.scene import SceneDescription
from agentrt.testing import FakeEnv, FakeNavigate, FakePick, FakePlace, FakeSkill, fixture_scene, reset_fakes
from evals.suites.base import EpisodeSpec, Suite, Task
from evals.suites.kitchen import draw_chain

FAST_PLANNER: dict[str, Any] = {"use_encoder": False}
"""Symbolic planner settings for the fake suites: exact words only, no MiniLM to load."""
PLACES = ("counter", "sink", "dish_rack", "shelf", "dining_table", "fruit_bowl", "trash_bin")
OBJECTS = (  # id, name, category, home
    ("mug_0", "yellow mug", "mug", "dish_rack"),
    ("mug_1", "green mug", "mug", "dish_rack"),
    ("apple_0", "red apple", "apple", "fruit_bowl"),
    ("bottle_0", "blue bottle", "bottle", "shelf"),
    ("sponge_0", "pink sponge", "sponge", "sink"),
)


class _FakeKitchenSuite(Suite):
    """Shared parts: a fixture kitchen with the first ``k`` objects on the counter."""

    scene = "fixture-v0"
    fail_place_every: ClassVar[int] = 0
    """Episodes whose seed is a positive multiple of this fail every ``place`` (0: never)."""

    def make_env(self, spec: EpisodeSpec, *, gui: bool = False) -> FakeEnv:
        k = int(spec.tags.get("k", 2))
        objects = [
            (oid, name, cat, "counter" if i < k else home, home)
            for i, (oid, name, cat, home) in enumerate(OBJECTS)
        ]
        return FakeEnv(fixture_scene(objects, PLACES, robot_at="counter"))

    def reset(self, env: Any, spec: EpisodeSpec) -> dict[str, Any]:
        reset_fakes()
        if spec.tags.get("fail_place"):
            FakeSkill.failures["place"] = 10**6
        return env.get_obs()

    def skills(self, kind: str) -> dict[str, Any] | None:
        return {"navigate_to": FakeNavigate(), "pick": FakePick(), "place": FakePlace()}

    def _tags(self, seed: int) -> dict[str, int | str]:
        every = self.fail_place_every
        return {"fail_place": 1} if every and seed and seed % every == 0 else {}


@SUITES.register("fake-tidy-v0")
class FakeTidy(_FakeKitchenSuite):
    """Tidy a symbolic kitchen with k = 1 + seed % 3 objects on the counter; seeds 3, 6, ... fail."""

    suite_id = "fake-tidy-v0"
    description = "symbolic tidy (tests): k = 1 + seed % 3; place fails on seeds 3, 6, ..."
    group_by = ("k",)
    fail_place_every = 3

    def spec(self, seed: int) -> EpisodeSpec:
        return EpisodeSpec(
            suite=self.suite_id, seed=seed, scene=self.scene, tags={"k": 1 + seed % 3, **self._tags(seed)}
        )

    def tasks(self, spec: EpisodeSpec, scene: SceneDescription) -> list[Task]:
        goal = tuple(f"in({o.id}, {o.home})" for o in scene.objects if o.home)
        return [Task(instruction="tidy the kitchen", goal=goal, step_cap=100)]


@SUITES.register("fake-chain3-v0")
class FakeChain3(_FakeKitchenSuite):
    """Chains of three instructions in a symbolic kitchen; seeds 2, 4, ... fail every place."""

    suite_id = "fake-chain3-v0"
    description = "symbolic chains of 3 (tests); place fails on seeds 2, 4, ..."
    chain_length = 3
    fail_place_every = 2

    def spec(self, seed: int) -> EpisodeSpec:
        return EpisodeSpec(suite=self.suite_id, seed=seed, scene=self.scene, tags=self._tags(seed))

    def tasks(self, spec: EpisodeSpec, scene: SceneDescription) -> list[Task]:
        return draw_chain(scene, self.rng(spec.seed, "chain"), 3)


@SUITES.register("fake-crash-v0")
class FakeCrash(FakeTidy):
    """``fake-tidy-v0`` whose worker process dies on seed 1 when ``AGENTRT_FAKE_CRASH=1``."""

    suite_id = "fake-crash-v0"
    description = "symbolic tidy whose worker process exits on seed 1 (fault-injection tests)"

    def reset(self, env: Any, spec: EpisodeSpec) -> dict[str, Any]:
        if spec.seed == 1 and os.environ.get("AGENTRT_FAKE_CRASH") == "1":
            os._exit(1)  # a hard crash, as a segfaulting simulator would
        return super().reset(env, spec)
