"""One torch thread for every test here, and a recorded expert pick in the kitchen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from agentrt.core.registry import SCENES, SKILLS
from skills.base import StepEvent


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def kitchen_expert_pick() -> Iterator[dict]:
    """Kitchen seed 7: scripted navigate to the first object's place, then the expert's pick, recorded."""
    env = SCENES.get("kitchen-v0")()
    env.reset(seed=7)
    scene = env.describe()
    obj = next(o for o in scene.objects if o.location not in (None, "trash_bin"))
    assert SKILLS.get("navigate_to")().run(env, {"place": obj.location}, scene=scene).ok
    start = env.describe()
    events: list[StepEvent] = []
    expert = SKILLS.get("pick")().run(env, {"object": obj.id}, scene=start, on_step=events.append)
    yield {"env": env, "object": obj, "expert": expert, "events": events}
    env.close()
