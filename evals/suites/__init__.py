"""Evaluation suites: the :class:`Suite` interface and the built-in suites (registered in ``SUITES``)."""

from evals.suites.base import EpisodeSpec, Suite, Task, check_task

__all__ = ["EpisodeSpec", "Suite", "Task", "check_task"]
