"""The AutoRT loop's driver: hand seeds to workers, commit finished episodes, keep score.

Workers (see :mod:`agentrt.collect.pool`) describe, propose, review, plan and execute;
the driver is the only writer of the dataset, so an episode is committed whole or not
at all. Seeds are ``seed, seed + 1, ...``; on ``resume`` the seeds already in the
dataset are skipped, and the diversity counts are rebuilt from its episodes.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentrt.collect.pool import InProcessPool, Outcome, RayPool
from agentrt.collect.worker import CollectedEpisode, Reviewer, WorkerConfig
from planners.proposer import DiversityTracker, TaskProposal


class CollectConfig(BaseModel):
    """One collection run (``agentrt collect``)."""

    model_config = ConfigDict(extra="forbid")

    worker: WorkerConfig = Field(default_factory=WorkerConfig)
    out: Path = Field(description="dataset root")
    episodes: int | None = Field(default=None, ge=1, description="stop after this many committed episodes")
    hours: float | None = Field(default=None, gt=0, description="stop submitting after this much wall time")
    workers: int = Field(default=1, ge=1, description="simulator workers; >1 (or an address) uses Ray actors")
    address: str | None = Field(default=None, description="join this Ray cluster instead of starting one")
    resume: bool = Field(default=False, description="continue a dataset that already has episodes")
    seed: int = Field(default=0, ge=0, description="first world seed")
    episode_timeout_s: float = Field(default=900.0, gt=0, description="a longer episode means a hung worker")
    max_attempts: int = Field(default=2, ge=1, description="tries per seed before it is skipped")

    @model_validator(mode="after")
    def _one_budget(self) -> CollectConfig:
        if (self.episodes is None) == (self.hours is None):
            raise ValueError("give exactly one of --episodes or --hours")
        return self


class EpisodeSink(Protocol):
    """Where committed episodes go (the dataset writer, through an adapter)."""

    def committed(self) -> Iterable[dict[str, Any]]:
        """Provenance of every committed episode (with ``seed`` and ``task_template``...)."""
        ...

    def commit(self, episode: CollectedEpisode) -> int:
        """Write ``episode`` atomically; return its episode index."""
        ...


@dataclass
class CollectStats:
    """Live counters for the progress display and the final report."""

    started: float = field(default_factory=time.monotonic)
    committed: int = 0
    resumed: int = 0
    successes: int = 0
    no_task: int = 0
    """Episodes where every proposal was rejected (nothing written)."""
    faults: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    """Rejected proposals by rule (``planner`` when the planner refused)."""
    skipped_seeds: list[int] = field(default_factory=list)
    tracker: DiversityTracker = field(default_factory=DiversityTracker)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    @property
    def per_hour(self) -> float:
        """Episodes committed by this run per wall-clock hour."""
        return self.committed / max(self.elapsed_s, 1e-9) * 3600.0

    @property
    def success_rate(self) -> float:
        return self.successes / self.committed if self.committed else 0.0


ProgressHook = Callable[[CollectStats], None]


def collect(
    config: CollectConfig,
    sink: EpisodeSink,
    make_constitution: Callable[[], Reviewer],
    on_progress: ProgressHook | None = None,
) -> CollectStats:
    """Run the loop until the episode or time budget is spent; returns the counters."""
    stats = CollectStats()
    done_seeds: set[int] = set()
    for prov in sink.committed():
        done_seeds.add(int(prov["seed"]))
        stats.resumed += 1
        if prov.get("task"):
            template = prov.get("task_template") or ""
            proposal = TaskProposal(prov["task"], template, prov.get("task_object"), prov.get("task_place"))
            stats.tracker.add(proposal)
    target = None if config.episodes is None else config.episodes - stats.resumed
    deadline = None if config.hours is None else time.monotonic() + config.hours * 3600.0
    use_ray = config.workers > 1 or config.address is not None
    pool = (
        RayPool(config.worker, make_constitution, config.workers, config.episode_timeout_s, config.address)
        if use_ray
        else InProcessPool(config.worker, make_constitution)
    )
    fresh = (s for s in itertools.count(config.seed) if s not in done_seeds)
    retry: deque[int] = deque()
    attempts: Counter[int] = Counter()
    in_flight = 0
    try:
        while True:
            while pool.idle() > 0 and _want_more(stats, target, deadline, in_flight):
                pool.submit(retry.popleft() if retry else next(fresh), stats.tracker)
                in_flight += 1
            if in_flight == 0:
                break
            for outcome in pool.poll(timeout=1.0):
                in_flight -= 1
                _settle(outcome, stats, sink, target, retry, attempts, config.max_attempts)
            if on_progress is not None:
                on_progress(stats)
            if stats.no_task > 20 + 10 * (stats.committed + 1):
                raise RuntimeError(
                    "every proposal was rejected (constitution or planner) for many seeds in a row"
                )
    finally:
        pool.close()
    return stats


def _want_more(stats: CollectStats, target: int | None, deadline: float | None, in_flight: int) -> bool:
    if target is not None:
        return stats.committed + in_flight < target
    return deadline is not None and time.monotonic() < deadline


def _settle(
    outcome: Outcome,
    stats: CollectStats,
    sink: EpisodeSink,
    target: int | None,
    retry: deque[int],
    attempts: Counter[int],
    max_attempts: int,
) -> None:
    episode = outcome.episode
    if episode is None:
        stats.faults[outcome.fault or "error"] += 1
        attempts[outcome.seed] += 1
        if attempts[outcome.seed] < max_attempts:
            retry.append(outcome.seed)
        else:
            stats.skipped_seeds.append(outcome.seed)
        return
    for verdict in episode.proposals:
        if not verdict.accepted:
            stats.rejections[verdict.rule or "unknown"] += 1
    if episode.record is None or not episode.frames:
        stats.no_task += 1
        return
    if target is not None and stats.committed >= target:
        return
    sink.commit(episode)
    stats.committed += 1
    stats.successes += episode.success
    if episode.proposal is not None:
        stats.tracker.add(episode.proposal)
