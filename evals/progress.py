"""The live display of an evaluation run (rich): episodes done, success so far, by group, rate."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console, Group
from rich.table import Table

from agentrt.console import LiveTable
from evals.metrics import wilson_interval
from evals.runner import EvalStats


def stats_table(stats: EvalStats, suite: str, group_by: tuple[str, ...] = ()) -> Group:
    """Headline progress and, per group tag, success so far."""
    head = Table.grid(padding=(0, 2))
    lo, hi = wilson_interval(stats.successes, stats.done)
    rate = f"{stats.successes / stats.done:.0%} [{lo:.0%}, {hi:.0%}]" if stats.done else "-"
    remaining = stats.target - stats.done
    eta = f"{3600 * remaining / stats.per_hour:,.0f} s" if stats.per_hour and remaining else "-"
    head.add_row("suite", suite, "episodes", f"{stats.done}/{stats.target}", "resumed", str(stats.resumed))
    head.add_row("success", rate, "episodes/hour", f"{stats.per_hour:,.0f}", "eta", eta)
    head.add_row("worker errors", str(stats.errors), "elapsed", f"{stats.elapsed_s:,.0f} s", "", "")
    parts: list = [head]
    for tag in group_by:
        groups: dict[str, list[bool]] = defaultdict(list)
        for r in stats.results:
            if tag in r.tags:
                groups[str(r.tags[tag])].append(r.success)
        if groups:
            table = Table(tag, "done", "success", box=None)
            for value in sorted(groups, key=lambda v: (len(v), v)):
                outcomes = groups[value]
                table.add_row(value, str(len(outcomes)), f"{sum(outcomes) / len(outcomes):.0%}")
            parts.append(table)
    return Group(*parts)


class LiveProgress(LiveTable[EvalStats]):
    """An ``on_progress`` hook for :func:`evals.runner.run_suite` that redraws the stats table."""

    def __init__(
        self, suite: str, group_by: tuple[str, ...] = (), enabled: bool = True, console: Console | None = None
    ) -> None:
        super().__init__(lambda stats: stats_table(stats, suite, group_by), enabled, console)
        self.suite = suite
        self.group_by = group_by
