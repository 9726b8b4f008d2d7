"""The package dependency direction of DESIGN.md, checked over every import in the tree.

A lower layer never imports a higher one, not even lazily inside a function. The dataset
library (``agentrt.datasets``) imports only the core, so training code in
``controllers/`` and ``skills/`` may read datasets without depending on the runtime.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("agentrt", "scenes", "controllers", "skills", "planners", "evals")
CORE = ("agentrt.core",)
DATA = ("agentrt.datasets",)
ALLOWED: dict[str, tuple[str, ...]] = {
    "agentrt.core": CORE,
    "agentrt.datasets": (*CORE, *DATA),
    "scenes": (*CORE, "scenes"),
    "controllers": (*CORE, *DATA, "scenes", "controllers"),
    "skills": (*CORE, *DATA, "scenes", "controllers", "skills"),
    "planners": (*CORE, "planners"),
}
"""Layer (module prefix) -> the prefixes of ours it may import; the runtime and evals import anything."""
RUNTIME: tuple[str, ...] = ()
"""Modules inside a lower layer's folder that belong to the runtime: none (the CLI is ``agentrt.cli``)."""
ROOT_PACKAGE = "agentrt"
"""``from agentrt import __version__``: the package root holds only the version, any layer may read it."""


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str | None:
    if module in RUNTIME:
        return None
    matches = [p for p in ALLOWED if module == p or module.startswith(p + ".")]
    return max(matches, key=len) if matches else None


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _sources() -> list[Path]:
    return sorted(p for top in OURS for p in (ROOT / top).rglob("*.py") if _layer(_module(p)))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_dependency_direction(path: Path) -> None:
    layer = _layer(_module(path))
    assert layer is not None
    bad = [
        f"line {line}: {name}"
        for line, name in _imports(path)
        if name.split(".")[0] in OURS
        and name != ROOT_PACKAGE
        and not any(name == a or name.startswith(a + ".") for a in ALLOWED[layer])
    ]
    assert not bad, f"{layer} may import only {', '.join(ALLOWED[layer])}; found {bad}"
