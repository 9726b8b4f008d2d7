"""The robot constitution: typed, testable rules that accept or reject a task in a scene."""

from planners.constitution import embodiment, foundational, guidance, safety  # noqa: F401  (register rules)
from planners.constitution.analysis import TaskAnalysis
from planners.constitution.base import KIND_PRIORITY, RULES, Rule, RuleKind, Verdict, register_rule
from planners.constitution.capabilities import RobotCapabilities
from planners.constitution.constitution import (
    DEFAULT_RULES,
    Constitution,
    Critic,
    Review,
    registered_skill_specs,
)
from planners.constitution.guidance import GuidanceRule

__all__ = [
    "DEFAULT_RULES",
    "KIND_PRIORITY",
    "RULES",
    "Constitution",
    "Critic",
    "GuidanceRule",
    "Review",
    "RobotCapabilities",
    "Rule",
    "RuleKind",
    "TaskAnalysis",
    "Verdict",
    "register_rule",
    "registered_skill_specs",
]
