"""The interface every scene env offers: the Gymnasium API plus the privileged world queries.

:class:`SceneEnv` is what the agent loop, the skills, the oracle describer and the evaluations
may rely on, whatever the scene: :class:`scenes.base.AgentEnv` (``kitchen-v0``,
``tabletop-v0``: a Franka Panda, mobile or fixed) and :class:`scenes.house.HouseEnv`
(``house-v0``: a legged robot) both satisfy it, and ``tests/scenes/test_scene_contract.py``
checks every registered scene against it. Units are SI (m, rad, s); "world" is the PyBullet
world frame (z up); quaternions are ``(x, y, z, w)``.

Observations (``get_obs()``, ``reset()``, ``step()``) are a dict of arrays:

- ``"head_rgb"``: ``(H, H, 3)`` uint8, the head camera (``H = config.head_size``).
- ``"state"``: ``(len(state_names),)`` float32, proprioception named by :attr:`SceneEnv.state_names`.
- arm scenes only: ``"head_depth"`` ``(H, H, 1)`` float32 metres along the view axis, and
  ``"wrist_rgb"`` ``(W, W, 3)`` uint8 (``W = config.wrist_size``).

Actions (``step(action)``) are a dict (:mod:`agentrt.core.actions` defines the keys and limits):

- ``"arm"``: ``(7,)`` float32, end-effector delta (dx, dy, dz m; droll, dpitch, dyaw rad) in the
  robot base frame, and the gripper command in [-1 close, 1 open]; arm scenes only.
- ``"base"``: ``(3,)`` float32, base velocity (vx, vy m/s in the base frame; wz rad/s); mobile
  robots only.

Everything below "Privileged" reads simulator truth: scripted experts, the oracle describer
and evaluation may use it; a learned skill that does must say so in the run's provenance.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import gymnasium as gym
import numpy as np

from agentrt.core.scene import SceneDescription
from agentrt.core.symbolic import Atom
from scenes.navmap import OccupancyGrid
from scenes.robots.camera import CameraSpec
from scenes.world import ObjectRecord, Place

Observation = dict[str, np.ndarray]
"""``{"head_rgb": (H, H, 3) uint8, "state": (S,) float32, ...}``; see the module docstring."""
ActionDict = dict[str, np.ndarray]
"""``{"arm": (7,) float32, "base": (3,) float32}``, each key only where the robot has it."""


@runtime_checkable
class SceneEnv(Protocol):
    """A PyBullet world with one robot, named places and movable objects, stepped at 10 Hz."""

    # ------------------------------------------------------------- identity and spaces
    scene_id: str
    """The registered, versioned id (``"kitchen-v0"``)."""
    mobile: bool
    """Whether the robot's base moves (``"base"`` actions, ``navigate_to``)."""
    config: Any
    """The scene's validated config (a :class:`scenes.base.SceneConfig` subclass)."""
    observation_space: gym.spaces.Dict
    """Keys and shapes of :data:`Observation` for this scene and config."""
    action_space: gym.spaces.Dict
    """Keys and bounds of :data:`ActionDict` for this robot."""
    state_names: tuple[str, ...]
    """Names of the ``"state"`` entries, in order (what datasets record as ``observation.state``)."""
    max_episode_steps: int
    """Steps (10 Hz) after which an episode is truncated."""
    bounds: tuple[float, float, float, float]
    """``(x_min, y_min, x_max, y_max)`` of the navigation map, world, m."""
    head_spec: CameraSpec
    """The head camera's intrinsics (size px, vertical FOV deg, near and far m): given, not privileged."""

    # ------------------------------------------------------------- Gymnasium API
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Observation, dict]:
        """Rebuild the world for ``seed``; ``options={"goal": [ground literals]}`` sets the goal.

        Returns ``(observation, info)``. Raises ``ValueError`` on a malformed goal literal.
        """

    def step(self, action: ActionDict) -> tuple[Observation, float, bool, bool, dict]:
        """Apply ``action`` for one 0.1 s policy step; ``(obs, reward, terminated, truncated, info)``.

        ``terminated``: the goal was reached (reward 1.0), or the robot fell (legged scenes,
        ``info["fault"]``); ``truncated`` is never set here (the caller's time limit decides it).
        """

    def get_obs(self) -> Observation:
        """The current observation, without stepping."""

    def render(self) -> np.ndarray:
        """The head camera image, ``(H, H, 3)`` uint8."""

    def close(self) -> None:
        """Disconnect the physics client."""

    # ------------------------------------------------------------- Privileged: simulator truth
    places: dict[str, Place]
    """Place id -> its region (world rectangle, support and rim heights) and approach pose."""
    objects: dict[str, ObjectRecord]
    """Object id -> its record (body, name, category, colour, shape, home place)."""
    goal: list[str]
    """The ground literals ``reset(options=...)`` set (empty: no goal)."""
    robot: Any
    """The robot model after ``reset()`` (``None`` before): a Panda for arm scenes, a legged model."""

    def goal_reached(self) -> bool:
        """Whether every literal of :attr:`goal` holds now (``False`` with no goal)."""

    def describe(self) -> SceneDescription:
        """The oracle scene description (objects, places, robot state, text)."""

    def facts(self) -> frozenset[Atom]:
        """The symbolic facts that hold now (``in``, ``robot_at``, ``holding`` ...)."""

    def object_pose(self, object_id: str) -> tuple[np.ndarray, np.ndarray]:
        """``(position (3,) m, quaternion (4,) xyzw)`` of an object, world."""

    def object_bottom_z(self, object_id: str) -> float:
        """Height of an object's lowest point, world z, m."""

    def place(self, place_id: str) -> Place:
        """The place ``place_id``: its region and approach pose (``KeyError`` if unknown)."""

    def base_pose(self) -> np.ndarray:
        """``(3,)`` float: base x, y (m) and yaw (rad), world."""

    def held_object(self) -> str | None:
        """The id of the object the gripper holds (the simulator's grasp weld), else ``None``."""

    @property
    def nav_map(self) -> OccupancyGrid:
        """The occupancy grid of :attr:`bounds` (fixtures and furniture inflated by the base)."""

    def plan_path(self, goal_xy: np.ndarray) -> list[np.ndarray] | None:
        """Waypoints ``(2,)`` (world, m) from the base to ``goal_xy`` on :attr:`nav_map`, or ``None``."""


@runtime_checkable
class LeggedSceneEnv(SceneEnv, Protocol):
    """A :class:`SceneEnv` whose robot walks on a learned controller and has no arm (``house-v0``)."""

    robot_cls: Any
    """The legged robot model class (``name``, ``kind`` such as ``"quadruped"``, ``footprint_radius_m``)."""
    rooms: dict[str, tuple[float, float, float, float]]
    """Room id -> its floor ``(x_min, y_min, x_max, y_max)``, world, m."""

    def room_of(self, xy: np.ndarray, margin: float = ...) -> str | None:
        """The room whose floor contains ``xy`` (world, m) at least ``margin`` m inside its walls."""
