"""The live progress table shows counts, success so far with its interval, and per-group rows."""

from __future__ import annotations

from rich.console import Console

from evals.progress import stats_table
from evals.results import EpisodeResult
from evals.runner import EvalStats


def test_progress_table_shows_success_and_groups() -> None:
    results = [
        EpisodeResult(index=i, seed=i, suite="x-v0", tags={"k": 1 + i % 2}, success=i != 1, status="success")
        for i in range(3)
    ]
    stats = EvalStats(target=10, resumed=1, results=results)
    console = Console(record=True, width=120)
    console.print(stats_table(stats, "x-v0", ("k",)))
    text = console.export_text()
    assert "3/10" in text and "67% [21%, 94%]" in text  # Wilson 2/3
    assert "resumed" in text and "1" in text
    rows = [line.split() for line in text.splitlines() if line.strip().startswith(("1 ", "2 "))]
    assert rows == [["1", "2", "100%"], ["2", "1", "0%"]]
