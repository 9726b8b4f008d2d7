"""Skills from a module outside the package: loaded, listed, planned with, executed;
a name clash or a broken module is refused with one line and exit 2."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentrt.agent import Agent, make_skills
from agentrt.cli import app
from agentrt.core.registry import SKILLS, Registry
from agentrt.plugins import PluginError, load_skill_modules
from agentrt.testing import FakeEnv, fixture_record, fixture_scene
from planners.oracle import OracleDescriber
from planners.symbolic import SymbolicPlanner

STASH = '''
"""A user's skills module, outside the agentrt package."""
import numpy as np
from skills.authoring import SkillContext, skill


@skill(
    preconditions=["hand_empty()", "in(?object, ?from)", "robot_at(?from)"],
    effects=["in(?object, shelf)", "not in(?object, ?from)"],
    instruction="stash the {object}",
)
def stash(ctx: SkillContext, object: str):
    """Teleport an object onto the shelf after three still steps (a fake-world skill)."""
    for _ in range(3):
        yield {"arm": np.zeros(7, np.float32)}
    ctx.env.unwrapped.move_object(object, "shelf")
'''

CLASH = '''
"""Registers a new skill, then one named like a built-in."""
from skills.authoring import SkillContext, skill


@skill(effects=["hand_empty()"])
def harmless(ctx: SkillContext):
    """A skill that is fine on its own."""
    yield {}


@skill(effects=["hand_empty()"])
def pick(ctx: SkillContext, object: str):
    """A second skill called pick."""
    yield {}
'''


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory outside the package holding ``mine/stash.py`` and ``mine/clash.py``, as cwd."""
    package = tmp_path / "mine"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "stash.py").write_text(STASH)
    (package / "clash.py").write_text(CLASH)
    monkeypatch.chdir(tmp_path)
    before = set(SKILLS.names())
    yield tmp_path
    for name in set(SKILLS.names()) - before:
        SKILLS.remove(name)
    for module in [m for m in sys.modules if m == "mine" or m.startswith("mine.")]:
        del sys.modules[module]
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))


def test_module_from_cwd_is_loaded_planned_and_executed(user_dir: Path) -> None:
    assert load_skill_modules(["mine.stash"]) == ["stash"]
    scene = fixture_scene(
        [("mug_0", "red mug", "mug", "counter", "shelf")], ["counter", "shelf"], robot_at="counter"
    )
    env = FakeEnv(scene)
    agent = Agent(env, OracleDescriber(), SymbolicPlanner({"use_encoder": False}), make_skills())
    record = fixture_record("stash the red mug", scene)
    record = agent.run("stash the red mug", record)
    assert record.success, record.reason
    assert [s.subgoal.skill for s in record.subgoals] == ["stash"]
    assert record.subgoals[0].skill_impl == "mine.stash.stash" and record.steps == 3


def test_skills_list_shows_the_user_skill(user_dir: Path) -> None:
    result = CliRunner().invoke(app, ["skills", "list", "--skills-module", "mine.stash"])
    assert result.exit_code == 0, result.output
    assert "stash" in result.output and "in(?object, shelf)" in result.output


def test_name_clash_is_refused_and_nothing_half_loaded(user_dir: Path) -> None:
    with pytest.raises(PluginError, match="skill 'pick' is already registered by skills.scripted.pick"):
        load_skill_modules(["mine.clash"])
    assert "harmless" not in SKILLS and SKILLS.get("pick").__module__ == "skills.scripted.pick"


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ("mine.clash", "skill 'pick' is already registered"),
        ("mine.missing", "cannot import skills module 'mine.missing'"),
    ],
)
@pytest.mark.parametrize("command", ["skills list", "run"])
def test_cli_refuses_bad_modules_with_one_line_and_exit_2(
    user_dir: Path, module: str, message: str, command: str
) -> None:
    if command == "run":
        argv = ["run", "tidy up", "--skills-module", module, "--out", str(user_dir / "runs")]
    else:
        argv = ["skills", "list", "--skills-module", module]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("agentrt: ")
    assert "Traceback" not in result.output


def test_entry_point_plugins_are_imported_on_first_lookup(
    user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class EntryPoint:
        value = "mine.stash"

    monkeypatch.syspath_prepend(str(user_dir))
    monkeypatch.setattr("agentrt.core.registry.entry_points", lambda group: [EntryPoint()])
    fresh = Registry("skill")
    monkeypatch.setattr("skills.authoring.SKILLS", fresh)
    assert fresh.names() == ["stash"]
