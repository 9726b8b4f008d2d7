"""The live display of a collection run (rich)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table

from agentrt.collect.loop import CollectStats
from agentrt.console import LiveTable


def stats_table(stats: CollectStats, target: int | None = None) -> Group:
    """Episodes, rate, success, faults, rejections by rule, and task diversity."""
    head = Table.grid(padding=(0, 2))
    done = f"{stats.committed}" + (f"/{target}" if target is not None else "")
    head.add_row("episodes", done, "resumed", str(stats.resumed), "elapsed", f"{stats.elapsed_s:,.0f} s")
    head.add_row(
        "episodes/hour",
        f"{stats.per_hour:,.0f}",
        "success",
        f"{stats.success_rate:.0%}",
        "no task",
        str(stats.no_task),
    )
    faults = ", ".join(f"{k} {v}" for k, v in sorted(stats.faults.items())) or "none"
    diversity = stats.tracker.summary()
    head.add_row(
        "worker faults",
        faults,
        "distinct tasks",
        str(diversity["distinct_tasks"]),
        "object kinds",
        str(diversity["object_categories"]),
    )
    rules = Table("rejected by rule", "proposals", box=None)
    for rule, count in stats.rejections.most_common():
        rules.add_row(rule, str(count))
    return Group(head, rules) if stats.rejections else Group(head)


class LiveProgress(LiveTable[CollectStats]):
    """A progress hook for :func:`agentrt.collect.loop.collect` that redraws the stats table."""

    def __init__(self, target: int | None, enabled: bool = True) -> None:
        super().__init__(lambda stats: stats_table(stats, target), enabled)
        self.target = target
