"""``AgentEnv``: the Gymnasium base class shared by every agentrt scene.

Spaces (see :mod:`agentrt.core.actions` for units and frames):

- action: ``Dict({"arm": Box(7,)})`` plus ``"base": Box(3,)`` for a mobile robot.
  Commands outside the box are clipped by the robot, never rejected.
- observation: ``Dict`` with ``"head_rgb"`` ``(H, W, 3)`` uint8, ``"head_depth"``
  ``(H, W, 1)`` float32 metres, ``"wrist_rgb"`` ``(h, w, 3)`` uint8 and ``"state"``
  ``(18,)`` float32 named by :data:`STATE_NAMES`.

Each :meth:`AgentEnv.step` holds the action for one 10 Hz policy step: 24 physics steps
at 240 Hz, then one render of each camera. ``reset`` rebuilds the world from scratch, so
the same seed always gives the same world.

Privileged API (for scripted experts and the oracle describer; learned policies must
not use it): :meth:`object_pose`, :meth:`object_shape`, :meth:`object_bottom_z`,
:meth:`grasp_axis_yaw`, :meth:`place`, :meth:`free_spot`, :meth:`base_pose`,
:meth:`ee_pose`, :meth:`ee_target`, :meth:`world_to_base`, :meth:`gripper_width`,
:meth:`held_object`, :attr:`nav_map` and :meth:`plan_path`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import pybullet as p
from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.actions import (
    ARM_KEY,
    BASE_KEY,
    CONTROL_HZ,
    MAX_BASE_ANG_RPS,
    MAX_BASE_LIN_MPS,
    MAX_EE_STEP_M,
    MAX_EE_STEP_RAD,
    PHYSICS_HZ,
)
from agentrt.core.scene import SceneDescription
from agentrt.core.symbolic import Atom, holds, parse_literal
from scenes import describe as describe_mod
from scenes.geometry import Rect, matrix_quat, quat_matrix, quat_yaw
from scenes.layout import free_spot, sample_spot
from scenes.navmap import OccupancyGrid
from scenes.robots.camera import CameraSpec
from scenes.robots.mobile_panda import BASE_HALF_M, FixedPanda, MobilePanda
from scenes.world import ObjectRecord, Place, add_object

SUBSTEPS = PHYSICS_HZ // CONTROL_HZ
"""Physics steps per policy step (24)."""
STATE_NAMES: tuple[str, ...] = (
    *(f"joint_{i}" for i in range(7)),
    "gripper_width",
    "ee_x",
    "ee_y",
    "ee_z",
    "ee_qx",
    "ee_qy",
    "ee_qz",
    "ee_qw",
    "base_x",
    "base_y",
    "base_yaw",
)
"""Names of the ``state`` entries: arm joints (rad), gripper width (m), EE position (m)
and quaternion in the robot base frame, base x, y (m) and yaw (rad) in the world."""
HEAD_FAR_M = 8.0


class SceneConfig(BaseModel):
    """Seed-independent knobs shared by every scene."""

    model_config = ConfigDict(extra="forbid")

    head_size: int = Field(default=128, ge=16, le=128, description="head camera width = height (px)")
    wrist_size: int = Field(default=96, ge=16, le=128, description="wrist camera width = height (px)")
    head_fov_deg: float = Field(default=70.0, gt=10.0, lt=150.0, description="head camera vertical FOV (deg)")
    settle_steps: int = Field(default=48, ge=0, description="physics steps run after building the world")


class AgentEnv(gym.Env):
    """A PyBullet world with one robot, named places and movable objects.

    Args:
        config: the scene's config (a :class:`SceneConfig` subclass, or a dict of its fields).
        render_mode: only ``"rgb_array"`` (the head camera image).
        gui: open the PyBullet GUI instead of running headless (``p.DIRECT``).
        **overrides: config fields given as keywords.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": CONTROL_HZ}
    scene_id: ClassVar[str] = ""
    Config: ClassVar[type[SceneConfig]] = SceneConfig
    robot_cls: ClassVar[type[FixedPanda]] = MobilePanda
    bounds: ClassVar[Rect] = (-3.0, -2.5, 3.0, 2.5)
    """xy extent of the navigation map (world, m)."""
    max_episode_steps: ClassVar[int] = 3000
    state_names: ClassVar[tuple[str, ...]] = STATE_NAMES
    """Names of the ``state`` entries (what datasets record as ``observation.state`` names)."""

    def __init__(
        self,
        config: SceneConfig | dict[str, Any] | None = None,
        *,
        render_mode: str | None = "rgb_array",
        gui: bool = False,
        **overrides: Any,
    ) -> None:
        if isinstance(config, SceneConfig):
            config = config.model_dump()
        self.config = self.Config.model_validate({**(config or {}), **overrides})
        self.render_mode = render_mode
        self.gui = gui
        self.client = p.connect(p.GUI if gui else p.DIRECT)
        self.head_spec = CameraSpec(
            self.config.head_size, self.config.head_size, self.config.head_fov_deg, 0.05, HEAD_FAR_M
        )
        self.wrist_spec = CameraSpec(self.config.wrist_size, self.config.wrist_size, 75.0, 0.01, 2.0)
        self.mobile = self.robot_cls.mobile
        arm_high = np.array([MAX_EE_STEP_M] * 3 + [MAX_EE_STEP_RAD] * 3 + [1.0], dtype=np.float32)
        actions = {ARM_KEY: gym.spaces.Box(-arm_high, arm_high, dtype=np.float32)}
        if self.mobile:
            base_high = np.array([MAX_BASE_LIN_MPS, MAX_BASE_LIN_MPS, MAX_BASE_ANG_RPS], dtype=np.float32)
            actions[BASE_KEY] = gym.spaces.Box(-base_high, base_high, dtype=np.float32)
        self.action_space = gym.spaces.Dict(actions)
        h, w = self.config.head_size, self.config.wrist_size
        self.observation_space = gym.spaces.Dict(
            {
                "head_rgb": gym.spaces.Box(0, 255, (h, h, 3), dtype=np.uint8),
                "head_depth": gym.spaces.Box(0.0, HEAD_FAR_M, (h, h, 1), dtype=np.float32),
                "wrist_rgb": gym.spaces.Box(0, 255, (w, w, 3), dtype=np.uint8),
                "state": gym.spaces.Box(-np.inf, np.inf, (len(STATE_NAMES),), dtype=np.float32),
            }
        )
        self.places: dict[str, Place] = {}
        self.objects: dict[str, ObjectRecord] = {}
        self.fixtures: list[Rect] = []
        self.goal: list[str] = []
        self._nav: OccupancyGrid | None = None
        self._body_to_id: dict[int, str] = {}
        self.robot: FixedPanda | None = None
        self._cameras_on = True

    # ------------------------------------------------------------- subclasses
    @abstractmethod
    def _build(self, rng: np.random.Generator) -> tuple[float, ...]:
        """Create fixtures, fill :attr:`places`, :attr:`objects` and :attr:`fixtures`, spawn
        the objects (see :meth:`_spawn`); return the robot pose (``(x, y, yaw)`` for a mobile
        robot, ``(x, y, z, yaw)`` of the mount for a fixed one)."""

    # ------------------------------------------------------------- gym API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict, dict]:
        """Rebuild the world for ``seed``; ``options={"goal": [ground literals]}`` sets a goal."""
        super().reset(seed=seed)
        goal = list((options or {}).get("goal", []))
        for text in goal:
            parse_literal(text)  # raises ValueError on a malformed literal
        self.goal = goal
        c = self.client
        p.resetSimulation(physicsClientId=c)
        p.setPhysicsEngineParameter(
            deterministicOverlappingPairs=1, numSolverIterations=80, physicsClientId=c
        )
        p.setGravity(0, 0, -9.81, physicsClientId=c)
        p.setTimeStep(1.0 / PHYSICS_HZ, physicsClientId=c)
        if self.gui:
            p.configureDebugVisualizer(p.COV_ENABLE_RENDERING, 0, physicsClientId=c)
        self.places, self.objects, self.fixtures = {}, {}, []
        robot_pose = self._build(self.np_random)
        self._body_to_id = {rec.body: oid for oid, rec in self.objects.items()}
        self.robot = self.robot_cls(c, robot_pose, self.head_spec, self.wrist_spec)
        self.robot.arm.graspable = tuple(self._body_to_id)
        self.robot.reset()
        for _ in range(self.config.settle_steps):
            p.stepSimulation(physicsClientId=c)
        self._nav = None
        if self.gui:
            p.configureDebugVisualizer(p.COV_ENABLE_RENDERING, 1, physicsClientId=c)
        return self.get_obs(), self._info(False)

    def step(self, action: dict[str, np.ndarray]) -> tuple[dict, float, bool, bool, dict]:
        """Apply ``action`` for one policy step (24 physics steps) and observe."""
        assert self.robot is not None, "call reset() first"
        self.robot.set_base_command(action.get(BASE_KEY) if self.mobile else None)
        self.robot.arm.apply(np.asarray(action[ARM_KEY]))
        blocked = False
        for _ in range(SUBSTEPS):
            self.robot.substep(self.fixtures)
            blocked |= self.robot.blocked
            p.stepSimulation(physicsClientId=self.client)
            self.robot.arm.update_grasp()
        success = bool(self.goal) and self.goal_reached()
        return self.get_obs(), float(success), success, False, self._info(blocked, success)

    def goal_reached(self) -> bool:
        """Whether every goal literal holds (False when no goal is set)."""
        if not self.goal:
            return False
        facts = self.facts()
        return all(holds(text, facts) for text in self.goal)

    def _info(self, blocked: bool, success: bool = False) -> dict[str, Any]:
        return {"base_blocked": blocked, "held": self.held_object(), "is_success": success}

    @contextmanager
    def cameras_paused(self) -> Iterator[None]:
        """Inside the block observations carry all-zero images (right shapes and dtypes): no rendering.

        For runs whose pixels nobody reads, e.g. a scripted set-up before an evaluated skill
        or the scripted expert baseline: rendering the two cameras is about 85% of a step's
        wall time. Never use it while recording a dataset. Nests; rendering resumes on exit.
        """
        before, self._cameras_on = self._cameras_on, False
        try:
            yield
        finally:
            self._cameras_on = before

    def _camera_images(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(head_rgb, head_depth, wrist_rgb)``, rendered or (while paused) zeros."""
        assert self.robot is not None, "call reset() first"
        if self._cameras_on:
            head_rgb, head_depth = self.robot.head_images()
            return head_rgb, head_depth, self.robot.arm.wrist_image()
        space = self.observation_space
        return tuple(
            np.zeros(space[k].shape, space[k].dtype) for k in ("head_rgb", "head_depth", "wrist_rgb")
        )

    def get_obs(self) -> dict[str, np.ndarray]:
        """The current observation (renders both cameras unless :meth:`cameras_paused`; no stepping)."""
        assert self.robot is not None, "call reset() first"
        head_rgb, head_depth, wrist_rgb = self._camera_images()
        pos, rot = self.robot.arm.ee_pose()
        state = np.concatenate(
            [
                self.robot.arm.joint_positions(),
                [self.robot.arm.gripper_width()],
                pos,
                matrix_quat(rot),
                self.base_pose(),
            ]
        ).astype(np.float32)
        return {
            "head_rgb": head_rgb,
            "head_depth": head_depth,
            "wrist_rgb": wrist_rgb,
            "state": state,
        }

    def render(self) -> np.ndarray:
        """The head camera RGB image ``(H, W, 3)`` uint8."""
        assert self.robot is not None, "call reset() first"
        return self.robot.head_images()[0]

    def close(self) -> None:
        """Disconnect the physics client."""
        if self.client is not None and p.isConnected(self.client):
            p.disconnect(self.client)
        self.client = None  # type: ignore[assignment]

    def describe(self) -> SceneDescription:
        """Oracle scene description from simulator state (see :mod:`scenes.describe`)."""
        return describe_mod.describe(self)

    def facts(self) -> frozenset[Atom]:
        """``describe().facts()`` without building the text."""
        return describe_mod.describe(self, with_text=False).facts()

    # ------------------------------------------------------------- building
    def _spawn(self, rec: ObjectRecord, place_id: str, rng: np.random.Generator, color: tuple) -> bool:
        """Put ``rec`` at a random free spot of ``place_id`` (upright, random yaw); False if full."""
        region = self.places[place_id].region
        occupied = [
            (self.object_pose(o)[0][:2], r.shape.radius) for o, r in self.objects.items() if r.body >= 0
        ]
        xy = sample_spot(region, rec.shape.radius, occupied, rng)
        if xy is None:
            return False
        pos = np.array([xy[0], xy[1], region.support_z + rec.shape.height / 2 + 0.002])
        rec.body = add_object(self.client, rec.shape, color, pos, float(rng.uniform(-np.pi, np.pi)))
        self.objects[rec.id] = rec
        return True

    # ------------------------------------------------------------- privileged API
    def object_pose(self, object_id: str) -> tuple[np.ndarray, np.ndarray]:
        """World position (3,) m and quaternion (4,) of an object's centre."""
        pos, quat = p.getBasePositionAndOrientation(self.objects[object_id].body, physicsClientId=self.client)
        return np.array(pos), np.array(quat)

    def object_shape(self, object_id: str):  # -> ObjectShape
        """Geometry of an object (sizes in m, grasp axis = local y for boxes)."""
        return self.objects[object_id].shape

    def object_bottom_z(self, object_id: str) -> float:
        """Lowest z (m, world) of the object's bounding box."""
        return float(p.getAABB(self.objects[object_id].body, physicsClientId=self.client)[0][2])

    def object_top_z(self, object_id: str) -> float:
        """Highest z (m, world) of the object's bounding box."""
        return float(p.getAABB(self.objects[object_id].body, physicsClientId=self.client)[1][2])

    def grasp_axis_yaw(self, object_id: str) -> float:
        """World yaw (rad) of the object's grasp axis (local y); any axis suits a round object."""
        _, quat = self.object_pose(object_id)
        return quat_yaw(quat) + np.pi / 2

    def place(self, place_id: str) -> Place:
        """A place: its placement region and the base approach pose."""
        return self.places[place_id]

    def free_spot(self, place_id: str, object_id: str) -> np.ndarray | None:
        """A free world ``(x, y)`` in the place's region for ``object_id`` (nearest the arm)."""
        occupied = [
            (self.object_pose(o)[0][:2], r.shape.radius)
            for o, r in self.objects.items()
            if o != object_id and self.places[place_id].region.contains_xy(self.object_pose(o)[0], 0.1)
        ]
        assert self.robot is not None
        mount, _ = self.robot.arm.mount_pose()
        region, radius = self.places[place_id].region, self.objects[object_id].shape.radius
        spot = free_spot(region, radius, occupied, mount[:2])
        if spot is None:  # crowded: accept a tighter gap (circumscribed footprints are conservative)
            spot = free_spot(region, radius, occupied, mount[:2], spacing=0.012)
        return spot

    def base_pose(self) -> np.ndarray:
        """Base ``(x, y, yaw)`` in the world (m, rad)."""
        assert self.robot is not None
        return self.robot.base_pose()

    def ee_pose(self) -> tuple[np.ndarray, np.ndarray]:
        """Measured EE position (3,) m and rotation (3, 3) in the robot base frame."""
        assert self.robot is not None
        return self.robot.arm.ee_pose()

    def ee_target(self) -> tuple[np.ndarray, np.ndarray]:
        """Commanded EE target position (3,) and rotation (3, 3) in the robot base frame."""
        assert self.robot is not None
        return self.robot.arm.target_pos.copy(), self.robot.arm.target_rot.copy()

    def world_to_base(self, xyz: np.ndarray) -> np.ndarray:
        """A world point (3,) in the robot base frame (``panda_link0``)."""
        assert self.robot is not None
        mpos, mquat = self.robot.arm.mount_pose()
        return quat_matrix(mquat).T @ (np.asarray(xyz) - mpos)

    def gripper_width(self) -> float:
        """Finger opening (m)."""
        assert self.robot is not None
        return self.robot.arm.gripper_width()

    def held_object(self) -> str | None:
        """Id of the object welded in the gripper, if any."""
        if self.robot is None or self.robot.arm.held is None:
            return None
        return self._body_to_id.get(self.robot.arm.held)

    @property
    def nav_map(self) -> OccupancyGrid:
        """Occupancy grid of the fixtures, inflated by the base's circumscribed radius + 5 cm."""
        if self._nav is None:
            self._nav = OccupancyGrid(self.bounds, self.fixtures, inflate=BASE_HALF_M * np.sqrt(2) + 0.05)
        return self._nav

    def plan_path(self, goal_xy: np.ndarray) -> list[np.ndarray] | None:
        """A* waypoints (world xy) from the base to ``goal_xy``; ``None`` if unreachable."""
        return self.nav_map.plan(self.base_pose()[:2], np.asarray(goal_xy, dtype=float))
