"""``house-v0``: four rooms joined by doorways, a few objects on furniture, and a legged robot.

The floor plan is :mod:`scenes.house_layout` (kitchen, bedroom, living room, bathroom;
five pieces of furniture that hold objects, three that are only in the way). Rooms are
places (``receptacle=False``): ``robot_at(kitchen)`` holds while the trunk is inside the
kitchen, at least :data:`ROOM_MARGIN_M` from its walls. Furniture tops are receptacles
with an approach pose in front of them, as in ``kitchen-v0``. Each seed draws the
objects' colours, misplaces 1-3 of them, and puts the robot at a random free pose in
one of the ``start_rooms``.

The robot is a registered legged model (``a1`` by default) driven by a controller looked
up by name in the ``CONTROLLERS`` registry (``a1-locomotion``): the scene never imports
``controllers/``. Spaces:

- action: ``Dict({"base": Box(3,)})``: ``(vx, vy, wz)`` in the trunk's heading frame, m/s
  and rad/s, held for one 10 Hz step. Each step hands the command to the controller once
  (it is logged as a hand-off, clipped to the controller's envelope) and runs
  ``hz / 10`` controller ticks (5 at 50 Hz), each ``substeps`` physics steps (4 at 200 Hz).
- observation: ``head_rgb`` ``(H, W, 3)`` uint8 from a camera on the trunk, and ``state``
  ``(12 + n_joints,)`` float32 named by :attr:`HouseEnv.state_names`.

``info["fault"]`` is the fall interlock's reason once the robot has fallen (the episode
terminates; further commands are refused). Privileged API as in :mod:`scenes.base`:
:meth:`place`, :meth:`base_pose`, :attr:`nav_map`, :meth:`plan_path`, :meth:`object_pose`,
:meth:`held_object`, :meth:`describe`, :meth:`facts`, :meth:`goal_reached`.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import pybullet as p
import pybullet_data
from pydantic import Field

from agentrt.core.actions import BASE_KEY, CONTROL_HZ, MAX_BASE_ANG_RPS, MAX_BASE_LIN_MPS
from agentrt.core.registry import CONTROLLERS, SCENES
from agentrt.core.scene import SceneDescription
from agentrt.core.symbolic import Atom, holds, parse_literal
from scenes.assets import COLOURS
from scenes.base import SceneConfig
from scenes.house_describe import describe_house
from scenes.house_layout import FURNITURE, HOUSE_OBJECTS, ROOMS, Furniture, wall_segments
from scenes.layout import sample_spot
from scenes.navmap import OccupancyGrid
from scenes.robots.camera import CameraSpec, render
from scenes.robots.quadruped import LeggedDrive, LeggedModel, legged_models, model_kind, resolve_model
from scenes.world import ObjectRecord, Place, Region, add_box, add_object, box_rect

APPROACH_M = 0.45
"""Distance (m) from a furniture edge to the trunk centre at its approach pose."""
ROOM_MARGIN_M = 0.2
"""The trunk must be this far (m) inside a room's wall lines for ``robot_at(room)``."""
SETTLE_TICKS = 10
"""Controller ticks with no command after spawning, so the robot lands on its feet."""
HEAD_FAR_M = 10.0


class HouseConfig(SceneConfig):
    """Knobs of ``house-v0`` (all seed-independent). ``wrist_size`` is unused (no arm)."""

    robot: str = Field(default="a1", description="legged robot model registered in ROBOTS")
    controller: str | None = Field(
        default=None, description="CONTROLLERS name; default: a shipped velocity controller for the robot"
    )
    start_rooms: tuple[str, ...] = Field(
        default=("living_room", "bedroom", "bathroom"), description="rooms the robot may start in"
    )
    min_misplaced: int = Field(default=1, ge=0, le=6, description="fewest objects misplaced per seed")
    max_misplaced: int = Field(default=3, ge=0, le=6, description="most objects misplaced per seed")


class RobotSelectionError(ValueError):
    """``--robot`` names a robot this scene cannot run (the message is one line, for the user)."""


def velocity_controllers(robot: str) -> list[str]:
    """Names of registered controllers for model ``robot`` that take base velocity commands."""
    return [n for n, c in CONTROLLERS.items() if c.robot == robot and c.command == "velocity"]


@SCENES.register("house-v0")
class HouseEnv(gym.Env):
    """Four rooms with doorways, a few objects, and a legged robot walking on a learned controller."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": CONTROL_HZ}
    scene_id: ClassVar[str] = "house-v0"
    Config: ClassVar[type[HouseConfig]] = HouseConfig
    bounds: ClassVar[tuple[float, float, float, float]] = (-4.3, -3.3, 4.3, 3.3)
    max_episode_steps: ClassVar[int] = 3000
    mobile: ClassVar[bool] = True
    legged: ClassVar[bool] = True

    def __init__(
        self,
        config: HouseConfig | dict[str, Any] | None = None,
        *,
        render_mode: str | None = "rgb_array",
        gui: bool = False,
        **overrides: Any,
    ) -> None:
        if isinstance(config, HouseConfig):
            config = config.model_dump()
        self.config = self.Config.model_validate({**(config or {}), **overrides})
        rooms = {r.id for r in ROOMS}
        if unknown := [r for r in self.config.start_rooms if r not in rooms]:
            raise ValueError(f"unknown start rooms {unknown}; rooms: {sorted(rooms)}")
        self.robot_cls: type[LeggedModel] = self._model(self.config.robot)
        self.controller_name = self.config.controller or self._default_controller(self.robot_cls.name)
        self.render_mode = render_mode
        self.gui = gui
        self.client = p.connect(p.GUI if gui else p.DIRECT)
        size = self.config.head_size
        self.head_spec = CameraSpec(size, size, self.config.head_fov_deg, 0.05, HEAD_FAR_M)
        high = np.array([MAX_BASE_LIN_MPS, MAX_BASE_LIN_MPS, MAX_BASE_ANG_RPS], dtype=np.float32)
        self.action_space = gym.spaces.Dict({BASE_KEY: gym.spaces.Box(-high, high, dtype=np.float32)})
        joints = self.robot_cls.spec.joint_names
        self.state_names: tuple[str, ...] = (
            *("base_x", "base_y", "base_yaw", "base_z", "roll", "pitch"),
            *("vx", "vy", "vz", "wx", "wy", "wz"),
            *(f"q.{j.removesuffix('_joint')}" for j in joints),
        )
        """``state`` entries: base x, y (m), yaw (rad) in the world; trunk height (m), roll,
        pitch (rad); trunk linear (m/s) and angular (rad/s) velocity in the trunk frame;
        joint angles (rad) in the model's joint order."""
        self.observation_space = gym.spaces.Dict(
            {
                "head_rgb": gym.spaces.Box(0, 255, (size, size, 3), dtype=np.uint8),
                "state": gym.spaces.Box(-np.inf, np.inf, (len(self.state_names),), dtype=np.float32),
            }
        )
        self.places: dict[str, Place] = {}
        self.rooms: dict[str, tuple[float, float, float, float]] = {}
        self.objects: dict[str, ObjectRecord] = {}
        self.fixtures: list[tuple[float, float, float, float]] = []
        self.goal: list[str] = []
        self._nav: OccupancyGrid | None = None
        self.drive: LeggedDrive | None = None
        self.robot = None

    # ------------------------------------------------------------- robot selection
    @staticmethod
    def _model(robot: str) -> type[LeggedModel]:
        models = resolve_model(robot)
        if len(models) != 1:
            known = ", ".join(sorted(legged_models())) or "none"
            raise RobotSelectionError(
                f"house-v0 needs one legged robot model named {robot!r}; legged models: {known}"
            )
        return models[0]

    @staticmethod
    def _default_controller(model: str) -> str:
        found = velocity_controllers(model)
        if not found:
            raise RobotSelectionError(f"no registered controller drives the {model} with velocity commands")
        return found[0]

    @classmethod
    def select_robot(cls, robot: str) -> dict[str, Any]:
        """Config overrides running ``robot`` (a model name or a kind such as ``quadruped``).

        A robot walks here only through a controller that takes base velocity commands;
        the registered controllers' own command types decide.

        Raises:
            RobotSelectionError: one line saying why ``robot`` cannot walk in this scene.
        """
        for model in resolve_model(robot):
            found = velocity_controllers(model.name)
            if found:
                return {"robot": model.name, "controller": found[0]}
        for_robot = [(n, c) for n, c in CONTROLLERS.items() if robot in (c.robot, model_kind(c.robot))]
        pool = for_robot or CONTROLLERS.items()
        known = ", ".join(f"{n} drives the {c.robot} with {c.command} commands" for n, c in pool)
        raise RobotSelectionError(
            f"no shipped {robot} controller accepts base velocity commands, so the {robot} cannot walk in "
            f"{cls.scene_id} ({'shipped: ' if not for_robot else ''}{known or 'no controllers shipped'})"
        )

    # ------------------------------------------------------------- gym API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict, dict]:
        """Rebuild the world for ``seed``; ``options={"goal": [ground literals]}`` sets a goal."""
        super().reset(seed=seed)
        goal = list((options or {}).get("goal", []))
        for text in goal:
            parse_literal(text)
        self.goal = goal
        c = self.client
        p.resetSimulation(physicsClientId=c)
        p.setPhysicsEngineParameter(deterministicOverlappingPairs=1, physicsClientId=c)
        p.setGravity(0, 0, -9.81, physicsClientId=c)
        if self.gui:
            p.configureDebugVisualizer(p.COV_ENABLE_RENDERING, 0, physicsClientId=c)
        self.places, self.rooms, self.objects, self.fixtures = {}, {}, {}, []
        rng = self.np_random
        self._build_house()
        self._build_objects(rng)
        self.robot = self.robot_cls.spawn(c)
        self.drive = CONTROLLERS.get(self.controller_name).drive(self.robot, self._step_physics)
        p.setTimeStep(1.0 / (self.drive.hz * self.drive.substeps), physicsClientId=c)
        x, y, yaw = self._start_pose(rng)
        self.drive.stand(x, y, yaw)
        for _ in range(SETTLE_TICKS):
            self.drive.tick()
        self._handoff_origin = len(self.drive.handoffs)
        if self.gui:
            p.configureDebugVisualizer(p.COV_ENABLE_RENDERING, 1, physicsClientId=c)
        return self.get_obs(), self._info(False)

    def step(self, action: dict[str, np.ndarray]) -> tuple[dict, float, bool, bool, dict]:
        """Hand ``action["base"]`` to the controller and walk for one 10 Hz step."""
        assert self.drive is not None, "call reset() first"
        command = np.nan_to_num(np.asarray(action[BASE_KEY], dtype=np.float64).reshape(3))
        box = self.action_space[BASE_KEY]
        command = np.clip(command, box.low, box.high)
        if self.drive.fault is None:
            self.drive.command(*command)
        for _ in range(max(1, self.drive.hz // CONTROL_HZ)):
            self.drive.tick()
        success = bool(self.goal) and self.goal_reached()
        fallen = self.drive.fault is not None
        return self.get_obs(), float(success), success or fallen, False, self._info(success)

    def _info(self, success: bool) -> dict[str, Any]:
        fault = self.drive.fault if self.drive is not None else None
        return {"fault": fault, "held": None, "is_success": success, "base_blocked": False}

    def _step_physics(self) -> None:
        p.stepSimulation(physicsClientId=self.client)

    def goal_reached(self) -> bool:
        """Whether every goal literal holds (False when no goal is set)."""
        if not self.goal:
            return False
        facts = self.facts()
        return all(holds(text, facts) for text in self.goal)

    def get_obs(self) -> dict[str, np.ndarray]:
        """The current observation (renders the head camera; no stepping)."""
        assert self.robot is not None, "call reset() first"
        s = self.robot.state()
        roll, pitch, yaw = p.getEulerFromQuaternion(s.quat.tolist())
        state = np.concatenate(
            [[s.pos[0], s.pos[1], yaw, s.pos[2], roll, pitch], s.lin_vel_b, s.ang_vel_b, s.q]
        ).astype(np.float32)
        return {"head_rgb": self.render(), "state": state}

    def render(self) -> np.ndarray:
        """The trunk camera's RGB image ``(H, W, 3)`` uint8."""
        assert self.robot is not None, "call reset() first"
        s = self.robot.state()
        rot = np.array(p.getMatrixFromQuaternion(s.quat.tolist())).reshape(3, 3)
        eye = s.pos + rot @ np.array(self.robot_cls.camera_offset)
        target = eye + rot @ np.array([1.0, 0.0, -0.12])
        return render(self.client, self.head_spec, eye, target, rot @ np.array([0.0, 0.0, 1.0]))[0]

    def close(self) -> None:
        """Disconnect the physics client."""
        if self.client is not None and p.isConnected(self.client):
            p.disconnect(self.client)
        self.client = None  # type: ignore[assignment]

    def describe(self) -> SceneDescription:
        """Oracle scene description from simulator state (see :mod:`scenes.house_describe`)."""
        return describe_house(self)

    def facts(self) -> frozenset[Atom]:
        """``describe().facts()`` without building the text."""
        return describe_house(self, with_text=False).facts()

    # ------------------------------------------------------------- building
    def _build_house(self) -> None:
        c = self.client
        p.loadURDF(f"{pybullet_data.getDataPath()}/plane.urdf", physicsClientId=c)
        for room in ROOMS:
            x0, y0, x1, y1 = room.rect
            vis = p.createVisualShape(
                p.GEOM_BOX,
                halfExtents=[(x1 - x0) / 2, (y1 - y0) / 2, 0.0005],
                rgbaColor=room.color,
                physicsClientId=c,
            )
            p.createMultiBody(0.0, -1, vis, [(x0 + x1) / 2, (y0 + y1) / 2, 0.0005], physicsClientId=c)
            self.rooms[room.id] = room.rect
            half = ((x1 - x0) / 2, (y1 - y0) / 2)
            center = ((x0 + x1) / 2, (y0 + y1) / 2)
            self.places[room.id] = Place(
                room.id,
                room.name,
                "room",
                Region(center, half, 0.0, 0.0),
                (*room.stand, 0.0),
                room.synonyms,
                receptacle=False,
            )
        for center, half in wall_segments():
            add_box(c, center, half, (0.93, 0.92, 0.88, 1.0))
            self.fixtures.append(box_rect(center, half))
        for item in FURNITURE:
            add_box(c, item.center, item.half, item.color)
            self.fixtures.append(box_rect(item.center, item.half))
            if item.place is not None:
                self.places[item.place] = _furniture_place(item)
        # furniture first: ``location_of`` scans places in order and only receptacles hold objects
        self.places = dict(sorted(self.places.items(), key=lambda kv: not kv[1].receptacle))

    def _build_objects(self, rng: np.random.Generator) -> None:
        records = []
        for kind in HOUSE_OBJECTS:
            colour = str(kind.palette[int(rng.integers(len(kind.palette)))])
            name = kind.display if colour == kind.display else f"{colour} {kind.display}"
            records.append(
                ObjectRecord(f"{kind.category}_0", name, kind.category, colour, kind.home, kind.shape)
            )
        lo, hi = self.config.min_misplaced, max(self.config.min_misplaced, self.config.max_misplaced)
        n = int(rng.integers(lo, hi + 1))
        misplaced = set(rng.choice(len(records), size=min(n, len(records)), replace=False).tolist())
        receptacles = [pid for pid, pl in self.places.items() if pl.receptacle]
        for i, rec in enumerate(records):
            targets = [rec.home] if i not in misplaced else [t for t in receptacles if t != rec.home]
            if i in misplaced:
                targets = [targets[j] for j in rng.permutation(len(targets))]
            if not any(self._spawn(rec, t, rng) for t in [*targets, rec.home]):
                raise RuntimeError(f"no room for {rec.id}")
        self.objects = {rec.id: rec for rec in records}

    def _spawn(self, rec: ObjectRecord, place_id: str, rng: np.random.Generator) -> bool:
        region = self.places[place_id].region
        occupied = [(self.object_pose(o)[0][:2], r.shape.radius) for o, r in self.objects.items()]
        xy = sample_spot(region, rec.shape.radius, occupied, rng)
        if xy is None:
            return False
        pos = np.array([xy[0], xy[1], region.support_z + rec.shape.height / 2 + 0.002])
        rec.body = add_object(
            self.client, rec.shape, COLOURS[rec.colour], pos, float(rng.uniform(-np.pi, np.pi))
        )
        self.objects[rec.id] = rec
        return True

    def _start_pose(self, rng: np.random.Generator) -> tuple[float, float, float]:
        """A random free pose in one of the start rooms, clear of furniture and walls."""
        room = self.config.start_rooms[int(rng.integers(len(self.config.start_rooms)))]
        x0, y0, x1, y1 = self.rooms[room]
        nav = self.nav_map
        for _ in range(500):
            xy = rng.uniform((x0 + 0.5, y0 + 0.5), (x1 - 0.5, y1 - 0.5))
            ring = [xy + 0.15 * np.array([math.cos(a), math.sin(a)]) for a in np.linspace(0, 2 * np.pi, 8)]
            if nav.is_free(xy) and all(nav.is_free(q) for q in ring):
                return float(xy[0]), float(xy[1]), float(rng.uniform(-np.pi, np.pi))
        raise RuntimeError(f"no free start pose in the {room}")

    # ------------------------------------------------------------- privileged API
    def object_pose(self, object_id: str) -> tuple[np.ndarray, np.ndarray]:
        """World position (3,) m and quaternion (4,) of an object's centre."""
        pos, quat = p.getBasePositionAndOrientation(self.objects[object_id].body, physicsClientId=self.client)
        return np.array(pos), np.array(quat)

    def object_bottom_z(self, object_id: str) -> float:
        """Lowest z (m, world) of the object's bounding box."""
        return float(p.getAABB(self.objects[object_id].body, physicsClientId=self.client)[0][2])

    def place(self, place_id: str) -> Place:
        """A place: a room (its floor, and the point to walk to) or a piece of furniture."""
        return self.places[place_id]

    def base_pose(self) -> np.ndarray:
        """Trunk ``(x, y, yaw)`` in the world (m, rad)."""
        assert self.robot is not None
        s = self.robot.state()
        return np.array([s.pos[0], s.pos[1], s.yaw])

    def room_of(self, xy: np.ndarray, margin: float = ROOM_MARGIN_M) -> str | None:
        """The room whose floor contains ``xy`` at least ``margin`` m inside its wall lines."""
        for room_id, (x0, y0, x1, y1) in self.rooms.items():
            if x0 + margin <= xy[0] <= x1 - margin and y0 + margin <= xy[1] <= y1 - margin:
                return room_id
        return None

    def held_object(self) -> str | None:
        """Always ``None``: the legged robot has no gripper."""
        return None

    @property
    def handoffs(self) -> list[Any]:
        """Commands handed to the controller since reset (``time_s``, ``command``, ``clipped``)."""
        return [] if self.drive is None else self.drive.handoffs[self._handoff_origin :]

    @property
    def nav_map(self) -> OccupancyGrid:
        """Occupancy grid of walls and furniture, inflated by the robot's footprint radius + 5 cm."""
        if self._nav is None:
            self._nav = OccupancyGrid(
                self.bounds, self.fixtures, inflate=self.robot_cls.footprint_radius_m + 0.05
            )
        return self._nav

    def plan_path(self, goal_xy: np.ndarray) -> list[np.ndarray] | None:
        """A* waypoints (world xy) from the trunk to ``goal_xy``; ``None`` if unreachable."""
        return self.nav_map.plan(self.base_pose()[:2], np.asarray(goal_xy, dtype=float))


def _furniture_place(item: Furniture) -> Place:
    """The receptacle on top of ``item``, with the approach pose on its ``facing`` side."""
    (cx, cy, cz), (hx, hy, hz) = item.center, item.half
    axis, sign = item.facing[1], 1.0 if item.facing[0] == "+" else -1.0
    if axis == "x":
        approach = (cx + sign * (hx + APPROACH_M), cy, math.pi if sign > 0 else 0.0)
    else:
        approach = (cx, cy + sign * (hy + APPROACH_M), -sign * math.pi / 2)
    top = cz + hz
    region = Region((cx, cy), (max(hx - 0.06, 0.05), max(hy - 0.06, 0.05)), top, top)
    assert item.place is not None
    return Place(item.place, item.name, item.place, region, approach, item.synonyms)
