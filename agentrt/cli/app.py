"""The root ``agentrt`` app: mounts one sub-app or command per verb.

``eval-skill`` and ``eval-controller`` are the spellings before ``eval skill`` and ``eval
controller``; they stay for one version as hidden aliases of the same functions.
"""

from __future__ import annotations

import typer

from agentrt.cli.collect import collect_command
from agentrt.cli.constitution import app as constitution_app
from agentrt.cli.controllers import app as controllers_app
from agentrt.cli.data import app as data_app
from agentrt.cli.eval import app as eval_app
from agentrt.cli.eval.controller import eval_controller
from agentrt.cli.eval.skill import eval_skill
from agentrt.cli.listing import scenes_app, skills_app
from agentrt.cli.llm import app as llm_app
from agentrt.cli.run import run
from agentrt.cli.ship import app as ship_app
from agentrt.cli.train import app as train_app
from agentrt.cli.vla import app as vla_app
from agentrt.console import stdout_to_stderr

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Hierarchical robot agents in PyBullet.")
app.command("run")(run)
app.add_typer(scenes_app, name="scenes")
app.add_typer(skills_app, name="skills")
app.add_typer(data_app, name="data")
app.add_typer(constitution_app, name="constitution")
app.command("collect")(collect_command)
app.add_typer(controllers_app, name="controllers")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(vla_app, name="vla")
app.add_typer(ship_app, name="ship")
app.add_typer(llm_app, name="llm")
app.command("eval-skill", hidden=True)(eval_skill)
app.command("eval-controller", hidden=True)(eval_controller)


@app.callback()
def _quiet_native_banners() -> None:
    """Keep stdout for our own output: PyBullet's C layer prints a banner on import."""
    with stdout_to_stderr(True):
        import pybullet  # noqa: F401


__all__ = ["app"]
