"""Side-by-side comparison of evaluation results directories (``agentrt eval compare``).

:func:`compare` reads each directory's ``results.json`` and returns rows of metrics, one
value per run; numbers stay numbers in the JSON, and :func:`rich_table` formats them.
With two runs over shared seeds it also counts the episodes only one of them solved.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.table import Table

from evals.store import load_results

Getter = Callable[[dict[str, Any]], Any]


def _agg(*keys: str) -> Getter:
    def get(run: dict[str, Any]) -> Any:
        value: Any = run["aggregate"]
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    return get


def _rows(runs: list[dict[str, Any]]) -> list[tuple[str, str, Getter]]:
    """``(metric, kind, getter)`` for every metric any of the runs has; kind is rate, ci, num, int or text."""
    rows: list[tuple[str, str, Getter]] = [
        ("suite", "text", lambda r: r["suite"]),
        ("planner", "text", lambda r: r["config"]["planner"]),
        ("describer", "text", lambda r: r["config"]["describer"]),
        ("skills", "text", lambda r: r["config"]["skills"]),
        ("code version", "text", lambda r: r["code_version"]),
        ("episodes", "int", _agg("episodes")),
        ("success rate", "rate", _agg("success_rate")),
        ("success 95% CI", "ci", _agg("success_ci95")),
    ]
    for tag in sorted({t for r in runs for t in r["suite_info"].get("group_by", [])}):
        values = sorted({v for r in runs for v in r["aggregate"].get(f"by_{tag}", {})}, key=_num)
        rows += [(f"success {tag}={v}", "rate", _agg(f"by_{tag}", v, "success_rate")) for v in values]
    if any("avg_chain_length" in r["aggregate"] for r in runs):
        rows.append(("avg chain length", "num", _agg("avg_chain_length")))
        lengths = sorted({i for r in runs for i in r["aggregate"].get("success_at_length", {})}, key=_num)
        rows += [(f"success at length {i}", "rate", _agg("success_at_length", i)) for i in lengths]
    rows.append(("subgoal success", "rate", _agg("subgoals", "success_rate")))
    rows.append(("subgoals disturbing other objects", "int", _agg("subgoals", "disturbing")))
    for skill in sorted({s for r in runs for s in r["aggregate"].get("skills", {})}):
        rows.append((f"skill {skill}", "rate", _agg("skills", skill, "success_rate")))
    rows += [
        ("plan validity", "rate", _agg("planning", "plan_validity")),
        ("plan repairs", "int", _agg("planning", "plan_repairs")),
        ("replans / episode", "num", _agg("planning", "replans_per_episode")),
        ("planning errors", "int", _agg("planning", "planning_errors")),
        ("constitution rejections", "int", _agg("constitution", "rejections")),
        ("worker errors", "int", _agg("errors")),
        ("steps / episode", "num", _agg("time", "steps_mean")),
        ("sim s / episode", "num", _agg("time", "sim_time_s_mean")),
        ("wall s / episode", "num", _agg("time", "wall_time_s_mean")),
    ]
    for key in sorted({k for r in runs for k in r["aggregate"].get("metrics", {})}):
        rows.append((key, "num", _agg("metrics", key, "mean")))
    return rows


def _num(value: str) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)


def compare(dirs: list[Path]) -> dict[str, Any]:
    """Compare the results in ``dirs`` (at least one).

    Raises:
        evals.store.ResultsDirError: a directory without a readable ``results.json``.
    """
    runs = [load_results(d) for d in dirs]
    labels = _labels(dirs)
    rows = [
        {"metric": name, "kind": kind, "values": [get(r) for r in runs]} for name, kind, get in _rows(runs)
    ]
    out: dict[str, Any] = {
        "runs": [
            {
                "label": label,
                "dir": str(d),
                "suite": r["suite"],
                "config": r["config"],
                "seeds": r["seeds"],
                "code_version": r["code_version"],
            }
            for label, d, r in zip(labels, dirs, runs, strict=True)
        ],
        "same_suite": len({r["suite"] for r in runs}) == 1,
        "rows": rows,
    }
    if len(runs) == 2:
        out["paired"] = paired(runs[0], runs[1])
    return out


def paired(a: dict[str, Any], b: dict[str, Any]) -> dict[str, int]:
    """Over the seeds both runs evaluated: episodes both, only A, only B, neither solved."""
    sa = {e["seed"]: e["success"] for e in a["episodes"]}
    sb = {e["seed"]: e["success"] for e in b["episodes"]}
    shared = sorted(set(sa) & set(sb))
    return {
        "shared_seeds": len(shared),
        "both": sum(sa[s] and sb[s] for s in shared),
        "only_a": sum(sa[s] and not sb[s] for s in shared),
        "only_b": sum(sb[s] and not sa[s] for s in shared),
        "neither": sum(not sa[s] and not sb[s] for s in shared),
    }


def _labels(dirs: list[Path]) -> list[str]:
    names = [Path(d).name or str(d) for d in dirs]
    if len(set(names)) == len(names):
        return names
    return [str(d) for d in dirs]


def fmt(kind: str, value: Any) -> str:
    """Format one cell."""
    if value is None:
        return "-"
    if kind == "rate":
        return f"{100 * value:.1f}%"
    if kind == "ci":
        return f"{100 * value[0]:.1f}–{100 * value[1]:.1f}%"
    if kind == "num":
        return f"{value:.2f}"
    return str(value)


def rich_table(comparison: dict[str, Any]) -> Table:
    """The comparison as a rich table; with two runs a Δ column shows B − A for numbers."""
    labels = [r["label"] for r in comparison["runs"]]
    delta = len(labels) == 2
    table = Table("metric", *labels, *(["Δ (B − A)"] if delta else []), title="agentrt eval compare")
    for column in table.columns[1:]:
        column.justify = "right"
    for row in comparison["rows"]:
        cells = [fmt(row["kind"], v) for v in row["values"]]
        if delta:
            a, b = row["values"]
            numeric = row["kind"] in ("rate", "num", "int") and a is not None and b is not None
            cells.append(_delta(row["kind"], b - a) if numeric else "")
        table.add_row(row["metric"], *cells)
    return table


def _delta(kind: str, d: float) -> str:
    if kind == "rate":
        return f"{100 * d:+.1f} pts"
    if kind == "int":
        return f"{int(d):+d}"
    return f"{d:+.2f}"


def markdown(comparison: dict[str, Any]) -> str:
    """The comparison as a Markdown table."""
    labels = [r["label"] for r in comparison["runs"]]
    lines = ["| metric | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
    for row in comparison["rows"]:
        lines.append(f"| {row['metric']} | " + " | ".join(fmt(row["kind"], v) for v in row["values"]) + " |")
    if "paired" in comparison:
        p = comparison["paired"]
        lines += [
            "",
            f"Over {p['shared_seeds']} shared seeds: both solved {p['both']}, only {labels[0]} {p['only_a']},"
            f" only {labels[1]} {p['only_b']}, neither {p['neither']}.",
        ]
    return "\n".join(lines) + "\n"
