"""Every ``agentrt ...`` command the docs show exists: its ``--help`` exits 0; old spellings stay hidden.

The commands are the lines of fenced code blocks and the inline code spans (which may wrap onto the
next line) that start with ``agentrt `` in README.md, ARCHITECTURE.md, docs/*.md and
skills/vla/README.md. Each is reduced to its subcommand path (``agentrt eval skill pick --ckpt X``
-> ``eval skill``) by walking the real command tree: a word that names no subcommand of a group
that cannot run alone (``agentrt data nfo``) fails the test, so a renamed command cannot linger in
the docs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from agentrt.cli import app

ROOT = Path(__file__).resolve().parents[3]
DOCS = (
    ROOT / "README.md",
    ROOT / "ARCHITECTURE.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "skills" / "vla" / "README.md",
)
FENCE = re.compile(r"^\s*(```|~~~)")
SPAN = re.compile(r"`([^`]+)`")
ALIASES = {"eval-skill": ("eval", "skill"), "eval-controller": ("eval", "controller")}
"""Hidden old spelling -> the command it calls."""

runner = CliRunner()


def shown_commands(markdown: str) -> list[str]:
    """The ``agentrt ...`` commands in ``markdown``'s code blocks and inline code, whitespace collapsed."""
    commands, prose, in_block = [], [], False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_block = not in_block
            prose.append("")
        elif in_block:
            shown = line.strip().removeprefix("$ ")
            if shown.startswith("agentrt "):
                commands.append(" ".join(shown.split()))
            prose.append("")
        else:
            prose.append(line)
    for span in SPAN.findall("\n".join(prose)):
        if "\n\n" not in span and span.strip().startswith("agentrt "):
            commands.append(" ".join(span.split()))
    return commands


def subcommand_path(command: str, root: TyperGroup) -> tuple[str, ...]:
    """``"agentrt eval skill pick --json"`` -> ``("eval", "skill")``, walking ``root``'s subcommands.

    Raises:
        AssertionError: a word names no subcommand of a group that cannot run without one.
    """
    path: list[str] = []
    node: object = root
    for word in command.split()[1:]:
        if not isinstance(node, TyperGroup) or word.startswith("-"):
            break
        sub = node.get_command(typer.Context(node), word)  # not .commands: `train vla` is built on demand
        if sub is None:
            where = " ".join(["agentrt", *path])
            assert node.invoke_without_command, f"{command!r}: {word!r} is no subcommand of `{where}`"
            break
        path.append(word)
        node = sub
    return tuple(path)


def _tree() -> TyperGroup:
    """The command tree of the installed ``agentrt`` (a typer group of groups and commands)."""
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    return root


def _documented_paths() -> dict[tuple[str, ...], str]:
    """Subcommand path -> the first doc that shows it (for the failure message)."""
    root = _tree()
    paths: dict[tuple[str, ...], str] = {}
    for doc in DOCS:
        for command in shown_commands(doc.read_text()):
            paths.setdefault(subcommand_path(command, root), doc.name)
    return paths


PATHS = _documented_paths()


def test_the_extraction_finds_blocks_wrapped_spans_and_nothing_else() -> None:
    text = (
        "Run `agentrt eval skill\npick --json` or `python x.py`; agentrt is a word.\n\n"
        "```bash\n$ agentrt data info runs/d\n  agentrt eval --suite s   # a suite\npip install x\n```\n"
        "`agentrt` alone is not a command.\n"
    )
    assert shown_commands(text) == [
        "agentrt data info runs/d",
        "agentrt eval --suite s # a suite",
        "agentrt eval skill pick --json",
    ]
    root = _tree()
    assert subcommand_path("agentrt eval skill pick --json", root) == ("eval", "skill")
    assert subcommand_path("agentrt eval --suite s # a suite", root) == ("eval",)
    assert subcommand_path("agentrt run 'tidy the kitchen' --seed 3", root) == ("run",)
    with pytest.raises(AssertionError, match="'nfo' is no subcommand of `agentrt data`"):
        subcommand_path("agentrt data nfo runs/d", root)


def test_the_docs_show_the_main_verbs() -> None:
    """A guard on the extraction itself: the docs are known to show these."""
    assert {("run",), ("collect",), ("eval",), ("eval", "skill"), ("train", "vla"), ("data", "merge")} <= set(
        PATHS
    )


@pytest.mark.parametrize("path", sorted(PATHS), ids=lambda p: " ".join(("agentrt", *p)))
def test_every_documented_command_has_help(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, f"agentrt {' '.join(path)} (shown in {PATHS[path]}): {result.output}"
    assert "Usage:" in result.output or "usage: agentrt" in result.output  # typer's, or a tool's argparse


def test_the_old_spellings_are_hidden_from_the_top_level_help() -> None:
    listed = runner.invoke(app, ["--help"])
    assert listed.exit_code == 0
    assert "eval-skill" not in listed.output and "eval-controller" not in listed.output
    assert " eval " in listed.output
    on_eval = runner.invoke(app, ["eval", "--help"])
    assert on_eval.exit_code == 0 and " skill " in on_eval.output and " controller " in on_eval.output


@pytest.mark.parametrize(
    ("alias", "argv", "message"),
    [
        ("eval-skill", ["fly"], "unknown skill 'fly'"),
        ("eval-controller", ["no-such-controller"], "no controller 'no-such-controller'"),
    ],
)
def test_the_old_spellings_still_run_the_same_command(alias: str, argv: list[str], message: str) -> None:
    assert runner.invoke(app, [alias, "--help"]).exit_code == 0
    old = runner.invoke(app, [alias, *argv])
    new = runner.invoke(app, [*ALIASES[alias], *argv])
    assert old.exit_code == new.exit_code == 2
    assert old.stderr == new.stderr and message in new.stderr and "Traceback" not in old.output
    root = _tree()
    old_cmd, new_cmd = root.commands[alias], root.commands["eval"].commands[ALIASES[alias][1]]
    assert old_cmd.hidden and not new_cmd.hidden
    assert [p.name for p in old_cmd.params] == [p.name for p in new_cmd.params]
