"""Every exit status of agentrt's commands (the `agentrt` CLI and the tools it runs), one name per code.

Each command's help and module docstring say which of these it uses and when. A rejected
input (``EXIT_BAD_INPUT``) always comes with one line on stderr, ``<command>: <reason>``,
and nothing has run; an internal error (``EXIT_INTERNAL``) shows its traceback only with
``AGENTRT_DEBUG=1``.
"""

from __future__ import annotations

EXIT_OK = 0
"""Done: the goal was reached, the evaluation ran (whatever its success rate), the data is sound."""
EXIT_FAILED = 1
"""Ran to the end but the check failed: ``run``'s goal not reached, ``data verify`` found faults."""
EXIT_BAD_INPUT = 2
"""Rejected input, nothing ran: an unknown name, a bad setting, an unreadable or unwritable path."""
EXIT_INTERNAL = 3
"""Internal error: a bug or a crash inside a part; ``AGENTRT_DEBUG=1`` shows the traceback."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C or SIGTERM) after saving what was done; the same command resumes."""

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK"]
