"""The symbolic planner: instruction parsing, grounding in the scene, goal literals, STRIPS search."""

from planners.symbolic.planner import SymbolicPlanner, SymbolicPlannerConfig

__all__ = ["SymbolicPlanner", "SymbolicPlannerConfig"]
