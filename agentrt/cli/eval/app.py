"""The ``agentrt eval`` group: with ``--suite`` it runs a suite; its subcommands score one part.

agentrt eval --suite ID --out DIR        a suite (:mod:`agentrt.cli.eval.suite`)
agentrt eval skill SKILL                 a learned skill (:mod:`agentrt.cli.eval.skill`)
agentrt eval controller NAME             a controller (:mod:`agentrt.cli.eval.controller`)
agentrt eval compare|list|report ...     results directories and registered suites
"""

from __future__ import annotations

import typer

from agentrt.cli.eval.controller import eval_controller
from agentrt.cli.eval.skill import eval_skill
from agentrt.cli.eval.suite import compare_command, eval_command, list_command, report_command

app = typer.Typer(
    add_completion=False,
    invoke_without_command=True,
    help="Evaluate agents on versioned suites (parallel on Ray), learned skills and controllers; "
    "compare results directories.",
)
app.callback()(eval_command)
app.command("skill")(eval_skill)
app.command("controller")(eval_controller)
app.command("compare")(compare_command)
app.command("list")(list_command)
app.command("report")(report_command)

__all__ = ["app"]
