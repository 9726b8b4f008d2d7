"""The results directory: one JSON file per finished episode, written atomically, so a run
can stop anywhere and resume without rerunning finished episodes.

Layout of ``--out DIR``::

    DIR/run.json                  suite, config and code version of the run (resume checks)
    DIR/episodes/seed-000012.json one EpisodeResult per finished episode
    DIR/videos/seed-000012.mp4    head camera, when --video
    DIR/results.json, summary.md, report.html, *.png   written at the end (see evals.report)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evals.results import EpisodeResult, EvalConfig

RUN_FILE = "run.json"
EPISODE_DIR = "episodes"
RESULTS_FILE = "results.json"


class ResultsDirError(ValueError):
    """The directory cannot hold (or does not hold) results of this evaluation."""


class ResultsDir:
    """Reads and writes one evaluation's results directory.

    Args:
        root: the directory (created on :meth:`claim`).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def claim(self, config: EvalConfig) -> None:
        """Create the directory for ``config``, or check that it already belongs to the same
        suite and configuration; raises :class:`ResultsDirError` otherwise."""
        if self.root.exists() and not self.root.is_dir():
            raise ResultsDirError(f"{self.root} exists and is not a directory")
        run_file = self.root / RUN_FILE
        if run_file.exists():
            try:
                previous = EvalConfig.model_validate(json.loads(run_file.read_text())["config"])
            except (OSError, ValueError, KeyError, ValidationError) as exc:
                raise ResultsDirError(f"{run_file} is unreadable ({exc}); use a new --out") from None
            if previous.identity() != config.identity():
                diff = _diff(previous.identity(), config.identity())
                raise ResultsDirError(
                    f"{self.root} holds results of another configuration ({diff}); use a new --out"
                )
        elif self.root.exists() and any(self.root.iterdir()):
            raise ResultsDirError(f"{self.root} is not empty and holds no evaluation; use a new --out")
        (self.root / EPISODE_DIR).mkdir(parents=True, exist_ok=True)
        write_json(run_file, {"config": config.model_dump(mode="json")})

    def episode_path(self, seed: int) -> Path:
        return self.root / EPISODE_DIR / f"seed-{seed:06d}.json"

    def finished(self, seeds: list[int]) -> dict[int, EpisodeResult]:
        """Results already on disk for ``seeds`` (errored episodes are not finished: they rerun)."""
        done = {}
        for seed in seeds:
            path = self.episode_path(seed)
            if not path.exists():
                continue
            try:
                result = EpisodeResult.model_validate_json(path.read_text())
            except (OSError, ValidationError):
                continue  # a torn or foreign file: run the episode again
            if result.status != "error" and result.seed == seed:
                done[seed] = result
        return done

    def save(self, result: EpisodeResult) -> Path:
        """Write one episode's result atomically."""
        path = self.episode_path(result.seed)
        write_json(path, result.model_dump(mode="json"))
        return path


def load_results(root: Path) -> dict[str, Any]:
    """Read ``root/results.json``; raises :class:`ResultsDirError` if it is missing or malformed."""
    path = Path(root) / RESULTS_FILE
    if not Path(root).is_dir():
        raise ResultsDirError(f"{root} is not a directory")
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ResultsDirError(f"{root} holds no {RESULTS_FILE}; run `agentrt eval` into it first") from None
    except (OSError, ValueError) as exc:
        raise ResultsDirError(f"{path} is unreadable: {exc}") from None
    missing = [k for k in ("suite", "config", "episodes", "aggregate") if k not in data]
    if missing:
        raise ResultsDirError(f"{path} lacks {', '.join(missing)}")
    return data


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _diff(a: dict[str, Any], b: dict[str, Any]) -> str:
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    return "; ".join(f"{k}: {a.get(k)!r} there, {b.get(k)!r} now" for k in keys)
