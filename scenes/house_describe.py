"""The oracle scene description of ``house-v0``: objects, rooms and furniture, and where the robot is.

``robot.at`` is the furniture whose approach pose the trunk is at (the tolerances of
:func:`scenes.predicates.robot_at`), else the room the trunk stands in (at least
``ROOM_MARGIN_M`` inside its wall lines), else ``None`` (e.g. in a doorway). The legged
robot has no arm: ``ee_pose`` is the trunk pose and ``gripper_width`` is 0.
"""

from __future__ import annotations

import numpy as np

from agentrt.core.scene import RobotState, SceneDescription
from scenes.describe import IN_PLACES, object_infos, place_infos, pose
from scenes.geometry import yaw_quat
from scenes.predicates import robot_location
from scenes.protocol import LeggedSceneEnv


def robot_place(env: LeggedSceneEnv) -> str | None:
    """Where the robot is, as a place id (furniture first, then the room), or ``None``."""
    base = env.base_pose()
    furniture = {pid: pl for pid, pl in env.places.items() if pl.receptacle}
    return robot_location(base, furniture) or env.room_of(base[:2])


def describe_house(env: LeggedSceneEnv, with_text: bool = True) -> SceneDescription:
    """Objects (pose, location, home), places (furniture, then rooms), robot state, and a paragraph."""
    assert env.robot is not None, "call reset() first"
    objects = object_infos(env)
    places = place_infos(env)
    state = env.robot.state()
    base = env.base_pose()
    trunk = pose(state.pos, state.quat)
    robot = RobotState(
        name=env.robot_cls.name,
        base_pose=pose(np.array([base[0], base[1], 0.0]), np.array(yaw_quat(base[2]))),
        ee_pose=trunk,
        gripper_width=0.0,
        at=robot_place(env),
        holding=None,
        mobile=True,
    )
    scene = SceneDescription(scene=env.scene_id, objects=objects, places=places, robot=robot, source="oracle")
    if with_text:
        scene.text = house_text(scene, env.robot_cls.kind)
    return scene


def house_text(scene: SceneDescription, kind: str) -> str:
    """One plain-English paragraph: where the robot is, what is where, what is misplaced."""
    at = scene.place(scene.robot.at) if scene.robot.at else None
    if at is None:
        where = "between rooms"
    elif at.receptacle:
        where = f"at the {at.name}"
    else:
        where = f"in the {at.name}"
    parts = [f"The {kind or 'robot'} ({scene.robot.name}) is {where}."]
    for obj in scene.objects:
        sentence = f"The {obj.name} is {_on(obj.location, scene)}"
        if obj.misplaced and obj.home is not None:
            sentence += f", but it belongs {_on(obj.home, scene)}"
        parts.append(sentence + ".")
    rooms = [p.name for p in scene.places if not p.receptacle]
    parts.append(f"Rooms: {', '.join(rooms)}.")
    return " ".join(parts)


def _on(place_id: str | None, scene: SceneDescription) -> str:
    if place_id is None:
        return "on the floor"
    place = scene.place(place_id)
    return f"{'in' if place.category in IN_PLACES else 'on'} the {place.name}"
