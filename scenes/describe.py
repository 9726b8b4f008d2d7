"""The oracle scene description, built from simulator state."""

from __future__ import annotations

import numpy as np

from agentrt.core.scene import ObjectInfo, PlaceInfo, Pose, RobotState, SceneDescription
from scenes.geometry import yaw_quat
from scenes.predicates import location_of, robot_location
from scenes.protocol import SceneEnv

IN_PLACES = {"sink", "fruit_bowl", "trash_bin", "dish_rack", "bowl", "tray"}
"""Place categories described with "in" (the rest use "on")."""


def pose(pos: np.ndarray, quat: np.ndarray) -> Pose:
    """A :class:`Pose` from a position (m, world) and a quaternion ``(x, y, z, w)``."""
    return Pose(position=tuple(float(v) for v in pos), orientation=tuple(float(v) for v in quat))


def object_infos(env: SceneEnv, held: str | None = None) -> list[ObjectInfo]:
    """Every object of ``env`` in scene order: pose, the place it is in or on, home; ``held`` has none."""
    objects = []
    for oid, rec in env.objects.items():
        pos, quat = env.object_pose(oid)
        is_held = oid == held
        location = None if is_held else location_of(pos, env.object_bottom_z(oid), env.places)
        objects.append(
            ObjectInfo(
                id=oid,
                name=rec.name,
                category=rec.category,
                colour=rec.colour,
                pose=pose(pos, quat),
                location=location,
                home=rec.home,
                held=is_held,
                affordances=["pick"],
                mass_kg=rec.shape.mass,
                grasp_width_m=rec.shape.grasp_width,
            )
        )
    return objects


def place_infos(env: SceneEnv) -> list[PlaceInfo]:
    """Every place of ``env`` in order: pose on its surface facing the approach yaw; rim if a receptacle."""
    places = []
    for place in env.places.values():
        region = place.region
        pos = (region.center[0], region.center[1], region.support_z)
        yaw = place.approach[2] if place.approach is not None else 0.0
        places.append(
            PlaceInfo(
                id=place.id,
                name=place.name,
                category=place.category,
                pose=pose(np.array(pos), np.array(yaw_quat(yaw))),
                receptacle=place.receptacle,
                synonyms=list(place.synonyms),
                height_m=float(region.rim_z) if place.receptacle else None,
            )
        )
    return places


def describe(env: SceneEnv, with_text: bool = True) -> SceneDescription:
    """Objects (pose, location, home, held), places, robot state and (optionally) a paragraph.

    For arm scenes (:class:`scenes.base.AgentEnv`: ``env.robot.arm`` and ``env.gripper_width()``);
    ``house-v0`` has :func:`scenes.house_describe.describe_house`.
    """
    assert env.robot is not None, "call reset() first"
    held = env.held_object()
    objects = object_infos(env, held)
    places = place_infos(env)
    base = env.base_pose()
    ee_pos, ee_quat = env.robot.arm.ee_world()
    robot = RobotState(
        name=env.robot.name,
        base_pose=pose(np.array([base[0], base[1], 0.0]), np.array(yaw_quat(base[2]))),
        ee_pose=pose(ee_pos, ee_quat),
        gripper_width=env.gripper_width(),
        at=robot_location(base, env.places) if env.mobile else None,
        holding=held,
        mobile=env.mobile,
    )
    scene = SceneDescription(scene=env.scene_id, objects=objects, places=places, robot=robot, source="oracle")
    if with_text:
        scene.text = scene_text(scene)
    return scene


def _where(place_id: str | None, scene: SceneDescription) -> str:
    if place_id is None:
        return "nowhere in particular"
    place = scene.place(place_id)
    prep = "in" if place.category in IN_PLACES else "on"
    return f"{prep} the {place.name}"


def scene_text(scene: SceneDescription) -> str:
    """One plain-English paragraph: where the robot is, what is where, what is misplaced."""
    robot = scene.robot
    parts = []
    if robot.mobile:
        at = f"at the {scene.place(robot.at).name}" if robot.at else "in the open, at no particular place"
        parts.append(f"The robot is {at}")
    else:
        parts.append("The robot arm is fixed at the table")
    if robot.holding:
        parts[-1] += f" and is holding the {scene.object(robot.holding).name}."
    else:
        parts[-1] += " with an empty gripper."
    for obj in scene.objects:
        if obj.held:
            continue
        sentence = f"The {obj.name} is {_where(obj.location, scene)}"
        if obj.misplaced and obj.home is not None:
            sentence += f", but it belongs {_where(obj.home, scene)}"
        parts.append(sentence + ".")
    misplaced = [o.name for o in scene.misplaced()]
    parts.append(f"Misplaced: {', '.join(misplaced)}." if misplaced else "Everything is where it belongs.")
    return " ".join(parts)
