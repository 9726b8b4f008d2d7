"""Fixtures for planner tests: the three real skill specs, kitchen and tabletop scenes, MiniLM once."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from agentrt.core.scene import ObjectInfo, PlaceInfo, Pose, RobotState, SceneDescription
from agentrt.core.skill_spec import SkillSpec
from planners.encoder import SentenceEncoder, load_encoder
from planners.symbolic import SymbolicPlanner


def make_spec(name: str, args: tuple[str, ...], pre, eff, instruction: str, keys=("arm",)) -> SkillSpec:
    """A :class:`SkillSpec` with string arguments, as ``Skill.spec()`` would publish it."""
    model = type(f"{name}_args", (BaseModel,), {"__annotations__": {a: str for a in args}})
    return SkillSpec(
        name=name,
        description=f"{name} skill (test fixture)",
        args_schema=model.model_json_schema(),
        arg_names=args,
        preconditions=tuple(pre),
        effects=tuple(eff),
        instruction=instruction,
        action_keys=tuple(keys),
    )


NAVIGATE = make_spec(
    "navigate_to",
    ("place",),
    ("mobile()", "place(?place)"),
    ("robot_at(?place)", "not robot_at(?other)"),
    "go to the {place}",
    ("base",),
)
PICK = make_spec(
    "pick",
    ("object",),
    ("hand_empty()", "in(?object, ?from)", "robot_at(?from)"),
    ("holding(?object)", "not hand_empty()", "not in(?object, ?from)"),
    "pick up the {object}",
)
PLACE = make_spec(
    "place",
    ("object", "receptacle"),
    ("holding(?object)", "receptacle(?receptacle)", "robot_at(?receptacle)"),
    ("in(?object, ?receptacle)", "hand_empty()", "not holding(?object)"),
    "put the {object} in the {receptacle}",
)
SKILLS = (NAVIGATE, PICK, PLACE)

KITCHEN_PLACES = [
    ("counter", "kitchen counter", "counter", (0.0, 0.0), ["countertop", "worktop"]),
    ("sink", "kitchen sink", "sink", (1.5, 0.0), []),
    ("dining_table", "dining table", "table", (3.0, 2.0), ["table", "kitchen table"]),
    ("shelf", "shelf", "shelf", (0.0, 3.0), ["shelves", "pantry shelf"]),
    ("fruit_bowl", "fruit bowl", "bowl", (3.0, 0.5), []),
    ("dish_rack", "dish rack", "rack", (1.5, 1.0), ["drying rack", "dish drainer"]),
    ("trash_bin", "trash bin", "bin", (-1.0, 1.0), ["trash", "bin", "garbage", "rubbish bin", "trash can"]),
]
HOMES = {
    "mug": "dish_rack",
    "bowl": "dish_rack",
    "apple": "fruit_bowl",
    "banana": "fruit_bowl",
    "orange": "fruit_bowl",
    "bottle": "shelf",
    "cereal_box": "shelf",
    "can": "trash_bin",
    "sponge": "sink",
}
# (id, colour, category, location)
KITCHEN_OBJECTS = [
    ("mug_0", "red", "mug", "dining_table"),
    ("mug_1", "blue", "mug", "dish_rack"),
    ("bowl_0", "white", "bowl", "counter"),
    ("apple_0", "red", "apple", "dining_table"),
    ("banana_0", "yellow", "banana", "fruit_bowl"),
    ("orange_0", "orange", "orange", "counter"),
    ("bottle_0", "green", "bottle", "dining_table"),
    ("cereal_box_0", "yellow", "cereal_box", "shelf"),
    ("can_0", "silver", "can", "counter"),
    ("sponge_0", "yellow", "sponge", "sink"),
]


def robot(at: str | None, mobile: bool = True, holding: str | None = None) -> RobotState:
    return RobotState(
        name="mobile-panda" if mobile else "panda",
        base_pose=Pose(position=(0.0, -1.0, 0.0)),
        ee_pose=Pose(position=(0.0, -1.0, 1.0)),
        gripper_width=0.08,
        at=at,
        holding=holding,
        mobile=mobile,
    )


def kitchen(objects=KITCHEN_OBJECTS, at: str | None = None, holding: str | None = None) -> SceneDescription:
    """The kitchen-v0 fixture: 7 places; by default 5 objects misplaced, robot at no place."""
    places = [
        PlaceInfo(id=i, name=n, category=c, pose=Pose(position=(x, y, 0.0)), synonyms=s)
        for i, n, c, (x, y), s in KITCHEN_PLACES
    ]
    objs = []
    for oid, colour, category, location in objects:
        pose = (
            next(p.pose for p in places if p.id == location) if location else Pose(position=(0.0, 0.0, 1.0))
        )
        objs.append(
            ObjectInfo(
                id=oid,
                name=f"{colour} {category.replace('_', ' ')}",
                category=category,
                colour=colour,
                pose=pose,
                location=None if oid == holding else location,
                home=HOMES.get(category),
                held=oid == holding,
            )
        )
    return SceneDescription(
        scene="kitchen-v0", objects=objs, places=places, robot=robot(at, holding=holding), source="fixture"
    )


def tabletop() -> SceneDescription:
    """The tabletop-v0 fixture: fixed arm, three blocks, bowls, a tray and the table."""
    places = [
        PlaceInfo(id="table", name="table", category="table", pose=Pose(position=(0.5, 0.0, 0.0))),
        PlaceInfo(id="red_bowl", name="red bowl", category="bowl", pose=Pose(position=(0.5, 0.2, 0.02))),
        PlaceInfo(id="blue_bowl", name="blue bowl", category="bowl", pose=Pose(position=(0.5, -0.2, 0.02))),
        PlaceInfo(id="tray", name="tray", category="tray", pose=Pose(position=(0.7, 0.0, 0.02))),
    ]
    blocks = [("block_0", "red"), ("block_1", "green"), ("block_2", "blue")]
    objs = [
        ObjectInfo(
            id=i,
            name=f"{c} block",
            category="block",
            colour=c,
            pose=Pose(position=(0.5, 0.0, 0.03)),
            location="table",
        )
        for i, c in blocks
    ]
    return SceneDescription(
        scene="tabletop-v0", objects=objs, places=places, robot=robot(None, mobile=False), source="fixture"
    )


@pytest.fixture(scope="session")
def encoder() -> SentenceEncoder:
    """MiniLM, loaded once for the whole test session."""
    return load_encoder()


@pytest.fixture
def planner(encoder: SentenceEncoder) -> SymbolicPlanner:
    return SymbolicPlanner(encoder=encoder)


@pytest.fixture
def skills() -> tuple[SkillSpec, ...]:
    return SKILLS


@pytest.fixture
def kitchen_scene() -> SceneDescription:
    return kitchen()


@pytest.fixture
def tabletop_scene() -> SceneDescription:
    return tabletop()


@pytest.fixture
def make_kitchen():
    """Factory: ``make_kitchen(objects, at=None, holding=None)``; rows (id, colour, category, place)."""
    return kitchen


@pytest.fixture
def spec_factory():
    """Factory: ``spec_factory(name, args, pre, eff, instruction, keys)`` -> SkillSpec."""
    return make_spec
