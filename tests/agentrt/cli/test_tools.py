"""The package tools mounted in the CLI (agentrt train pointer, agentrt ship, agentrt vla): each
gets its arguments untouched and exits with its own status."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentrt.cli import app
from agentrt.core.exit_codes import EXIT_BAD_INPUT

TOOLS = [
    ("train", "pointer"),
    ("ship", "vla"),
    ("ship", "controller"),
    ("vla", "demos"),
    ("vla", "dagger"),
    ("vla", "grounding-crops"),
    ("vla", "settings"),
    ("vla", "calibrate"),
    ("llm", "serve"),
]


@pytest.mark.parametrize("path", TOOLS, ids=" ".join)
def test_help_is_the_tools_own_parser(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert f"usage: agentrt {' '.join(path)}" in result.output


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["vla", "demos", "--episodes", "0", "--out", "OUT"], "vla demos: --episodes must be at least 1"),
        (
            ["vla", "grounding-crops", "--scenes", "3", "--seed-start", "200100", "--out", "OUT"],
            "of the test split",
        ),
        (
            ["ship", "controller", "NOPE", "--name", "x", "--train-command", "c", "--dest", "OUT"],
            "cannot load",
        ),
    ],
)
def test_bad_input_exits_2_through_the_command_line(tmp_path: Path, argv: list[str], message: str) -> None:
    argv = [str(tmp_path / a) if a in ("OUT", "NOPE") else a for a in argv]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == EXIT_BAD_INPUT and message in result.output
    assert "Traceback" not in result.output
