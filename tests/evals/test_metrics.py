"""Known-answer maths: Wilson intervals, CALVIN chain metrics, and aggregation of hand-built results."""

from __future__ import annotations

import pytest

from evals.metrics import aggregate, chain_metrics, deterministic_view, mean_interval, wilson_interval
from evals.results import EpisodeResult, StageResult, SubgoalOutcome


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # worked by hand: p = 0.8, z^2 = 3.8415, centre 0.71673, half-width 0.22657
        (8, 10, 0.49016, 0.94332),
        (0, 10, 0.0, 0.27753),  # z^2 / (n + z^2)
        (10, 10, 0.72247, 1.0),
        (45, 50, 0.78640, 0.95652),
        (1, 1, 0.20655, 1.0),
        (0, 0, 0.0, 1.0),  # nothing known
    ],
)
def test_wilson_interval_known_answers(successes: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(successes, n)
    assert lo == pytest.approx(low, abs=1e-5)
    assert hi == pytest.approx(high, abs=1e-5)


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_mean_interval_known_answer() -> None:
    # values 1, 2, 3: mean 2, sample sd 1, half-width 1.95996 / sqrt(3) = 1.13159
    mean, lo, hi = mean_interval([1.0, 2.0, 3.0])
    assert (mean, lo, hi) == pytest.approx((2.0, 0.86841, 3.13159), abs=1e-5)


def test_chain_metrics_calvin_definitions() -> None:
    out = chain_metrics([0, 2, 5, 5], chain_length=5)
    assert out["avg_chain_length"] == pytest.approx(3.0)
    assert out["success_at_length"] == {"1": 0.75, "2": 0.75, "3": 0.5, "4": 0.5, "5": 0.5}
    assert out["chain_length_histogram"] == {"0": 1, "1": 0, "2": 1, "3": 0, "4": 0, "5": 2}


def _episode(
    seed: int, k: int, outcomes: list[tuple[str, str]], success: bool, replans: int = 0
) -> EpisodeResult:
    subgoals = [SubgoalOutcome(skill=skill, status=status, steps=10) for skill, status in outcomes]
    stage = StageResult(
        instruction="tidy the kitchen",
        goal=["in(a, b)"],
        success=success,
        status="success" if success else "goal_not_reached",
        steps=10 * len(subgoals),
        replans=replans,
        plan_calls=1 + replans,
        invalid_plans=1 if replans else 0,
        subgoals=subgoals,
    )
    return EpisodeResult(
        index=seed,
        seed=seed,
        suite="x-v0",
        tags={"k": k},
        status="success" if success else "failure",
        success=success,
        chain_length=int(success),
        stages=[stage],
        steps=stage.steps,
        sim_time_s=stage.steps / 10,
        wall_time_s=1.5,
    )


def test_aggregate_counts_groups_skills_and_planning() -> None:
    results = [
        _episode(0, 1, [("pick", "success"), ("place", "success")], True),
        _episode(1, 2, [("pick", "failure"), ("pick", "success"), ("place", "success")], True, replans=1),
        _episode(2, 2, [("pick", "step_cap")], False),
        EpisodeResult(index=3, seed=3, suite="x-v0", tags={"k": 1}, status="error", error="worker died"),
    ]
    agg = aggregate(results, group_by=("k",))
    assert (agg["episodes"], agg["successes"], agg["errors"]) == (4, 2, 1)
    assert agg["success_rate"] == 0.5
    assert agg["by_k"]["1"]["episodes"] == 2 and agg["by_k"]["1"]["successes"] == 1
    assert agg["by_k"]["2"]["success_rate"] == 0.5
    assert agg["skills"]["pick"]["attempts"] == 4 and agg["skills"]["pick"]["successes"] == 2
    assert agg["skills"]["pick"]["outcomes"] == {"failure": 1, "step_cap": 1, "success": 2}
    assert agg["skills"]["place"]["success_rate"] == 1.0
    assert agg["subgoals"] == {
        "attempted": 6,
        "succeeded": 4,
        "success_rate": pytest.approx(4 / 6),
        "disturbing": 0,
    }
    planning = agg["planning"]
    assert (planning["plan_calls"], planning["invalid_plans"], planning["replans"]) == (4, 1, 1)
    assert planning["plan_validity"] == 0.75
    assert agg["time"]["steps_total"] == 60 and agg["time"]["sim_time_s_mean"] == pytest.approx(1.5)
    assert "avg_chain_length" not in agg


def test_suite_metrics_are_averaged_and_wall_time_is_excluded_from_the_deterministic_view() -> None:
    a, b = _episode(0, 1, [], True), _episode(1, 1, [], True)
    a.metrics, b.metrics = {"falls": 0.0}, {"falls": 2.0}
    agg = aggregate([a, b])
    assert agg["metrics"]["falls"]["mean"] == 1.0
    b.wall_time_s = 99.0
    assert deterministic_view(aggregate([a, b])) == deterministic_view(agg)
    assert aggregate([a, b])["time"]["wall_time_s_mean"] != agg["time"]["wall_time_s_mean"]
