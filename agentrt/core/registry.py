"""Named registries for every extension point, filled by decorators beside the classes.

A registry maps a name (``"kitchen-v0"``, ``"pick"``, ``"symbolic"``) to a class.
Built-in entries and installed plugins are discovered through Python entry points
(group ``agentrt.<kind>``): the first lookup imports each advertised module, whose
decorators then register the classes. A name is therefore never unknown just because
nobody happened to import its module first.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

T = TypeVar("T")


class RegistryError(KeyError):
    """Raised for unknown or duplicate registry names; the message lists the known names."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly.
        return str(self.args[0]) if self.args else ""


class Registry(Generic[T]):
    """A name -> class table for one extension point.

    Args:
        kind: what is registered ("scene", "skill", ...), used in messages and to name
            the entry-point group ``agentrt.<kind>s`` that is scanned for plugins.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.group = f"agentrt.{kind}s"
        self._entries: dict[str, T] = {}
        self._discovered = False

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator: ``@SCENES.register("kitchen-v0")``. Duplicate names raise."""

        def decorator(obj: T) -> T:
            self.add(name, obj)
            return obj

        return decorator

    def add(self, name: str, obj: T) -> None:
        """Register ``obj`` under ``name``; raises :class:`RegistryError` on a clash."""
        if not name or not isinstance(name, str):
            raise RegistryError(f"{self.kind} name must be a non-empty string, got {name!r}")
        existing = self._entries.get(name)
        if existing is not None and existing is not obj:
            raise RegistryError(
                f"{self.kind} {name!r} is already registered by {_qualname(existing)}; "
                f"refusing to override it with {_qualname(obj)}"
            )
        self._entries[name] = obj

    def remove(self, name: str) -> None:
        """Forget ``name`` (for tests and plugin reloading)."""
        self._entries.pop(name, None)

    def get(self, name: str) -> T:
        """Return the entry for ``name`` or raise with the list of known names."""
        self.discover()
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries)) or "(none)"
            raise RegistryError(f"unknown {self.kind} {name!r}; known {self.kind}s: {known}") from None

    def __getitem__(self, name: str) -> T:
        """``registry[name]``, the same as :meth:`get`."""
        return self.get(name)

    def names(self) -> list[str]:
        """All registered names, sorted."""
        self.discover()
        return sorted(self._entries)

    def items(self) -> list[tuple[str, T]]:
        """``(name, entry)`` pairs, sorted by name."""
        self.discover()
        return sorted(self._entries.items(), key=lambda kv: kv[0])

    def __contains__(self, name: object) -> bool:
        self.discover()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        self.discover()
        return len(self._entries)

    def discover(self) -> None:
        """Import every module advertised in the ``agentrt.<kind>s`` entry-point group once."""
        if self._discovered:
            return
        self._discovered = True
        for ep in entry_points(group=self.group):
            module = ep.value.split(":", 1)[0]
            importlib.import_module(module)


def _qualname(obj: object) -> str:
    module = getattr(obj, "__module__", "?")
    name = getattr(obj, "__qualname__", repr(obj))
    return f"{module}.{name}"


SCENES: Registry = Registry("scene")
"""Scene environments (Gymnasium ``Env`` subclasses), e.g. ``kitchen-v0``."""
ROBOTS: Registry = Registry("robot")
"""Robot models (arm, mobile base, cameras), e.g. ``mobile-panda``."""
SKILLS: Registry = Registry("skill")
"""Skills the planner can call, e.g. ``pick``."""
PLANNERS: Registry = Registry("planner")
"""Task planners (instruction + scene -> plan), e.g. ``symbolic``."""
DESCRIBERS: Registry = Registry("describer")
"""Scene describers (world -> scene description), e.g. ``oracle``."""
SUITES: Registry = Registry("suite")
"""Evaluation suites (versioned task sets), e.g. ``kitchen-tidy-v0``."""
RECIPES: Registry = Registry("recipe")
"""Training recipes for low-level controllers (:class:`controllers.recipes.Recipe` objects), e.g.
``a1-locomotion``; ``agentrt train controller NAME`` runs one."""
CONTROLLERS: Registry = Registry("controller")
"""Low-level controllers a scene can look up by name to drive its robot, e.g. ``a1-locomotion``.

Entries are factories (see ``controllers/registration.py``): they say which robot model
they drive and which command they take (``"velocity"`` or ``"posture"``), and build the
running stack for a robot in a scene. Scenes look controllers up here instead of
importing ``controllers/`` (which sits above them)."""
