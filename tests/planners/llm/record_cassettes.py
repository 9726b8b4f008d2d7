"""Write the LLM planner's cassettes: authored stand-ins, or recordings from a real endpoint.

Two kinds of cassette live in ``tests/planners/llm/cassettes/`` and each says which it is:

- ``authored``: no capable model is reachable from the machines this project is built
  on, so the replies of a capable model are written here, in the exact OpenAI
  chat-completions wire format: the plan the symbolic planner finds (the stand-in for a
  model that plans well), the scripted mistakes, injections, 429s and timeouts of each
  case in ``tests/planners/llm/cases.py``. The requests stored beside them are the real
  requests agentrt sent.
- ``recorded``: the real exchanges with a real server (``--base-url``), e.g. the Gemma 3
  270M loopback server, or a hosted model if you have one.

Usage::

    python -m tests.planners.llm.record_cassettes           # re-author every authored cassette
    python -m tests.planners.llm.record_cassettes --group phrasings --model gpt-4o-mini   # record for real
        [--base-url http://127.0.0.1:8080/v1] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[3]

from agentrt.agent import make_skills  # noqa: E402
from agentrt.core.plan import Plan, PlanningError  # noqa: E402
from planners.llm.cassette import CassetteTransport  # noqa: E402
from planners.llm.planner import LLMPlanner  # noqa: E402
from planners.llm.proposer import LLMProposer  # noqa: E402
from planners.proposer import DiversityTracker  # noqa: E402
from planners.symbolic import SymbolicPlanner  # noqa: E402
from planners.vlm.describer import DescriptionError, VLMDescriber  # noqa: E402
from tests.planners.llm import cases  # noqa: E402

AUTHORED_URL = "http://authored.invalid/v1"
NOTE_AUTHORED = (
    "AUTHORED stand-in, not a model's output: replies written by tests/planners/llm/record_cassettes.py"
    " in the OpenAI chat-completions wire format (plans from the symbolic planner, or this case's scripted"
    " mistakes and failures); requests are the ones agentrt sent."
)


def draft_of(plan: Plan) -> dict[str, Any]:
    """A symbolic plan written as the draft a capable model would return."""
    return {
        "feasible": True,
        "reason": "",
        "goal": list(plan.goal),
        "steps": [{"skill": s.skill, "args": dict(s.args)} for s in plan.subgoals],
        "explanation": plan.explanation,
    }


def flawed(draft: dict[str, Any], kind: str) -> dict[str, Any]:
    """``draft`` with one mistake the checker must catch."""
    out = json.loads(json.dumps(draft))
    steps = out["steps"]
    index = {
        k: next((i for i, s in enumerate(steps) if s["skill"] == k), None) for k in ("navigate_to", "pick")
    }
    if kind == "drop_navigate" and index["navigate_to"] is not None:
        del steps[index["navigate_to"]]
    elif kind == "swap" and len(steps) >= 2:
        steps[0], steps[-1] = steps[-1], steps[0]
    elif kind == "unknown_skill" and index["pick"] is not None:
        steps[index["pick"]]["skill"] = "grasp"
    elif kind == "ungrounded" and index["pick"] is not None:
        steps[index["pick"]]["args"]["object"] = "mug_7"
    elif kind == "ungrounded":
        steps.insert(0, {"skill": "navigate_to", "args": {"place": "garage"}})
    else:
        steps.insert(0, {"skill": "grasp", "args": {"object": "mug_0"}})
    return out


def completion(draft_or_text: Any, tool: bool) -> dict[str, Any]:
    """An OpenAI ``chat.completion`` body carrying a draft (content or tool call) or raw text."""
    text = draft_or_text if isinstance(draft_or_text, str) else json.dumps(draft_or_text)
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    finish = "stop"
    if tool and not isinstance(draft_or_text, str):
        message["content"] = None
        message["tool_calls"] = [
            {"id": "call_0", "type": "function", "function": {"name": "submit_plan", "arguments": text}}
        ]
        finish = "tool_calls"
    return {
        "id": "chatcmpl-authored",
        "object": "chat.completion",
        "created": 0,
        "model": cases.AUTHORED_MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


class AuthoredServer(httpx.BaseTransport):
    """Answers each request with the next authored reply (a stand-in for a capable model)."""

    def __init__(self, replies: list[Any]) -> None:
        self.replies = list(replies)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.replies:
            raise RuntimeError("the planner asked more often than the case has replies")
        reply = self.replies.pop(0)
        if reply[0] == "error":
            raise (httpx.ReadTimeout if reply[1] == "timeout" else httpx.ConnectError)(
                reply[1], request=request
            )
        _, status, headers, body = reply
        if isinstance(body, str):
            return httpx.Response(status, headers=headers, text=body, request=request)
        return httpx.Response(status, headers=headers, json=body, request=request)


def resolve(case: Any, symbolic: SymbolicPlanner, specs: list) -> list[Any]:
    """The case's reply specs as concrete HTTP replies ``("http", status, headers, body)``."""
    scene = cases.scene_named(case.scene)
    tool = case.config.get("structured_output") == "function_calling"
    plans: list[Plan] = []
    out: list[Any] = []
    for spec in case.replies:
        if isinstance(spec, str) and spec.startswith("symbolic"):
            if plans and case is cases.REPLAN_CASE:
                fresh = cases.replan_scene()
                plan = symbolic.replan(plans[0], fresh, specs, cases.REPLAN_FAILURE)
            else:
                plan = symbolic.plan(spec.partition(":")[2] or case.instruction, scene, specs)
            plans.append(plan)
            out.append(("http", 200, {}, completion(draft_of(plan), tool)))
        elif isinstance(spec, dict):
            out.append(("http", 200, {}, completion(spec, tool)))
        elif spec[0] == "flaw":
            base = draft_of(symbolic.plan(case.instruction, scene, specs))
            out.append(("http", 200, {}, completion(flawed(base, spec[1]), tool)))
        elif spec[0] == "raw":
            out.append(("http", 200, {}, completion(spec[1], False)))
        elif spec[0] in ("http", "error"):
            out.append(spec)
        else:
            raise ValueError(f"{case.name}: unknown reply spec {spec!r}")
    return out


def run_case(case: Any, planner: Any, specs: list) -> str:
    """Plan (and replan, for the replan case), or describe; the outcome as a short string."""
    scene = cases.scene_named(case.scene)
    if isinstance(planner, LLMProposer):
        import numpy as np

        proposals = planner.propose(scene, DiversityTracker(), np.random.default_rng(0), k=20)
        return f"{len(proposals)} proposals kept, {len(planner.dropped)} dropped"
    if isinstance(planner, VLMDescriber):
        from agentrt.testing import FakeEnv

        try:
            seen = planner.describe(FakeEnv(scene))
        except DescriptionError as exc:
            return f"DescriptionError: {exc}"
        return f"{len(seen.objects)} objects grounded; not grounded: {planner.last_ungrounded}"
    try:
        plan = planner.plan(case.instruction, scene, specs)
        if case is cases.REPLAN_CASE:
            plan = planner.replan(plan, cases.replan_scene(), specs, cases.REPLAN_FAILURE)
        return f"valid plan of {len(plan.subgoals)} steps after {planner.last.repairs} repairs"
    except PlanningError as exc:
        return f"PlanningError: {exc.reason}"


def _make(case: Any, config: dict[str, Any], specs: list, **kwargs: Any) -> Any:
    """The part a case exercises: the planner, the VLM describer or the task proposer."""
    if case in cases.DESCRIBER_CASES:
        return VLMDescriber(config, **kwargs)
    if case in cases.PROPOSER_CASES:
        return LLMProposer(config, specs, **kwargs)
    return LLMPlanner(config, **kwargs)


def author(selected: list[Any], out: Path) -> None:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    specs = [s.spec() for s in make_skills().values()]
    symbolic = SymbolicPlanner()
    for case in selected:
        config = {"model": cases.AUTHORED_MODEL, "base_url": AUTHORED_URL, **case.config}
        path = out / case.group / f"{case.name}.json"
        meta = {"case": case.name, "instruction": case.instruction, "scene": case.scene, "config": config}
        transport = CassetteTransport(
            path,
            "record",
            upstream=AuthoredServer(resolve(case, symbolic, specs)),
            kind="authored",
            note=NOTE_AUTHORED,
            meta=meta,
        )
        model = ChatOpenAI(
            model=cases.AUTHORED_MODEL,
            base_url=AUTHORED_URL,
            api_key=SecretStr("none"),
            temperature=0.0,
            max_tokens=1024,
            seed=0,
            max_retries=0,
            http_client=httpx.Client(transport=transport),
        )
        planner = _make(case, config, specs, chat_model=model, sleep=lambda s: None)
        outcome = run_case(case, planner, specs)
        if transport.upstream.replies:  # type: ignore[union-attr]
            raise RuntimeError(f"{case.name}: {len(transport.upstream.replies)} replies were never asked for")
        transport.cassette.meta["outcome"] = outcome
        transport.cassette.save(path)
        print(f"authored {path.relative_to(ROOT)}: {outcome}")


def record(selected: list[Any], out: Path, model: str, base_url: str | None, method: str) -> None:
    specs = [s.spec() for s in make_skills().values()]
    for case in selected:
        path = out / case.group / f"{case.name}.json"
        config = {"model": model, "base_url": base_url, "structured_output": method, "cassette": str(path)}
        planner = _make(case, {**config, "cassette_mode": "record"}, specs)
        outcome = run_case(case, planner, specs)
        transport = planner.chat.model.http_client._transport
        transport.cassette.meta.update(
            case=case.name,
            instruction=case.instruction,
            scene=case.scene,
            outcome=outcome,
            config={k: v for k, v in config.items() if k != "cassette"},
        )
        transport.cassette.note = f"RECORDED from {model} at {base_url or 'the OpenAI API'}"
        transport.cassette.save(path)
        print(f"recorded {path}: {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--group",
        choices=["phrasings", "failures", "redteam", "contract", "describer", "proposer", "all"],
        default="all",
    )
    parser.add_argument("--model", help="record from this model (default: re-author the authored cassettes)")
    parser.add_argument("--base-url", help="OpenAI-compatible server to record from")
    parser.add_argument("--structured-output", default="json_schema")
    parser.add_argument("--out", type=Path, default=cases.CASSETTES)
    args = parser.parse_args()
    selected = [c for c in cases.ALL_CASES if args.group in ("all", c.group)]
    if args.model:
        record(selected, args.out, args.model, args.base_url, args.structured_output)
    else:
        author(selected, args.out)


if __name__ == "__main__":
    main()
