"""``agentrt eval``: suites, a learned skill, a controller; compare, list and report results."""

from agentrt.cli.eval.app import app

__all__ = ["app"]
