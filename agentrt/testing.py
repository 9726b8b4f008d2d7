"""Fakes for tests: a symbolic world that steps like an env, fake skills, fixture scenes.

They let tests of the agent loop, planners and user skills run in milliseconds with no
physics. Real scenes live in ``scenes/``.
"""

from __future__ import annotations

import os
from abc import abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel

from agentrt.core.episode import EpisodeRecord
from agentrt.core.scene import ObjectInfo, PlaceInfo, Pose, RobotState, SceneDescription
from skills.base import Action, Done, Skill


def fixture_scene(
    objects: Iterable[tuple[str, str, str, str | None, str | None]],
    places: Iterable[str],
    *,
    robot_at: str | None = None,
    holding: str | None = None,
    mobile: bool = True,
    scene: str = "fixture-v0",
) -> SceneDescription:
    """Build a scene description from compact tuples.

    Args:
        objects: ``(id, name, category, location, home)``; the colour is the first
            word of ``name`` when it has two words.
        places: place ids; the name is the id with underscores as spaces.
    """
    place_list = [
        PlaceInfo(id=p, name=p.replace("_", " "), category=p, pose=Pose(position=(float(i), 0.0, 0.0)))
        for i, p in enumerate(places)
    ]
    object_list = [
        ObjectInfo(
            id=oid,
            name=name,
            category=category,
            colour=name.split()[0] if " " in name else "",
            pose=Pose(position=(0.0, 0.0, 0.0)),
            location=None if oid == holding else location,
            home=home,
            held=oid == holding,
        )
        for oid, name, category, location, home in objects
    ]
    robot = RobotState(
        name="fake",
        base_pose=Pose(position=(0.0, 0.0, 0.0)),
        ee_pose=Pose(position=(0.0, 0.0, 0.5)),
        gripper_width=0.08,
        at=robot_at,
        holding=holding,
        mobile=mobile,
    )
    return SceneDescription(
        scene=scene, objects=object_list, places=place_list, robot=robot, source="fixture"
    )


def fixture_record(
    instruction: str, initial_scene: SceneDescription, *, planner: str = "symbolic", episode_id: str = "e"
) -> EpisodeRecord:
    """A fresh episode record for a test run of the agent: oracle describer, seed 0, ``fixture-v0``."""
    return EpisodeRecord(
        episode_id=episode_id,
        instruction=instruction,
        scene="fixture-v0",
        seed=0,
        code_version="test",
        describer="oracle",
        planner=planner,
        initial_scene=initial_scene,
    )


class FakeEnv:
    """A symbolic world with the env methods skills and the agent use.

    Fake skills change :attr:`scene` directly; :meth:`step` only counts steps and
    returns a tiny observation ``{"head_rgb": (8, 8, 3) uint8, "state": (1,) float32}``.
    """

    metadata: dict[str, Any] = {"render_fps": 10}

    def __init__(self, scene: SceneDescription) -> None:
        self.scene = scene
        self.steps = 0
        self.actions: list[dict[str, np.ndarray]] = []

    @property
    def unwrapped(self) -> FakeEnv:
        return self

    def get_obs(self) -> dict[str, np.ndarray]:
        return {
            "head_rgb": np.full((8, 8, 3), self.steps % 255, np.uint8),
            "state": np.array([self.steps], np.float32),
        }

    def step(self, action: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], float, bool, bool, dict]:
        self.steps += 1
        self.actions.append(action)
        return self.get_obs(), 0.0, False, False, {}

    def describe(self) -> SceneDescription:
        return self.scene.model_copy(deep=True)

    def facts(self) -> frozenset:
        return self.scene.facts()

    def held_object(self) -> str | None:
        """Id of the object in the hand, if any (as ``AgentEnv.held_object``)."""
        return self.scene.robot.holding

    def move_object(self, object_id: str, location: str | None, held: bool = False) -> None:
        """Put an object somewhere (or in the hand) and keep the robot state consistent."""
        for obj in self.scene.objects:
            if obj.id == object_id:
                obj.location, obj.held = location, held
        if held:
            self.scene.robot.holding = object_id
        elif self.scene.robot.holding == object_id:
            self.scene.robot.holding = None

    def close(self) -> None:
        """Nothing to release."""


class FakeSkill(Skill):
    """A symbolic skill: acts for :attr:`steps` env steps, then changes the fake world.

    ``FakeSkill.failures[name] = n`` makes the next ``n`` calls of the skill named
    ``name`` fail (shared by every fake, so tests reset it).
    """

    steps: ClassVar[int] = 1
    failures: ClassVar[dict[str, int]] = {}

    class Args(BaseModel):
        pass

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        self.env, self.args, self.count = env, args, 0

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        if self.count < self.steps:
            self.count += 1
            return {"arm": np.zeros(7, np.float32)}
        if FakeSkill.failures.get(self.name, 0) > 0:
            FakeSkill.failures[self.name] -= 1
            return Done(False, f"{self.name} missed")
        self.apply()
        return Done(True)

    @abstractmethod
    def apply(self) -> None:
        """Change :attr:`env`'s symbolic scene as the real skill would change the world."""


class FakeNavigate(FakeSkill):
    """Drive to a place (fake). With ``lie = True`` it claims success without moving."""

    name = "navigate_to"
    lie: ClassVar[bool] = False

    class Args(BaseModel):
        place: str

    preconditions = ("mobile()", "place(?place)")
    effects = ("robot_at(?place)", "not robot_at(?other)")
    instruction = "go to the {place}"
    action_keys = ("base",)

    def apply(self) -> None:
        if not type(self).lie:
            self.env.scene.robot.at = self.args.place


class FakePick(FakeSkill):
    """Pick an object up (fake)."""

    name = "pick"

    class Args(BaseModel):
        object: str

    preconditions = ("hand_empty()", "in(?object, ?from)", "robot_at(?from)")
    effects = ("holding(?object)", "not hand_empty()", "not in(?object, ?from)")
    instruction = "pick up the {object}"

    def apply(self) -> None:
        self.env.move_object(self.args.object, None, held=True)


class FakePlace(FakeSkill):
    """Put the held object in a receptacle (fake). ``knock = id`` knocks that object
    back onto the counter during the next place of another object (once)."""

    name = "place"
    knock: ClassVar[str | None] = None

    class Args(BaseModel):
        object: str
        receptacle: str

    preconditions = ("holding(?object)", "receptacle(?receptacle)", "robot_at(?receptacle)")
    effects = ("in(?object, ?receptacle)", "hand_empty()", "not holding(?object)")
    instruction = "put the {object} in the {receptacle}"

    def apply(self) -> None:
        self.env.move_object(self.args.object, self.args.receptacle)
        knocked = type(self).knock
        if knocked and knocked != self.args.object:
            self.env.move_object(knocked, "counter")
            type(self).knock = None


def reset_fakes() -> None:
    """Clear every fake's failure and misbehaviour switches."""
    FakeSkill.failures = {}
    FakeNavigate.lie = False
    FakePlace.knock = None


def descendant_pids(pid: int, cmdline_contains: str = "") -> list[int]:
    """Process ids below ``pid`` in the process tree (Linux ``/proc``), optionally filtered
    by a substring of their command line — e.g. this process's own Ray workers
    (``"ray::_RayWorker"``), never another program's, for fault-injection tests."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            stack.append(child)
            found.append(child)
    if not cmdline_contains:
        return found
    return [p for p in found if cmdline_contains in _cmdline(p)]


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
