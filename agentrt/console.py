"""Console helpers shared by the command-line modules."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

import typer
from rich.console import Console, RenderableType
from rich.live import Live


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


def seed_range(text: str) -> list[int]:
    """An inclusive seed range: ``"0-9"`` -> ``[0, ..., 9]``; ``"3"`` -> ``[3]``."""
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


StatsT = TypeVar("StatsT")


class LiveTable(Generic[StatsT]):
    """A progress hook that redraws ``render(stats)`` in place (a rich ``Live`` display).

    Use as a context manager and call it with each new statistics object; with
    ``enabled=False`` (not a terminal) it does nothing, so logs stay clean.
    """

    def __init__(
        self, render: Callable[[StatsT], RenderableType], enabled: bool = True, console: Console | None = None
    ) -> None:
        self.render = render
        self.live = Live(console=console, refresh_per_second=2, transient=False) if enabled else None

    def __enter__(self) -> LiveTable[StatsT]:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)

    def __call__(self, stats: StatsT) -> None:
        if self.live is not None:
            self.live.update(self.render(stats))
