"""Scene describers and task planners: instruction + scene description -> validated plan."""

from planners.base import Describable, Describer, DescriberConfig, Planner, PlannerConfig
from planners.validate import validate_plan

__all__ = ["Describable", "Describer", "DescriberConfig", "Planner", "PlannerConfig", "validate_plan"]
