"""The evaluation driver: run a suite over a seed range on a pool of workers, resumably,
then write the reports.

Episode ``i`` of a request uses seed ``seed_start + i``. Finished episodes are read back
from the results directory and not rerun; the reports are always rebuilt from every
requested episode.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.registry import DESCRIBERS, PLANNERS, SUITES
from agentrt.datasets.episodes import code_version
from evals.episode import resolve_skills
from evals.metrics import aggregate
from evals.pool import make_pool
from evals.results import EpisodeResult, EvalConfig
from evals.store import ResultsDir
from evals.suites.base import Suite


class EvalRequest(BaseModel):
    """One ``agentrt eval`` invocation: what to evaluate, on which seeds, where, with how many workers."""

    model_config = ConfigDict(extra="forbid")

    config: EvalConfig
    episodes: int = Field(
        ge=1, description="number of episodes (seeds seed_start ... seed_start + episodes - 1)"
    )
    seed_start: int = Field(default=0, ge=0, description="seed of the first episode")
    out: Path = Field(description="results directory")
    workers: int = Field(default=1, ge=1, description="parallel simulator workers (Ray actors when > 1)")
    address: str | None = Field(default=None, description="Ray cluster to join; None runs on this machine")
    episode_timeout_s: float = Field(default=1800.0, gt=0, description="an episode running longer is a fault")

    @property
    def seeds(self) -> list[int]:
        return list(range(self.seed_start, self.seed_start + self.episodes))

    def rerun_command(self) -> str:
        """An ``agentrt eval`` command line that reproduces this request."""
        c = self.config
        args = ["agentrt", "eval", "--suite", c.suite, "--episodes", str(self.episodes)]
        args += ["--seed-start", str(self.seed_start), "--describer", c.describer, "--planner", c.planner]
        args += ["--skills", c.skills, "--max-replans", str(c.max_replans)]
        if c.describer_config:
            args += ["--describer-config", json.dumps(c.describer_config, sort_keys=True)]
        if c.planner_config:
            args += ["--planner-config", json.dumps(c.planner_config, sort_keys=True)]
        args += ["--constitution"] if c.constitution else []
        args += ["--video"] if c.video else ["--no-video"]
        args += ["--workers", str(self.workers), "--out", str(self.out)]
        return shlex.join(args)


@dataclass
class EvalStats:
    """Progress of a run, for live displays."""

    target: int
    resumed: int = 0
    results: list[EpisodeResult] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        return len(self.results)

    @property
    def successes(self) -> int:
        return sum(r.success for r in self.results)

    @property
    def errors(self) -> int:
        return sum(r.status == "error" for r in self.results)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    @property
    def per_hour(self) -> float:
        """Episodes run in this invocation per wall-clock hour (resumed ones excluded)."""
        ran = self.done - self.resumed
        return 3600.0 * ran / self.elapsed_s if ran and self.elapsed_s > 0 else 0.0


def check_request(request: EvalRequest) -> Suite:
    """Fail fast, before any worker starts: the suite, parts and settings must exist and validate.

    Raises:
        agentrt.core.registry.RegistryError: an unknown suite, planner or describer.
        agentrt.skill_sets.SkillSetUnavailable: unknown skill set, or learned skills without checkpoints.
        pydantic.ValidationError: a planner or describer config with unknown or bad fields.
    """
    suite = SUITES.get(request.config.suite)()
    resolve_skills(request.config.skills, suite.scene)
    PLANNERS.get(request.config.planner)(request.config.planner_config)
    DESCRIBERS.get(request.config.describer)(request.config.describer_config)
    return suite


def run_suite(
    request: EvalRequest,
    *,
    on_progress: Callable[[EvalStats], None] | None = None,
    command: str | None = None,
) -> dict[str, Any]:
    """Run every unfinished episode of ``request``, save each as it finishes, write the reports.

    Args:
        request: suite, configuration, seeds, output directory, workers.
        on_progress: called after each finished episode (and once at the start).
        command: the command line as typed, recorded in ``results.json``.

    Returns:
        The ``results.json`` payload.
    """
    from evals.report import write_reports  # matplotlib and jinja2 load only when reporting

    suite = check_request(request)
    store = ResultsDir(request.out)
    store.claim(request.config)
    seeds = request.seeds
    position = {seed: i for i, seed in enumerate(seeds)}
    done = {s: r.model_copy(update={"index": position[s]}) for s, r in store.finished(seeds).items()}
    stats = EvalStats(target=len(seeds), resumed=len(done), results=list(done.values()))
    if on_progress:
        on_progress(stats)
    todo = [(position[s], s) for s in seeds if s not in done]
    if todo:
        pool = make_pool(
            suite,
            request.config,
            request.out,
            request.workers,
            episode_timeout_s=request.episode_timeout_s,
            address=request.address,
        )
        try:
            while todo or pool.idle() < pool.size:
                while todo and pool.idle() > 0:
                    pool.submit(*todo.pop(0))
                for result in pool.poll(timeout=1.0):
                    store.save(result)
                    done[result.seed] = result
                    stats.results.append(result)
                    if on_progress:
                        on_progress(stats)
        finally:
            pool.close()
    results = [done[s] for s in seeds]
    payload = build_payload(suite, request, results, stats, command)
    write_reports(request.out, payload)
    return payload


def build_payload(
    suite: Suite, request: EvalRequest, results: list[EpisodeResult], stats: EvalStats, command: str | None
) -> dict[str, Any]:
    """The ``results.json`` document."""
    chain_length = suite.chain_length
    return {
        "suite": suite.suite_id,
        "suite_info": {
            "description": suite.description,
            "scene": suite.scene,
            "chain_length": chain_length,
            "group_by": list(suite.group_by),
        },
        "config": request.config.model_dump(mode="json"),
        "seeds": {"start": request.seed_start, "episodes": request.episodes},
        "code_version": code_version(),
        "code_versions": sorted({r.code_version for r in results if r.code_version}),
        "command": command or request.rerun_command(),
        "rerun_command": request.rerun_command(),
        "run": {
            "workers": request.workers,
            "address": request.address,
            "episodes_run": stats.done - stats.resumed,
            "episodes_resumed": stats.resumed,
            "elapsed_s": stats.elapsed_s,
            "episodes_per_hour": stats.per_hour,
            # Ray workers always hash with PYTHONHASHSEED=0; an in-process run hashes as this process does
            "in_process_hash_seed": os.environ.get("PYTHONHASHSEED", "random")
            if request.workers <= 1 and request.address is None
            else None,
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        },
        "aggregate": aggregate(results, chain_length=chain_length, group_by=suite.group_by),
        "episodes": [r.model_dump(mode="json") for r in results],
    }
