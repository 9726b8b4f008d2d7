"""Learned twins of the scripted skills (``navigate_to``, ``pick``, ``place``) over any chunk policy."""

from skills.learned.base import LEARNED_SKILLS, TWIN_DECLARATIONS, LearnedSkill
from skills.learned.detector import DetectorConfig, FactsDetector, SuccessDetector, effects_hold
from skills.learned.navigate import LearnedNavigate, NavigateDoneConfig
from skills.learned.pick import LearnedPick, PickDoneConfig
from skills.learned.place import LearnedPlace, PlaceDoneConfig

__all__ = [
    "LEARNED_SKILLS",
    "TWIN_DECLARATIONS",
    "DetectorConfig",
    "FactsDetector",
    "LearnedNavigate",
    "LearnedPick",
    "LearnedPlace",
    "LearnedSkill",
    "NavigateDoneConfig",
    "PickDoneConfig",
    "PlaceDoneConfig",
    "SuccessDetector",
    "effects_hold",
]
