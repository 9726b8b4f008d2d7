"""``agentrt train vla`` and ``agentrt train controller`` through the real CLI.

Bad input is one line and exit 2 (never a traceback); a tiny run trains, resumes and writes
its artifact.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from agentrt.cli import app
from skills.vla.artifact import load_policy
from tests.agentrt.datasets.helpers import make_dataset
from tests.skills.vla.helpers import make_kitchen_dataset, observation

runner = CliRunner()


@pytest.fixture(autouse=True)
def _one_torch_thread():  # type: ignore[no-untyped-def]
    """Tiny models run many times faster without thread sync on a busy CPU."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_kitchen_dataset(tmp_path_factory.mktemp("vla") / "data", episodes=3, frames_per_skill=6)


def test_unknown_recipe_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", "controller", "spot-dance", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown recipe 'spot-dance'" in result.output and "a1-locomotion" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "/nonexistent/vla-data"], "no dataset at"),
        (["--family", "juggling"], "unknown preset"),
        (["--head", "diffusion"], "invalid option"),
        (["--crop", "head=0.5"], "expected CAMERA=TOP,LEFT,SIDE"),
        (["--crop", "head=0.6,0.0,0.5"], "must lie inside the frame"),
        (["--crop", "depth=0,0,1"], "which the model does not read"),
        (["--family", "navigation", "--goal-weight", "1"], "needs an arm model"),
        (["--vision", "efficientnet-lite0", "--keypoints", "4"], "keypoints need the small CNN"),
        (["--goal-weight", "1", "--goal-source", "keypoints"], "goal_source='keypoints' needs"),
        (["--goal-weight", "1", "--goal-pixel-weight", "1"], "goal_pixel_weight > 0 needs goal_source"),
        (["--goal-weight", "1", "--goal-teacher", "0.5"], "goal_teacher > 0 needs goal_source"),
        (["--goal-weight", "1", "--goal-relative", ""], "goal_relative needs goal_source"),  # "": a flag
        (["--keypoints", "2", "--keypoint-readout", "median"], "invalid option"),
        (["--goal-weight", "1", "--goal-features", ""], "goal_features needs goal_source"),
        (
            [
                "--goal-weight",
                "1",
                "--keypoints",
                "2",
                "--goal-source",
                "keypoints",
                "--goal-pixel-weight",
                "1",
            ],
            "needs augment_shift=0",
        ),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    dataset: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    base = {"--data": str(dataset), "--out": str(tmp_path / "m")}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = runner.invoke(app, ["train", "vla", *[x for kv in base.items() for x in kv if x]])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_cli_refuses_a_dataset_without_the_familys_frames(tmp_path: Path) -> None:
    root = make_dataset(tmp_path / "data", [4, 4])  # pick/place frames only, 4-D state
    result = runner.invoke(
        app, ["train", "vla", "--data", str(root), "--out", str(tmp_path / "m"), "--family", "navigation"]
    )
    assert result.exit_code == 2 and "no frames of skills ['navigate_to']" in result.output


def test_cli_trains_resumes_and_writes_the_artifact(dataset: Path, tmp_path: Path) -> None:
    """Through the real MiniLM encoder: 2 steps, then the same OUT with --steps 3 resumes at 2."""
    out = tmp_path / "cli" / "nav"
    base = [
        "train",
        "vla",
        "--data",
        str(dataset),
        "--out",
        str(out),
        "--family",
        "navigation",
        "--head",
        "l1",
    ]
    base += ["--image-size", "32", "--batch-size", "4", "--val-every", "1", "--save-every", "1"]
    first = runner.invoke(app, [*base, "--steps", "2"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, [*base, "--steps", "3"])
    said = " ".join(second.output.split())  # rich wraps long lines at the console width (the path's length)
    assert second.exit_code == 0 and "resuming" in said and "at step 2" in said
    policy = load_policy(out)
    assert policy.provenance["steps"] == 3 and policy.action_keys == ("base",)
    assert policy.predict_chunk(observation(np.random.default_rng(0)), "go to the table").shape == (10, 3)
