"""PNG plots of an evaluation (matplotlib, Agg backend: no display needed).

Each function takes the ``aggregate`` of ``results.json`` and a path, draws one figure and
returns the path, or ``None`` when the aggregate has nothing for that plot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

BLUE, GREEN, RED, GREY = "#3b6ea5", "#3a9d5d", "#c0504d", "#8c8c8c"
DPI = 110


def success_by_tag(aggregate: dict[str, Any], tag: str, path: Path) -> Path | None:
    """Success rate per value of ``tag`` (e.g. k misplaced objects) with Wilson 95% bars."""
    groups = aggregate.get(f"by_{tag}")
    if not groups:
        return None
    values = list(groups)
    rates = [groups[v]["success_rate"] for v in values]
    lo, hi = _bars(rates, [groups[v]["success_ci95"] for v in values])
    fig, ax = plt.subplots(figsize=(4.8, 3.3))
    ax.bar(values, rates, color=BLUE, yerr=[lo, hi], capsize=5, ecolor="#333333")
    for i, v in enumerate(values):
        ax.text(i, 0.03, f"n={groups[v]['episodes']}", ha="center", color="white", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(tag)
    ax.set_ylabel("success rate")
    ax.set_title(f"Success by {tag} (95% Wilson interval)", fontsize=10)
    return _save(fig, path)


def chain_lengths(aggregate: dict[str, Any], path: Path) -> Path | None:
    """Histogram of completed chain lengths beside success at chain length 1..N."""
    hist = aggregate.get("chain_length_histogram")
    if hist is None:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.4))
    left.bar(list(hist), list(hist.values()), color=GREY)
    left.set_xlabel("instructions completed in a row")
    left.set_ylabel("episodes")
    left.set_title(f"Chain length (mean {aggregate['avg_chain_length']:.2f})", fontsize=10)
    at = aggregate["success_at_length"]
    right.plot(list(at), list(at.values()), marker="o", color=BLUE)
    right.set_ylim(0, 1.05)
    right.set_xlabel("chain length i")
    right.set_ylabel("success rate")
    right.set_title("Success at chain length i", fontsize=10)
    return _save(fig, path)


def skill_success(aggregate: dict[str, Any], path: Path) -> Path | None:
    """Per-skill success rate (horizontal bars with Wilson bars, attempts annotated)."""
    skills = aggregate.get("skills")
    if not skills:
        return None
    names = list(skills)
    rates = [skills[n]["success_rate"] for n in names]
    lo, hi = _bars(rates, [skills[n]["success_ci95"] for n in names])
    fig, ax = plt.subplots(figsize=(4.8, 0.9 + 0.5 * len(names)))
    colours = [GREEN if r >= 0.9 else BLUE if r >= 0.5 else RED for r in rates]
    ax.barh(names, rates, color=colours, xerr=[lo, hi], capsize=4, ecolor="#333333")
    for i, n in enumerate(names):
        ax.text(
            0.02,
            i,
            f"{skills[n]['successes']}/{skills[n]['attempts']}",
            va="center",
            color="white",
            fontsize=8,
        )
    ax.set_xlim(0, 1.05)
    ax.invert_yaxis()
    ax.set_xlabel("success rate (result ok and effects observed)")
    ax.set_title("Per-skill success", fontsize=10)
    return _save(fig, path)


def _bars(rates: list[float], intervals: list[list[float]]) -> tuple[list[float], list[float]]:
    """Error-bar lengths below and above each rate, never negative (intervals from older
    results may sit a rounding error inside the rate)."""
    below = [max(0.0, r - lo) for r, (lo, _) in zip(rates, intervals, strict=True)]
    above = [max(0.0, hi - r) for r, (_, hi) in zip(rates, intervals, strict=True)]
    return below, above


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
