"""The collection loop on tabletop-v0: datasets that verify, resume, faults, rejections, CLI input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentrt.cli import app
from agentrt.collect.loop import CollectConfig, CollectStats, collect
from agentrt.collect.sink import DatasetSink
from agentrt.collect.worker import EpisodeWorker, WorkerConfig
from agentrt.core.registry import SCENES
from agentrt.datasets import constants as K
from agentrt.datasets import features_from_env
from agentrt.datasets.verify import verify
from agentrt.recording import open_or_create
from agentrt.testing import descendant_pids

SCENE = "tabletop-v0"


@dataclass
class _Review:
    accepted: bool
    rule: str | None = None
    kind: str | None = None
    reason: str | None = None


class NoTidying:
    """A fake constitution that forbids 'tidy up' (so the proposer must fall back)."""

    def review(self, task: str, scene: object) -> _Review:
        if task == "tidy up":
            return _Review(False, "no_tidying", "guidance", "the user wants no tidying today")
        return _Review(True)


def _collect(
    root: Path, episodes: int, *, resume: bool = False, workers: int = 1, on_progress=None
) -> CollectStats:  # type: ignore[no-untyped-def]
    env = SCENES.get(SCENE)()
    features = features_from_env(env)
    env.close()
    config = CollectConfig(
        worker=WorkerConfig(scene=SCENE),
        out=root,
        episodes=episodes,
        resume=resume,
        workers=workers,
        episode_timeout_s=300,
    )
    with open_or_create(root, features, fps=10, robot_type="panda") as writer:
        return collect(config, DatasetSink(writer), NoTidying, on_progress=on_progress)


def _provenance(root: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((root / K.PROVENANCE_DIR).glob("episode-*.json"))]


def test_collect_then_resume_gives_one_verified_dataset(tmp_path: Path) -> None:
    root = tmp_path / "data"
    first = _collect(root, 1)
    assert first.committed == 1 and first.resumed == 0
    second = _collect(root, 2, resume=True)
    assert second.resumed == 1 and second.committed == 1
    assert verify(root) == []
    provs = _provenance(root)
    assert [p["episode_index"] for p in provs] == [0, 1] and [p["seed"] for p in provs] == [0, 1]
    # The constitution's verdicts are part of each episode's provenance, and counted by rule.
    rejected = [p for prov in provs for p in prov["proposals"]["proposed"] if not p["accepted"]]
    assert all(p["rule"] == "no_tidying" and p["task"] == "tidy up" for p in rejected)
    assert all(prov["instruction"] != "tidy up" for prov in provs)
    assert first.rejections["no_tidying"] + second.rejections["no_tidying"] == len(rejected)
    # A resumed run rebuilt its diversity counts, so it proposed a different task.
    assert provs[0]["instruction"] != provs[1]["instruction"]


def test_a_worker_error_drops_the_episode_and_retries_the_seed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real_run, calls = EpisodeWorker.run, []

    def flaky(self, seed, tracker):  # type: ignore[no-untyped-def]
        calls.append(seed)
        if len(calls) == 1:
            raise FloatingPointError("non-finite robot state")
        return real_run(self, seed, tracker)

    monkeypatch.setattr(EpisodeWorker, "run", flaky)
    stats = _collect(tmp_path / "data", 1)
    assert stats.faults == {"error": 1} and calls == [0, 0]
    assert stats.committed == 1 and verify(tmp_path / "data") == []


def test_ray_worker_killed_mid_episode_loses_only_that_episode(tmp_path: Path) -> None:
    killed: list[int] = []

    def kill_one_worker(stats: CollectStats) -> None:
        if killed:
            return
        pids = descendant_pids(os.getpid(), "ray::_RayWorker.run")  # ours only, mid-episode
        if pids:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    stats = _collect(tmp_path / "data", 2, workers=2, on_progress=kill_one_worker)
    assert killed and stats.faults["crash"] == 1
    assert stats.committed == 2 and verify(tmp_path / "data") == []
    assert [p["episode_index"] for p in _provenance(tmp_path / "data")] == [0, 1]


runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--episodes", "2", "--hours", "1"], "exactly one of --episodes or --hours"),
        ([], "exactly one of --episodes or --hours"),
        (["--episodes", "1", "--policy", "learned"], "no learned checkpoint"),
        (["--episodes", "1", "--policy", "mix:1.5"], "mix:P with 0 <= P <= 1"),
        (["--episodes", "1", "--scene", "garage-v9"], "unknown scene"),
    ],
)
def test_collect_bad_input_exits_2(
    tmp_path: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skills.vla.catalog as catalog

    monkeypatch.setattr(catalog, "CHECKPOINT_DIR", tmp_path / "none")  # a scene that ships none
    result = runner.invoke(app, ["collect", "--out", str(tmp_path / "d"), *args])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_collect_refuses_to_overwrite_without_resume(tmp_path: Path) -> None:
    _collect(tmp_path / "d", 1)
    result = runner.invoke(
        app, ["collect", "--out", str(tmp_path / "d"), "--episodes", "2", "--scene", SCENE]
    )
    assert result.exit_code == 2 and "--resume" in result.stderr


def test_collector_sigkilled_then_resumed_completes_with_consecutive_indices(tmp_path: Path) -> None:
    """The whole `agentrt collect` process is SIGKILLed after its first commit; --resume finishes."""
    root = tmp_path / "d"
    exe = str(Path(sys.executable).with_name("agentrt"))
    cmd = [exe, "collect", "--scene", SCENE, "--episodes", "2", "--out", str(root)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = root / K.PROVENANCE_DIR / "episode-000000.json"
    deadline = time.monotonic() + 240
    while not first.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert first.exists(), "the first episode should have been committed before the kill"
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert verify(root) == []
    provs = _provenance(root)
    assert [p["episode_index"] for p in provs] == [0, 1] and sorted(p["seed"] for p in provs) == [0, 1]
