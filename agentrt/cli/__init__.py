"""The ``agentrt`` command line: one typer app, one module per verb (``agentrt --help`` lists them)."""

from agentrt.cli.app import app

__all__ = ["app"]
