"""Contract test over every registered controller kind (``CONTROLLER_KINDS``) and the shipped artifacts."""

from __future__ import annotations

import pytest

from controllers.base import CONTROLLER_KINDS, Controller
from controllers.catalog import load_controller, shipped_controllers
from controllers.commands import PostureCommand, VelocityCommand

KINDS = CONTROLLER_KINDS.names()
SHIPPED = shipped_controllers()


def test_the_built_in_kinds_are_registered() -> None:
    assert {"locomotion", "balance"} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_kind_is_a_controller_that_says_which_command_it_takes(kind: str) -> None:
    cls = CONTROLLER_KINDS.get(kind)
    assert isinstance(cls, type) and issubclass(cls, Controller)
    assert cls.command_type in (VelocityCommand, PostureCommand)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_artifact_loads_into_the_class_of_its_kind(name: str) -> None:
    controller = load_controller(name)
    assert type(controller) is CONTROLLER_KINDS.get(str(SHIPPED[name]["kind"]))
