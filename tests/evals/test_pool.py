"""Ray-parallel evaluation: two actors, a worker process that dies mid-episode, and a resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.results import EvalConfig
from evals.runner import EvalRequest, run_suite
from evals.testing import FAST_PLANNER


def test_ray_workers_survive_a_crashed_worker_and_resume_reruns_its_episode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTRT_FAKE_CRASH", "1")  # the actors inherit it: seed 1 kills its process
    config = EvalConfig(suite="fake-crash-v0", planner_config=FAST_PLANNER)
    request = EvalRequest(config=config, episodes=4, workers=2, out=tmp_path)
    payload = run_suite(request)
    by_seed = {e["seed"]: e for e in payload["episodes"]}
    assert by_seed[1]["status"] == "error" and "worker failed" in by_seed[1]["error"]
    assert [by_seed[s]["status"] for s in (0, 2)] == ["success", "success"]
    assert by_seed[3]["status"] == "failure"  # seed 3 fails every place, by the suite's definition
    assert payload["aggregate"]["errors"] == 1 and payload["run"]["workers"] == 2

    monkeypatch.delenv("AGENTRT_FAKE_CRASH")
    again = run_suite(request.model_copy(update={"workers": 1}))
    assert (again["run"]["episodes_resumed"], again["run"]["episodes_run"]) == (3, 1)
    assert again["episodes"][1]["status"] == "success" and again["aggregate"]["errors"] == 0


def test_ray_workers_hash_strings_with_a_fixed_seed(tmp_path: Path) -> None:
    """Set iteration order (and so the symbolic planner's tie-breaks) must not vary between workers."""
    from evals.pool import RayPool
    from evals.testing import FakeTidy

    pool = RayPool(
        FakeTidy(), EvalConfig(suite="fake-tidy-v0", planner_config=FAST_PLANNER), tmp_path, 1, 60.0
    )
    try:
        assert pool.ray.get(pool.actors[0].hash_randomization.remote()) == 0
    finally:
        pool.close()
