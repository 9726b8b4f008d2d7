"""``agentrt data ...``: inspect, verify and merge datasets.

Exit codes (:mod:`agentrt.core.exit_codes`): bad input (a missing folder, something that is
not a dataset) prints one line and exits 2; ``verify`` exits 1 when it finds faults and lists
them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agentrt.console import fail
from agentrt.core.exit_codes import EXIT_BAD_INPUT, EXIT_FAILED
from agentrt.datasets.errors import DatasetError
from agentrt.datasets.meta import load_meta

app = typer.Typer(help="Datasets of episodes (LeRobot v3): info, verify, merge.", no_args_is_help=True)


def _fail(exc: Exception) -> None:
    raise fail("agentrt data", EXIT_BAD_INPUT, str(exc))


@app.command()
def info(root: Annotated[Path, typer.Argument(help="dataset root")]) -> None:
    """Episodes, frames, tasks, success rate and size on disk."""
    try:
        meta = load_meta(root)
    except DatasetError as exc:
        _fail(exc)
    episodes = meta.episodes
    successes = sum(1 for row in episodes if row.get("success"))
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    rate = f"{successes / len(episodes):.1%}" if episodes else "n/a"
    typer.echo(f"dataset      {root}")
    typer.echo(f"format       LeRobotDataset {meta.info['codebase_version']}, {meta.fps} fps")
    typer.echo(f"episodes     {len(episodes)}")
    typer.echo(f"frames       {meta.total_frames} ({meta.total_frames / meta.fps:.1f} s)")
    typer.echo(f"success      {successes}/{len(episodes)} ({rate})")
    typer.echo(
        f"size         {size / 2**20:.2f} MiB ({size / max(len(episodes), 1) / 2**10:.1f} KiB/episode)"
    )
    typer.echo(f"cameras      {', '.join(meta.video_keys) or '-'}")
    typer.echo(f"skills       {', '.join(s for s in meta.skills if s) or '-'}")
    typer.echo(f"tasks        {len(meta.tasks)}")
    for index, task in enumerate(meta.tasks):
        typer.echo(f"  {index:4d}  {task}")


@app.command()
def verify(
    root: Annotated[Path, typer.Argument(help="dataset root")],
    videos: Annotated[bool, typer.Option(help="decode every video and count its frames")] = True,
) -> None:
    """Check schema, indices, stats and that every video has one frame per row."""
    from agentrt.datasets.verify import verify as run_verify

    try:
        faults = run_verify(root, check_videos=videos)
    except DatasetError as exc:
        _fail(exc)
    if faults:
        typer.echo(f"{len(faults)} fault(s) in {root}:")
        for fault in faults:
            typer.echo(f"  - {fault}")
        raise typer.Exit(EXIT_FAILED)
    meta = load_meta(root)
    typer.echo(f"ok: {len(meta.episodes)} episodes, {meta.total_frames} frames")


@app.command()
def merge(
    sources: Annotated[list[Path], typer.Argument(help="datasets to merge, in order")],
    out: Annotated[Path, typer.Option("--out", help="new dataset root (must not exist)")],
    file_size_mb: Annotated[float, typer.Option(help="target size of each packed file")] = 200.0,
) -> None:
    """Merge datasets into a new one: re-indexed, tasks unioned, many episodes per file."""
    from agentrt.datasets.merge import merge as run_merge

    try:
        meta = run_merge(sources, out, file_size_mb=file_size_mb)
    except DatasetError as exc:
        _fail(exc)
    typer.echo(
        f"wrote {out}: {len(meta.episodes)} episodes, {meta.total_frames} frames, {len(meta.tasks)} tasks"
    )


__all__ = ["app"]
