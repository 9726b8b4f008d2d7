"""Files short enough to read in one sitting: no package module over 600 lines, except pure data."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = ("agentrt", "scenes", "controllers", "skills", "planners", "evals")
MAX_LINES = 600


def is_pure_data(path: Path) -> bool:
    """A module of constants only: no function, no class."""
    tree = ast.parse(path.read_text())
    return not any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.walk(tree)
    )


def test_no_module_is_longer_than_600_lines_unless_it_is_data() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for top in OURS
        for p in (ROOT / top).rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES and not is_pure_data(p)
    }
    assert not long, f"split these (STYLE.md: a file past ~{MAX_LINES} lines needs a reason): {long}"
