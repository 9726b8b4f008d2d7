"""Controller metrics on the open-loop trot: tracking report fields, pushes that do and do not topple it."""

from __future__ import annotations

from controllers.locomotion.controller import LocomotionController, open_loop_policy
from controllers.locomotion.evaluate import evaluate_push_recovery, evaluate_tracking


def test_tracking_report_counts_commands_and_minutes() -> None:
    report = evaluate_tracking(LocomotionController(open_loop_policy()), minutes=0.2, seed=0)
    assert report.sim_minutes == 0.2 and report.commands >= 2
    assert report.falls == 0
    assert 0.0 < report.rmse_vx < 1.0 and 0.0 <= report.rmse_vy < 0.5


def test_push_recovery_separates_no_push_from_a_violent_one() -> None:
    report = evaluate_push_recovery(
        LocomotionController(open_loop_policy()), [0.0, 150.0], trials=1, walk_s=0.5, watch_s=1.5
    )
    assert report.recovered == [1.0, 0.0]  # 150 N·s is ~12 m/s on a 12.5 kg robot
