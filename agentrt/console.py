"""Console helpers shared by the command-line modules."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import typer


@contextlib.contextmanager
def stdout_to_stderr(active: bool = True) -> Iterator[None]:
    """Send file descriptor 1 to stderr while active (PyBullet's C code prints to stdout).

    Used wherever stdout must hold exactly one JSON object.
    """
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def fail(command: str, code: int, message: str) -> typer.Exit:
    """Print ``<command>: <message>`` as one line on stderr; return the ``typer.Exit`` to raise."""
    typer.echo(f"{command}: {message}", err=True)
    return typer.Exit(code)
