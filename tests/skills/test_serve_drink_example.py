"""The tutorial's example (docs/skills.md, examples/serve_drink.py), as a newcomer runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentrt.core.registry import SKILLS

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ["run", "serve a drink", "--skills-module", "examples.serve_drink"]


@pytest.fixture
def serve_drink(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The example loaded from the repository root, unregistered afterwards."""
    from agentrt.plugins import load_skill_modules

    monkeypatch.chdir(ROOT)
    assert load_skill_modules(["examples.serve_drink"]) in (["serve_drink"], [])
    yield SKILLS.get("serve_drink")
    SKILLS.remove("serve_drink")
    sys.modules.pop("examples.serve_drink", None)


def test_example_is_short_and_derives_what_the_tutorial_shows(serve_drink) -> None:  # type: ignore[no-untyped-def]
    lines = (ROOT / "examples" / "serve_drink.py").read_text().splitlines()
    assert len(lines) <= 25
    assert serve_drink.preconditions == (
        "mobile()",
        "place(?from)",
        "hand_empty()",
        "in(?mug, ?from)",
        "place(dining_table)",
        "receptacle(dining_table)",
    )
    assert serve_drink.effects[:3] == ("robot_at(dining_table)", "in(?mug, dining_table)", "hand_empty()")
    assert (ROOT / "docs" / "skills.md").read_text().count('agentrt run "serve a drink"') >= 1


def test_tutorial_command_runs_end_to_end(tmp_path: Path) -> None:
    """`agentrt run "serve a drink" --skills-module examples.serve_drink`, from the repo root."""
    env = {**os.environ, "PYTHONPATH": ""}
    agentrt = Path(sys.executable).parent / "agentrt"
    proc = subprocess.run(
        [str(agentrt), *COMMAND, "--json", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["plan"][0]["skill"] == "serve_drink" and len(out["plan"]) == 1
    assert out["subgoals"][0]["status"] == "success"
    record = Path(out["episode"]).read_text()
    for part in ("1:navigate_to", "2:pick", "3:navigate_to", "4:place"):
        assert f'"{part}"' in record, f"segment {part} missing from the episode record"
