"""Options generated from a pydantic config: names, types, defaults and bounds come from the fields."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

import typer
from pydantic import BaseModel, Field
from typer.testing import CliRunner

from agentrt.cli.config_options import field_option, option, with_options
from agentrt.cli.train import vla_command

runner = CliRunner()


class _Config(BaseModel):
    data: Path = Field(description="required")
    steps: int = Field(default=5, ge=1, le=9)
    lr: float = Field(default=0.5, gt=0)
    mode: Literal["fast", "slow"] = "fast"
    cache: Path | None = None
    verbose: bool = False


def _command() -> typer.Typer:
    seen: dict[str, Any] = {}

    @with_options(
        *(field_option(_Config, name, f"{name} help") for name in ("data", "steps", "lr", "mode", "cache")),
        field_option(_Config, "verbose", "verbose help", flag=True),
        option("extra", int, 3, min=0, help="not a field"),
    )
    def command(**opts: Any) -> None:
        seen.update(opts)
        typer.echo(repr(sorted(seen.items())))

    app = typer.Typer()
    app.command()(command)
    return app


def test_defaults_types_and_bounds_come_from_the_fields() -> None:
    result = runner.invoke(_command(), ["--data", "d"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == repr(
        [
            ("cache", None),
            ("data", Path("d")),
            ("extra", 3),
            ("lr", 0.5),
            ("mode", "fast"),
            ("steps", 5),
            ("verbose", False),
        ]
    )
    given = runner.invoke(
        _command(), ["--data", "d", "--steps", "9", "--cache", "c", "--verbose", "--lr", "2"]
    )
    assert given.exit_code == 0 and "('steps', 9)" in given.stdout and "('verbose', True)" in given.stdout
    assert "('cache', PosixPath('c'))" in given.stdout and "('lr', 2.0)" in given.stdout


def test_a_value_outside_the_fields_bounds_or_a_missing_required_field_exits_2() -> None:
    for argv in (["--data", "d", "--steps", "0"], ["--data", "d", "--steps", "10"], ["--steps", "3"]):
        result = runner.invoke(_command(), argv)
        assert result.exit_code == 2 and "Traceback" not in result.output, argv
    assert "--no-verbose" not in runner.invoke(_command(), ["--help"]).output


def test_train_vla_keeps_its_option_names_and_defaults() -> None:
    """The options as they were declared by hand, before they came from TrainConfig and VLAConfig."""
    expected = {
        "data": None,
        "out": None,
        "family": "manipulation",
        "head": "tokens",
        "vision": "cnn",
        "image_size": None,
        "crop": None,
        "chunk_size": 10,
        "goal_weight": 0.0,
        "keypoints": 0,
        "goal_source": "token",
        "keypoint_readout": "mean",
        "goal_features": False,
        "goal_relative": False,
        "position_targets": False,
        "goal_frame": False,
        "goal_teacher": 0.0,
        "goal_noise_m": 0.02,
        "relabelled_rows": 0,
        "goal_pixel_weight": 0.0,
        "grounding": None,
        "grounding_weight": 1.0,
        "steps": 20_000,
        "batch_size": 64,
        "lr": 3e-4,
        "augment_shift": 4,
        "val_every": 500,
        "save_every": 250,
        "rollout_every": 0,
        "rollout_episodes": 5,
        "scene": "kitchen-v0",
        "device": "cpu",
        "cache_dir": None,
        "threads": 1,
        "seed": 0,
        "init_from": None,
    }
    params = [p for p in vla_command().params if p.name != "help"]
    assert {p.name: p.default for p in params} == expected
    assert [p.name for p in params] == list(expected)
    assert {p.name for p in params if p.required} == {"data", "out"}
    flags = {p.name for p in params if p.is_flag}
    assert flags == {"goal_features", "goal_relative", "position_targets", "goal_frame"}
    assert all(p.secondary_opts == [] or p.secondary_opts == () for p in params)


def test_the_command_line_builds_without_importing_torch() -> None:
    """``train vla`` is built only when named: its configs import torch, ``agentrt data info`` need not."""
    code = (
        "import sys, typer; from agentrt.cli import app; typer.main.get_command(app); "
        "print('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
