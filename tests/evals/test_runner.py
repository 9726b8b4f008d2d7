"""The driver: results.json contents, resume without rerunning, identical reruns, foreign directories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.metrics import deterministic_view
from evals.results import EvalConfig
from evals.runner import EvalRequest, run_suite
from evals.store import ResultsDirError
from evals.testing import FAST_PLANNER


def _request(out: Path, episodes: int = 4, suite: str = "fake-chain3-v0", **config: object) -> EvalRequest:
    cfg = EvalConfig(suite=suite, planner_config=FAST_PLANNER, **config)
    return EvalRequest(config=cfg, episodes=episodes, out=out)


def test_results_json_holds_suite_config_code_version_episodes_and_aggregate(tmp_path: Path) -> None:
    payload = run_suite(_request(tmp_path / "a"))
    on_disk = json.loads((tmp_path / "a" / "results.json").read_text())
    assert on_disk == json.loads(json.dumps(payload))
    assert on_disk["suite"] == "fake-chain3-v0"
    assert on_disk["config"]["planner_config"] == FAST_PLANNER
    assert on_disk["code_version"] and "agentrt eval --suite fake-chain3-v0" in on_disk["rerun_command"]
    assert [e["seed"] for e in on_disk["episodes"]] == [0, 1, 2, 3]
    agg = on_disk["aggregate"]
    assert agg["episodes"] == 4 and agg["successes"] == 3  # seed 2 fails by definition
    assert agg["success_rate"] == 0.75 and len(agg["success_ci95"]) == 2
    assert agg["avg_chain_length"] == pytest.approx(9 / 4)
    for name in ("summary.md", "report.html", "chain_length.png", "skills.png"):
        assert (tmp_path / "a" / name).stat().st_size > 0


def test_tidy_reports_success_by_k(tmp_path: Path) -> None:
    payload = run_suite(_request(tmp_path, episodes=6, suite="fake-tidy-v0"))
    by_k = payload["aggregate"]["by_k"]
    assert list(by_k) == ["1", "2", "3"] and all(g["episodes"] == 2 for g in by_k.values())
    assert by_k["1"]["successes"] == 1  # seed 3 (k = 1) fails every place
    assert (tmp_path / "success_by_k.png").exists()


def test_resume_reads_finished_episodes_back_and_runs_only_the_rest(tmp_path: Path) -> None:
    first = run_suite(_request(tmp_path, episodes=3))
    (tmp_path / "episodes" / "seed-000001.json").unlink()  # as if the run stopped before it finished
    again = run_suite(_request(tmp_path, episodes=5))
    assert (again["run"]["episodes_resumed"], again["run"]["episodes_run"]) == (2, 3)
    assert again["episodes"][:3] == [
        {**e, "wall_time_s": again["episodes"][i]["wall_time_s"]} for i, e in enumerate(first["episodes"])
    ]
    assert len(again["episodes"]) == 5


def test_a_rerun_into_a_new_directory_gives_identical_numbers(tmp_path: Path) -> None:
    a, b = run_suite(_request(tmp_path / "a")), run_suite(_request(tmp_path / "b"))
    assert deterministic_view(a["aggregate"]) == deterministic_view(b["aggregate"])
    strip = [{k: v for k, v in e.items() if k != "wall_time_s"} for e in a["episodes"]]
    assert strip == [{k: v for k, v in e.items() if k != "wall_time_s"} for e in b["episodes"]]


def test_a_directory_of_another_configuration_or_foreign_files_is_refused(tmp_path: Path) -> None:
    run_suite(_request(tmp_path / "a", episodes=1))
    with pytest.raises(ResultsDirError, match="max_replans"):
        run_suite(_request(tmp_path / "a", episodes=1, max_replans=0))
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("mine")
    with pytest.raises(ResultsDirError, match="not empty"):
        run_suite(_request(tmp_path / "junk", episodes=1))


def test_video_setting_does_not_block_resume(tmp_path: Path) -> None:
    run_suite(_request(tmp_path, episodes=1, video=False))
    again = run_suite(_request(tmp_path, episodes=1, video=True))
    assert again["run"]["episodes_resumed"] == 1
