"""The data-scaling script's aggregation, plot and episode limiting (training itself runs elsewhere)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evals.metrics import wilson_interval
from tests.scripts.helpers import load_script

scaling = load_script("vla_data_scaling")


def _point(skill: str, n: int, seed: int, wins: int, total: int = 100) -> dict:
    return {"skill": skill, "train_episodes": n, "train_seed": seed, "successes": wins, "episodes": total}


def test_aggregate_pools_train_seeds_known_answer() -> None:
    points = [_point("pick", 100, 0, 70), _point("pick", 50, 1, 50), _point("pick", 50, 0, 30)]
    points.append(_point("place", 50, 0, 20, 40))
    curves = scaling.aggregate(points)
    assert list(curves) == ["pick", "place"]
    first, second = curves["pick"]
    assert first["train_episodes"] == 50 and first["success_rate"] == pytest.approx(0.4)
    assert (first["successes"], first["episodes"], first["train_seeds"]) == (80, 200, [0, 1])
    assert (first["low"], first["high"]) == pytest.approx(wilson_interval(80, 200))
    assert second["train_episodes"] == 100 and second["success_rate"] == pytest.approx(0.7)
    assert curves["place"][0]["success_rate"] == pytest.approx(0.5)


def test_plot_only_renders_png_and_json_from_finished_points(tmp_path: Path) -> None:
    for n, wins in ((50, 40), (100, 60), (200, 75), (400, 88)):
        folder = tmp_path / f"n{n}-s0"
        folder.mkdir()
        (folder / "eval-pick.json").write_text(json.dumps(_point("pick", n, 0, wins)))
    (tmp_path / "expert-pick.json").write_text(json.dumps({"expert_success_rate": 0.95}))
    scaling.main(["--out", str(tmp_path), "--plot-only"])
    png = (tmp_path / "data_scaling.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    summary = json.loads((tmp_path / "data_scaling.json").read_text())
    assert [r["train_episodes"] for r in summary["curves"]["pick"]] == [50, 100, 200, 400]
    assert summary["experts"] == {"pick": 0.95}


def test_plot_only_without_points_says_so(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no finished points"):
        scaling.main(["--out", str(tmp_path), "--plot-only"])


def test_limited_episodes_keeps_validation_and_nests_training_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    import skills.vla.train as train_module
    from skills.vla.data import TrainingData

    episodes = np.repeat(np.arange(20), 3)  # 20 episodes of 3 frames
    n = len(episodes)
    data = TrainingData(
        np.zeros((n, 1, 3, 2, 2), np.uint8),
        np.zeros((n, 18), np.float32),
        np.zeros((n, 7), np.float32),
        np.zeros((n, 2), np.int64),
        np.ones((n, 2), bool),
        np.zeros(n, np.int64),
        ["pick up the mug"],
        episodes,
    )
    monkeypatch.setattr(train_module, "load_training_data", lambda *a, **k: data)
    full_train, full_val = data.split(0.25, 3)
    chosen = {}
    for size in (4, 8):
        with scaling.limited_episodes(size, seed=7):
            train_idx, val_idx = train_module.load_training_data().split(0.25, 3)
        np.testing.assert_array_equal(val_idx, full_val)
        assert set(train_idx) <= set(full_train)
        chosen[size] = set(episodes[train_idx])
        assert len(chosen[size]) == size
    assert chosen[4] < chosen[8]
    assert train_module.load_training_data() is data  # restored
    with scaling.limited_episodes(99, seed=7), pytest.raises(SystemExit, match="fewer than 99"):
        train_module.load_training_data().split(0.25, 3)
