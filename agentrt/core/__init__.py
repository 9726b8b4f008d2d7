"""The floor of agentrt: typed contracts and registries; imports nothing else of ours."""

from agentrt.core.episode import EpisodeRecord, SubgoalRecord
from agentrt.core.plan import Plan, PlanningError, Subgoal
from agentrt.core.registry import DESCRIBERS, PLANNERS, ROBOTS, SCENES, SKILLS, Registry, RegistryError
from agentrt.core.results import SkillResult, SkillStatus
from agentrt.core.scene import ObjectInfo, PlaceInfo, Pose, RobotState, SceneDescription
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import Atom, format_atom, holds, parse_atom, parse_literal

__all__ = [
    "DESCRIBERS",
    "PLANNERS",
    "ROBOTS",
    "SCENES",
    "SKILLS",
    "Atom",
    "EpisodeRecord",
    "ObjectInfo",
    "PlaceInfo",
    "Plan",
    "PlanningError",
    "Pose",
    "Registry",
    "RegistryError",
    "RobotState",
    "SceneDescription",
    "SkillResult",
    "SkillSpec",
    "SkillStatus",
    "Subgoal",
    "SubgoalRecord",
    "format_atom",
    "holds",
    "parse_atom",
    "parse_literal",
]
