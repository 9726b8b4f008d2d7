"""Loading skills from outside the package: ``--skills-module mypkg.my_skills``.

A skills module registers its skills when imported (``@skill`` or
``@SKILLS.register``). :func:`load_skill_modules` first imports every built-in and
installed plugin (the ``agentrt.skills`` entry-point group), then the modules named,
so a user skill that reuses a taken name is refused instead of silently replacing
one. Installed packages advertise their skills modules the same way the built-ins do::

    [project.entry-points."agentrt.skills"]
    my_skills = "mypkg.my_skills"

Module names resolve from the current directory first, so
``agentrt run ... --skills-module examples.serve_drink`` works from the repository root
even through the ``agentrt`` console script (whose ``sys.path`` would not hold it).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable

from agentrt.core.registry import SKILLS, RegistryError


class PluginError(RegistryError):
    """A skills module could not be loaded; the message is one line that says why."""


def load_skill_modules(modules: Iterable[str], *, search_cwd: bool = True) -> list[str]:
    """Import each skills module (after the built-ins) and return the skill names it added.

    Args:
        modules: dotted module names, e.g. ``"examples.serve_drink"``.
        search_cwd: put the current directory at the front of ``sys.path`` first.

    Raises:
        PluginError: a module is missing, fails on import, or registers a skill under a
            name that is already taken.
    """
    SKILLS.discover()
    if search_cwd:
        cwd = os.getcwd()
        if cwd not in sys.path:
            sys.path.insert(0, cwd)
    before = set(SKILLS.names())
    for module in modules:
        known = set(SKILLS.names())
        try:
            _import(module)
        except PluginError:
            for name in set(SKILLS.names()) - known:  # no half-loaded module stays registered
                SKILLS.remove(name)
            raise
    return sorted(set(SKILLS.names()) - before)


def _import(module: str) -> None:
    try:
        importlib.import_module(module)
    except RegistryError as exc:
        sys.modules.pop(module, None)
        raise PluginError(f"skills module {module!r}: {exc}") from None
    except ModuleNotFoundError as exc:
        if exc.name is not None and module.startswith(exc.name):
            raise PluginError(
                f"cannot import skills module {module!r}: no module named {exc.name!r} "
                f"(searched the current directory {os.getcwd()} and the installed packages)"
            ) from None
        raise PluginError(f"skills module {module!r} failed to import: {exc}") from None
    except Exception as exc:
        sys.modules.pop(module, None)
        first = str(exc).splitlines()[0] if str(exc) else ""
        why = f"{type(exc).__name__}: {first}"
        raise PluginError(f"skills module {module!r} failed to import: {why}") from None


__all__ = ["PluginError", "load_skill_modules"]
