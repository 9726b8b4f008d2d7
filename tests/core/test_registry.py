"""Registry behaviour, and a contract test over every registry's real entries."""

from __future__ import annotations

import pytest

from agentrt.core.registry import DESCRIBERS, PLANNERS, ROBOTS, SCENES, SKILLS, Registry, RegistryError


def test_register_get_and_list() -> None:
    reg: Registry = Registry("widget")

    @reg.register("b")
    class B: ...

    @reg.register("a")
    class A: ...

    assert reg.get("a") is A
    assert reg.names() == ["a", "b"]
    assert "a" in reg and "zzz" not in reg
    assert len(reg) == 2


def test_duplicate_name_raises_and_names_both_classes() -> None:
    reg: Registry = Registry("widget")
    reg.add("x", int)
    reg.add("x", int)  # the same object again is harmless (module re-import)
    with pytest.raises(RegistryError, match="already registered.*int.*float"):
        reg.add("x", float)


def test_unknown_name_lists_known_names() -> None:
    reg: Registry = Registry("widget")
    reg.add("alpha", int)
    reg.add("beta", float)
    with pytest.raises(RegistryError) as info:
        reg.get("gamma")
    assert str(info.value) == "unknown widget 'gamma'; known widgets: alpha, beta"


def test_empty_name_rejected() -> None:
    with pytest.raises(RegistryError):
        Registry("widget").add("", int)


@pytest.mark.parametrize(
    ("registry", "expected"),
    [
        (SCENES, {"kitchen-v0", "tabletop-v0"}),
        (ROBOTS, {"mobile-panda", "panda"}),
        (SKILLS, {"navigate_to", "pick", "place"}),
        (PLANNERS, {"symbolic"}),
        (DESCRIBERS, {"oracle"}),
    ],
    ids=lambda r: getattr(r, "kind", None),
)
def test_builtins_are_discovered_without_importing_their_modules(
    registry: Registry, expected: set[str]
) -> None:
    assert expected <= set(registry.names())
    for name in registry.names():
        entry = registry.get(name)
        assert isinstance(entry, type), f"{registry.kind} {name!r} should register a class"
        assert (entry.__doc__ or "").strip(), f"{registry.kind} {name!r} has no docstring"
