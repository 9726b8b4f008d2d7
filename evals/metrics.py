"""Metrics over episode results: success with Wilson intervals, chain lengths, per-layer counts.

:func:`aggregate` returns plain JSON-ready dicts (the ``aggregate`` of ``results.json``).
Every number in it is a deterministic function of the episode results, except the keys
listed in :data:`WALL_KEYS`, which measure the machine rather than the agent.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from evals.results import EpisodeResult

Z95 = 1.959963984540054
"""Standard normal quantile for a two-sided 95% interval."""
WALL_KEYS = ("wall_time_s_mean", "wall_time_s_total")
"""Keys of ``aggregate["time"]`` that depend on the machine, not on the agent."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Args:
        successes: number of successes, ``0 <= successes <= n``.
        n: number of trials; ``n == 0`` gives ``(0.0, 1.0)`` (nothing is known).
        z: normal quantile (1.96 for 95%).

    Returns:
        ``(low, high)`` bounds of the success probability, within [0, 1].
    """
    if not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the ends, no rounding residue
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


def mean_interval(values: Sequence[float], z: float = Z95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean with a normal-approximation 95% interval (sample std)."""
    n = len(values)
    if n == 0:
        return (0.0, 0.0, 0.0)
    m = sum(values) / n
    if n == 1:
        return (m, m, m)
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
    half = z * sd / math.sqrt(n)
    return (m, m - half, m + half)


def rate(successes: int, n: int) -> dict[str, Any]:
    """``{episodes, successes, success_rate, success_ci95}`` for one group."""
    lo, hi = wilson_interval(successes, n)
    return {
        "episodes": n,
        "successes": successes,
        "success_rate": successes / n if n else 0.0,
        "success_ci95": [lo, hi],
    }


def aggregate(
    results: Sequence[EpisodeResult], *, chain_length: int | None = None, group_by: Sequence[str] = ()
) -> dict[str, Any]:
    """Everything ``results.json`` reports about a set of episodes.

    Args:
        results: one result per episode (errors count as failures and are also counted apart).
        chain_length: tasks per chain for CALVIN-style suites (adds ``avg_chain_length``,
            ``success_at_length`` and ``chain_length_histogram``); ``None`` otherwise.
        group_by: episode tags to report success for per value, e.g. ``("k",)``.
    """
    out: dict[str, Any] = rate(sum(r.success for r in results), len(results))
    out["errors"] = sum(r.status == "error" for r in results)
    for tag in group_by:
        out[f"by_{tag}"] = _by_tag(results, tag)
    if chain_length is not None:
        out.update(chain_metrics([r.chain_length for r in results], chain_length))
    out["subgoals"] = _subgoals(results)
    out["skills"] = _skills(results)
    out["planning"] = _planning(results)
    out["constitution"] = _constitution(results)
    out["time"] = _time(results)
    if any(r.metrics for r in results):
        out["metrics"] = _suite_metrics(results)
    return out


def chain_metrics(lengths: Sequence[int], chain_length: int) -> dict[str, Any]:
    """CALVIN's numbers from per-episode consecutive-success counts (each in 0..chain_length)."""
    n = len(lengths)
    mean, lo, hi = mean_interval([float(x) for x in lengths])
    counts = Counter(lengths)
    return {
        "avg_chain_length": mean,
        "avg_chain_length_ci95": [lo, hi],
        "success_at_length": {
            str(i): (sum(x >= i for x in lengths) / n if n else 0.0) for i in range(1, chain_length + 1)
        },
        "chain_length_histogram": {str(i): counts.get(i, 0) for i in range(chain_length + 1)},
    }


def _by_tag(results: Sequence[EpisodeResult], tag: str) -> dict[str, Any]:
    groups: dict[str, list[EpisodeResult]] = defaultdict(list)
    for r in results:
        if tag in r.tags:
            groups[str(r.tags[tag])].append(r)
    return {
        value: rate(sum(r.success for r in group), len(group))
        for value, group in sorted(groups.items(), key=lambda kv: _sort_key(kv[0]))
    }


def _sort_key(value: str) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)


def _all_subgoals(results: Sequence[EpisodeResult]):  # noqa: ANN202 - generator of SubgoalOutcome
    for r in results:
        for stage in r.stages:
            yield from stage.subgoals


def _subgoals(results: Sequence[EpisodeResult]) -> dict[str, Any]:
    subs = list(_all_subgoals(results))
    ok = sum(s.ok for s in subs)
    return {
        "attempted": len(subs),
        "succeeded": ok,
        "success_rate": ok / len(subs) if subs else 0.0,
        "disturbing": sum(bool(s.disturbed) for s in subs),
    }


def _skills(results: Sequence[EpisodeResult]) -> dict[str, Any]:
    by_skill: dict[str, list] = defaultdict(list)
    for s in _all_subgoals(results):
        by_skill[s.skill].append(s)
    out = {}
    for name, subs in sorted(by_skill.items()):
        ok = sum(s.ok for s in subs)
        out[name] = {
            **{k: v for k, v in rate(ok, len(subs)).items() if k != "episodes"},
            "attempts": len(subs),
            "outcomes": dict(sorted(Counter(s.status for s in subs).items())),
            "steps_mean": sum(s.steps for s in subs) / len(subs),
            "disturbed_objects": sum(len(s.disturbed) for s in subs),
        }
    return out


def _planning(results: Sequence[EpisodeResult]) -> dict[str, Any]:
    stages = [s for r in results for s in r.stages]
    calls = sum(s.plan_calls for s in stages)
    invalid = sum(s.invalid_plans for s in stages)
    n = len(results)
    return {
        "instructions": len(stages),
        "plan_calls": calls,
        "invalid_plans": invalid,
        "plan_validity": (calls - invalid) / calls if calls else 1.0,
        "planning_errors": sum(s.planning_errors for s in stages),
        "plan_repairs": sum(s.plan_repairs for s in stages),
        "rejected_instructions": sum(s.status == "rejected" for s in stages),
        "replans": sum(s.replans for s in stages),
        "replans_per_episode": sum(s.replans for s in stages) / n if n else 0.0,
        "stage_outcomes": dict(sorted(Counter(s.status for s in stages).items())),
    }


def _constitution(results: Sequence[EpisodeResult]) -> dict[str, Any]:
    rules = Counter(s.constitution_rule for r in results for s in r.stages if s.status == "constitution")
    return {"rejections": sum(rules.values()), "by_rule": dict(sorted(rules.items()))}


def _time(results: Sequence[EpisodeResult]) -> dict[str, Any]:
    n = len(results) or 1
    steps = sum(r.steps for r in results)
    sim = sum(r.sim_time_s for r in results)
    wall = sum(r.wall_time_s for r in results)
    return {
        "steps_total": steps,
        "steps_mean": steps / n,
        "sim_time_s_total": sim,
        "sim_time_s_mean": sim / n,
        "wall_time_s_total": wall,
        "wall_time_s_mean": wall / n,
    }


def _suite_metrics(results: Sequence[EpisodeResult]) -> dict[str, Any]:
    keys = sorted({k for r in results for k in r.metrics})
    out = {}
    for key in keys:
        values = [r.metrics[key] for r in results if key in r.metrics]
        mean, lo, hi = mean_interval(values)
        out[key] = {"mean": mean, "ci95": [lo, hi], "episodes": len(values)}
    return out


def deterministic_view(aggregate_: dict[str, Any]) -> dict[str, Any]:
    """``aggregate_`` without the machine-dependent keys (for rerun comparisons)."""
    view = {k: v for k, v in aggregate_.items() if k != "time"}
    view["time"] = {k: v for k, v in aggregate_.get("time", {}).items() if k not in WALL_KEYS}
    return view
