"""Training recipes for low-level controllers, one file each, registered in ``RECIPES`` by name."""

from __future__ import annotations

from agentrt.core.registry import RECIPES
from controllers.recipes.base import PPOSettings, Recipe, Stage

__all__ = ["RECIPES", "PPOSettings", "Recipe", "Stage", "get_recipe"]


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``; an unknown name raises ``RegistryError`` (a ``KeyError``), listing them."""
    return RECIPES.get(name)
