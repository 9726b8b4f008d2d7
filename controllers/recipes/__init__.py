"""Training recipes for low-level controllers, one file each, by name."""

from __future__ import annotations

from controllers.recipes.base import PPOSettings, Recipe, Stage

__all__ = ["RECIPES", "PPOSettings", "Recipe", "Stage", "get_recipe"]


def _recipes() -> dict[str, str]:
    return {
        "a1-locomotion": "controllers.recipes.a1_locomotion",
        "humanoid-balance": "controllers.recipes.humanoid_balance",
    }


RECIPES: dict[str, str] = _recipes()
"""Recipe name -> module defining ``RECIPE`` (imported only when used)."""


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``; ``KeyError`` lists the known ones."""
    import importlib

    if name not in RECIPES:
        raise KeyError(f"unknown recipe {name!r}; known: {', '.join(sorted(RECIPES))}")
    return importlib.import_module(RECIPES[name]).RECIPE
