"""House suites on ``house-v0``: walk a legged robot to a room through its locomotion controller.

``house-nav-v0``: episode seed ``s`` asks for room ``ROOMS[s % 4]`` (so any 4 consecutive
seeds cover every room) and starts the robot (the ``a1`` quadruped on ``a1-locomotion``)
at a random free pose in one of the three other rooms, drawn by the world seed. The
instruction is "go to the <room>"; success means ``robot_at(<room>)`` holds (the trunk
stands inside the room, 0.2 m clear of its walls) within 1200 policy steps (120 s). Each
episode also reports ``falls`` (1 if the fall interlock latched), ``handoffs`` (commands
handed to the controller) and ``clipped`` (how many were outside its envelope).
"""

from __future__ import annotations

from agentrt.core.registry import SUITES
from agentrt.core.scene import SceneDescription
from evals.suites.base import EpisodeSpec, Suite, Task
from scenes.protocol import SceneEnv

SCENE = "house-v0"
ROOMS: tuple[str, ...] = ("kitchen", "bedroom", "living_room", "bathroom")
"""Target room of seed ``s``: ``ROOMS[s % 4]``."""
STEP_CAP = 1200
"""Policy steps (10 Hz) per episode: the legged ``navigate_to`` budget."""


@SUITES.register("house-nav-v0")
class HouseNav(Suite):
    """Walk the quadruped to a room of the house, starting in another room."""

    suite_id = "house-nav-v0"
    scene = SCENE
    description = "go to a room of house-v0 on the a1 quadruped (room = seed % 4), 1200 steps"
    group_by = ("room",)

    def spec(self, seed: int) -> EpisodeSpec:
        room = ROOMS[seed % len(ROOMS)]
        return EpisodeSpec(
            suite=self.suite_id,
            seed=seed,
            scene=self.scene,
            scene_config={"robot": "a1", "start_rooms": [r for r in ROOMS if r != room]},
            tags={"room": room},
        )

    def tasks(self, spec: EpisodeSpec, scene: SceneDescription) -> list[Task]:
        room = str(spec.tags["room"])
        name = scene.place(room).name
        return [Task(instruction=f"go to the {name}", goal=(f"robot_at({room})",), step_cap=STEP_CAP)]

    def episode_metrics(self, env: SceneEnv, spec: EpisodeSpec) -> dict[str, float]:
        """``falls`` (0/1), ``handoffs`` and ``clipped`` counts over the whole episode."""
        inner = env.unwrapped
        log = inner.handoffs
        fault = inner.drive.fault if inner.drive is not None else None
        return {
            "falls": float(fault is not None),
            "handoffs": float(len(log)),
            "clipped": float(sum(h.clipped for h in log)),
        }
