"""Reports of one evaluation: ``results.json``, ``summary.md``, PNG plots and ``report.html``.

All are rebuilt from the ``results.json`` payload (see :func:`evals.runner.build_payload`),
so ``agentrt eval report DIR`` can redraw them after the fact.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import jinja2

from evals import plots
from evals.report_template import TEMPLATE
from evals.store import RESULTS_FILE, write_json

SUMMARY_FILE = "summary.md"
HTML_FILE = "report.html"


def write_reports(out: Path, payload: dict[str, Any]) -> dict[str, Path]:
    """Write every report file into ``out``; returns their paths by kind."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / RESULTS_FILE, payload)
    images = draw_plots(out, payload)
    (out / SUMMARY_FILE).write_text(summary_markdown(payload, images))
    (out / HTML_FILE).write_text(render_html(payload, images))
    return {"results": out / RESULTS_FILE, "summary": out / SUMMARY_FILE, "html": out / HTML_FILE, **images}


def draw_plots(out: Path, payload: dict[str, Any]) -> dict[str, Path]:
    """The PNGs that apply to this suite, by name."""
    agg = payload["aggregate"]
    drawn: dict[str, Path | None] = {}
    for tag in payload["suite_info"]["group_by"]:
        drawn[f"success_by_{tag}"] = plots.success_by_tag(agg, tag, out / f"success_by_{tag}.png")
    drawn["chain_length"] = plots.chain_lengths(agg, out / "chain_length.png")
    drawn["skills"] = plots.skill_success(agg, out / "skills.png")
    return {name: path for name, path in drawn.items() if path is not None}


def pct(x: float) -> str:
    """``0.9234`` -> ``"92.3%"``."""
    return f"{100 * x:.1f}%"


def why_not(episode: dict[str, Any]) -> str:
    """One line saying why an episode failed (empty for a success)."""
    if episode["status"] == "error":
        return episode.get("error") or "worker error"
    for stage in episode["stages"]:
        if not stage["success"]:
            failed = [s for s in stage["subgoals"] if s["status"] != "success"]
            last = f" (last failing subgoal: {failed[-1]['skill']} {failed[-1]['status']})" if failed else ""
            return f"{stage['status']}: {stage.get('reason') or ''}{last}"
    return ""


def render_html(payload: dict[str, Any], images: dict[str, Path]) -> str:
    """The self-contained HTML page (plots embedded as base64 PNG)."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals.update(pct=pct, why=why_not)
    template = env.from_string(TEMPLATE)
    embedded = [
        {"alt": name.replace("_", " "), "data": base64.b64encode(path.read_bytes()).decode("ascii")}
        for name, path in images.items()
    ]
    tags = sorted({t for e in payload["episodes"] for t in e["tags"]})
    return template.render(
        suite=payload["suite"],
        info=payload["suite_info"],
        seeds=payload["seeds"],
        agg=payload["aggregate"],
        config=payload["config"],
        code_version=payload["code_version"],
        code_versions=payload["code_versions"],
        command=payload["command"],
        rerun_command=payload["rerun_command"],
        run=payload["run"],
        episodes=payload["episodes"],
        tags=tags,
        plots=embedded,
    )


def summary_markdown(payload: dict[str, Any], images: dict[str, Path]) -> str:
    """A short Markdown summary: headline numbers, groups, skills, planning, failures."""
    agg, info = payload["aggregate"], payload["suite_info"]
    lo, hi = agg["success_ci95"]
    lines = [
        f"# {payload['suite']}",
        "",
        info["description"],
        "",
        f"- success: **{pct(agg['success_rate'])}** ({agg['successes']}/{agg['episodes']};"
        f" 95% CI {pct(lo)}–{pct(hi)})",
    ]
    if "avg_chain_length" in agg:
        a_lo, a_hi = agg["avg_chain_length_ci95"]
        lines.append(
            f"- average chain length: **{agg['avg_chain_length']:.2f}** of {info['chain_length']}"
            f" (95% CI {a_lo:.2f}–{a_hi:.2f})"
        )
    planning, time_ = agg["planning"], agg["time"]
    lines += [
        f"- subgoals: {agg['subgoals']['succeeded']}/{agg['subgoals']['attempted']} succeeded;"
        f" replans per episode {planning['replans_per_episode']:.2f};"
        f" plan validity {pct(planning['plan_validity'])}",
        f"- per episode: {time_['steps_mean']:.0f} steps, {time_['sim_time_s_mean']:.1f} s simulated,"
        f" {time_['wall_time_s_mean']:.1f} s wall",
        f"- worker errors: {agg['errors']}",
        f"- code version `{payload['code_version']}`; rerun: `{payload['rerun_command']}`",
        "",
    ]
    for tag in info["group_by"]:
        lines += [
            f"## Success by {tag}",
            "",
            f"| {tag} | episodes | success | 95% CI |",
            "|---|---:|---:|---|",
        ]
        for value, g in agg[f"by_{tag}"].items():
            lines.append(
                f"| {value} | {g['episodes']} | {pct(g['success_rate'])} |"
                f" {pct(g['success_ci95'][0])}–{pct(g['success_ci95'][1])} |"
            )
        lines.append("")
    if "success_at_length" in agg:
        lines += [
            "## Success at chain length",
            "",
            "| i | success | episodes ending at i |",
            "|---|---:|---:|",
        ]
        for i, r in agg["success_at_length"].items():
            lines.append(f"| {i} | {pct(r)} | {agg['chain_length_histogram'][i]} |")
        lines.append("")
    lines += ["## Skills", "", "| skill | attempts | success | outcomes |", "|---|---:|---:|---|"]
    for name, s in agg["skills"].items():
        outcomes = ", ".join(f"{k} {v}" for k, v in s["outcomes"].items())
        lines.append(f"| {name} | {s['attempts']} | {pct(s['success_rate'])} | {outcomes} |")
    failures = [e for e in payload["episodes"] if not e["success"]]
    lines += ["", f"## Failures ({len(failures)})", ""]
    lines += [f"- seed {e['seed']} {e['tags']}: {why_not(e)}" for e in failures] or ["none"]
    if images:
        lines += ["", "## Plots", ""] + [f"![{name}]({path.name})" for name, path in images.items()]
    return "\n".join(lines) + "\n"
