"""The scene description: what is in front of the robot, as the planner sees it.

All poses are in the world frame: positions in metres, orientations as unit
quaternions ``(x, y, z, w)`` (PyBullet order). The oracle describer fills this from
simulator state; a VLM describer must produce the same structure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.symbolic import Atom


class Pose(BaseModel):
    """A rigid pose in the world frame (metres; quaternion ``x, y, z, w``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    position: tuple[float, float, float]
    orientation: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)


class ObjectInfo(BaseModel):
    """A movable object.

    ``location`` is the id of the place it is in or on (``None`` when held or on the
    floor); ``home`` is where it belongs when the scene is tidy.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="unique id in the scene, e.g. 'mug_0'")
    name: str = Field(description="natural name used in language, e.g. 'red mug'")
    category: str = Field(description="object category, e.g. 'mug'")
    colour: str = Field(description="dominant colour name, e.g. 'red'")
    pose: Pose
    location: str | None = Field(default=None, description="place id it is in/on")
    home: str | None = Field(default=None, description="place id where it belongs")
    held: bool = False
    affordances: list[str] = Field(default_factory=lambda: ["pick"])
    mass_kg: float | None = Field(default=None, ge=0, description="mass in kg, when known")
    grasp_width_m: float | None = Field(
        default=None, ge=0, description="narrowest width across the grasp axis in metres, when known"
    )

    @property
    def misplaced(self) -> bool:
        """True if the object has a home and is not in it."""
        return self.home is not None and self.location != self.home


class PlaceInfo(BaseModel):
    """A place the robot can go to; a receptacle can also hold objects."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="unique id in the scene, e.g. 'sink'")
    name: str = Field(description="natural name, e.g. 'kitchen sink'")
    category: str = Field(description="place category, e.g. 'sink'")
    pose: Pose
    receptacle: bool = Field(default=True, description="objects can be put in/on it")
    height_m: float | None = Field(
        default=None, description="height (m, world z) where objects go in: the surface, or a container's rim"
    )
    synonyms: list[str] = Field(default_factory=list, description="other names people use")


class RobotState(BaseModel):
    """The robot's state: base pose (world), end effector pose (world), gripper."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="robot model name, e.g. 'mobile-panda'")
    base_pose: Pose
    ee_pose: Pose
    gripper_width: float = Field(description="finger opening in metres")
    at: str | None = Field(default=None, description="place id the robot is at")
    holding: str | None = Field(default=None, description="object id in the gripper")
    mobile: bool = Field(default=True, description="whether the base can move")


class SceneDescription(BaseModel):
    """Everything the planner knows about the scene at one instant."""

    model_config = ConfigDict(extra="forbid")

    scene: str = Field(description="scene id, e.g. 'kitchen-v0'")
    objects: list[ObjectInfo]
    places: list[PlaceInfo]
    robot: RobotState
    text: str = Field(default="", description="one paragraph in plain language")
    source: Literal["oracle", "vlm", "fixture"] = "oracle"

    def object(self, object_id: str) -> ObjectInfo:
        """The object with this id; raises ``KeyError`` if absent."""
        for obj in self.objects:
            if obj.id == object_id:
                return obj
        raise KeyError(f"no object {object_id!r} in scene {self.scene}")

    def place(self, place_id: str) -> PlaceInfo:
        """The place with this id; raises ``KeyError`` if absent."""
        for place in self.places:
            if place.id == place_id:
                return place
        raise KeyError(f"no place {place_id!r} in scene {self.scene}")

    def natural_name(self, item_id: str) -> str:
        """The language name of an object or place id (``mug_0`` -> ``red mug``); an unknown id as is."""
        for item in [*self.objects, *self.places]:
            if item.id == item_id:
                return item.name
        return item_id

    def misplaced(self) -> list[ObjectInfo]:
        """Objects not at their home, in scene order."""
        return [obj for obj in self.objects if obj.misplaced]

    def facts(self) -> frozenset[Atom]:
        """The symbolic state (see :mod:`agentrt.core.symbolic` for the vocabulary)."""
        atoms: set[Atom] = set()
        for place in self.places:
            atoms.add(("place", place.id))
            if place.receptacle:
                atoms.add(("receptacle", place.id))
        for obj in self.objects:
            atoms.add(("object", obj.id))
            if obj.location is not None and not obj.held:
                atoms.add(("in", obj.id, obj.location))
        if self.robot.mobile:
            atoms.add(("mobile",))
            if self.robot.at is not None:
                atoms.add(("robot_at", self.robot.at))
        else:  # a fixed robot reaches every place of its workspace
            atoms.update(("robot_at", place.id) for place in self.places)
        if self.robot.holding is None:
            atoms.add(("hand_empty",))
        else:
            atoms.add(("holding", self.robot.holding))
        return frozenset(atoms)
