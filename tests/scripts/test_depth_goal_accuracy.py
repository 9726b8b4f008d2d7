"""scripts/depth_goal_accuracy.py: both depth-goal methods scored from the true pixel; bad input exits 2."""

from __future__ import annotations

import json

import pytest

from tests.scripts.helpers import load_script

accuracy = load_script("depth_goal_accuracy")


def test_scores_both_methods_per_jitter(capsys) -> None:
    argv = ["--calib-seeds", "0:3", "--seeds", "3:6", "--jitter-px", "0,2", "--json"]
    assert accuracy.main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert 0.0 <= report["behind_m"] < 0.1 and 0.0 <= report["below_top_m"] < 0.1
    rows = {(r["method"], r["jitter_px"]): r for r in report["rows"]}
    assert set(rows) == {("ray", 0.0), ("segment", 0.0), ("ray", 2.0), ("segment", 2.0)}
    for row in rows.values():
        assert 1 <= row["cases"] <= 3 and 0.0 <= row["median_m"] <= row["p90_m"]
    assert rows[("ray", 0.0)]["median_m"] < 0.02  # from the true pixel the ray method is near exact
    axis = report["long_axis"]
    assert axis["boxes"] + axis["round"] == rows[("ray", 0.0)]["cases"]
    assert 0 <= axis["boxes_without"] <= axis["boxes"] and 0 <= axis["round_with"] <= axis["round"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--seeds", "5:5"], "is empty"), (["--jitter-px", "a"], "--jitter-px takes"),
     (["--radius-m", "0"], "--radius-m must be"), (["--scene", "moon-v0"], "moon-v0")],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(capsys, extra: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exc:  # argparse's own errors exit 2 as well
        code = accuracy.main([*extra, "--calib-seeds", "0:1", "--seeds", "1:2"])
        raise SystemExit(code)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and message in err and "Traceback" not in err
