"""The registered names, typed configs and the oracle describer."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agentrt.core.registry import DESCRIBERS, PLANNERS
from planners.oracle import OracleDescriber
from planners.symbolic import SymbolicPlanner, SymbolicPlannerConfig


class _Env:
    def __init__(self, scene):
        self._scene = scene

    def describe(self):
        return self._scene

    @property
    def unwrapped(self):
        return self


class _Wrapper:
    def __init__(self, env):
        self.unwrapped = env


def test_registered_by_entry_point():
    assert PLANNERS.get("symbolic") is SymbolicPlanner
    assert DESCRIBERS.get("oracle") is OracleDescriber


def test_config_rejects_unknown_keys():
    with pytest.raises(ValidationError):
        SymbolicPlannerConfig(wieght=2.0)
    with pytest.raises(ValidationError):
        SymbolicPlanner({"weight": 0.5})
    assert SymbolicPlanner({"node_budget": 10}).config.node_budget == 10


def test_oracle_reads_ground_truth_through_wrappers(kitchen_scene):
    describer = OracleDescriber()
    assert describer.describe(_Wrapper(_Env(kitchen_scene))) is kitchen_scene
    assert describer.describe(_Env(kitchen_scene)) is kitchen_scene
    with pytest.raises(TypeError, match="no describe"):
        describer.describe(object())


def test_plan_without_encoder_uses_exact_words(kitchen_scene, skills):
    planner = SymbolicPlanner({"use_encoder": False})
    plan = planner.plan("put the red mug in the dish rack", kitchen_scene, skills)
    assert plan.goal == ["in(mug_0, dish_rack)"]
