"""Where evaluation episodes run: in this process, or on K Ray actors.

Both pools offer ``idle()``, ``submit(index, seed)``, ``poll(timeout) -> [EpisodeResult]``
and ``close()``. An episode whose worker died (segfault, SIGKILL, OOM), raised, or ran past
its time limit comes back as a result with ``status="error"``; the Ray pool starts a fresh
actor in the dead one's place. The actors themselves are :class:`agentrt.actor_pool.ActorPool`,
shared with autonomous collection.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from agentrt.actor_pool import ActorPool
from evals.episode import EvalWorker
from evals.results import EpisodeResult, EvalConfig
from evals.suites.base import Suite

HASH_SEED = "0"
"""``PYTHONHASHSEED`` of every Ray worker, so that reruns give identical episodes."""


class Pool(Protocol):
    """What the driver needs from an executor."""

    size: int

    def idle(self) -> int: ...
    def submit(self, index: int, seed: int) -> None: ...
    def poll(self, timeout: float) -> list[EpisodeResult]: ...
    def close(self) -> None: ...


def error_result(suite: Suite, index: int, seed: int, error: str) -> EpisodeResult:
    """The result of an episode that has no outcome because its worker failed."""
    return EpisodeResult(
        index=index,
        seed=seed,
        suite=suite.suite_id,
        tags=dict(suite.spec(seed).tags),
        status="error",
        error=error,
    )


class InProcessPool:
    """One worker in this process; the episode runs synchronously inside :meth:`poll`."""

    def __init__(self, suite: Suite, config: EvalConfig, out: Path | None) -> None:
        self.worker = EvalWorker(suite, config, out)
        self.queue: list[tuple[int, int]] = []
        self.size = 1

    def idle(self) -> int:
        return 0 if self.queue else 1

    def submit(self, index: int, seed: int) -> None:
        self.queue.append((index, seed))

    def poll(self, timeout: float) -> list[EpisodeResult]:
        if not self.queue:
            return []
        index, seed = self.queue.pop(0)
        return [self.worker.run(index, seed)]

    def close(self) -> None:
        """Nothing to release: each episode closes its own environment."""


class RayPool:
    """``size`` Ray actors, each an :class:`EvalWorker`; a failed actor is replaced (:class:`ActorPool`).

    Args:
        suite: the suite (its class is sent to the actors by reference).
        config: what every worker builds.
        out: results directory (for videos; on a cluster it must be shared storage).
        size: number of actors (one simulator process and one CPU each).
        episode_timeout_s: an episode running longer is treated as a hung worker.
        address: an existing Ray cluster to join (``"auto"``, ``"ray://host:10001"``);
            ``None`` starts Ray on this machine with ``size`` CPUs.
    """

    def __init__(
        self,
        suite: Suite,
        config: EvalConfig,
        out: Path | None,
        size: int,
        episode_timeout_s: float,
        address: str | None = None,
    ) -> None:
        # string hashing must not vary between workers: user plugins may iterate sets
        self.pool = ActorPool(
            _RayWorker,
            (type(suite), config, out),
            size,
            episode_timeout_s,
            address,
            env_vars={"PYTHONHASHSEED": HASH_SEED},
        )
        self.suite = suite
        self.size = size
        self.ray = self.pool.ray

    @property
    def actors(self) -> list[object]:
        return self.pool.actors

    def idle(self) -> int:
        return self.pool.idle()

    def pids(self) -> list[int]:
        """Process ids of the live actors (for fault-injection tests)."""
        return self.pool.pids()

    def submit(self, index: int, seed: int) -> None:
        self.pool.submit((index, seed), index, seed)

    def poll(self, timeout: float) -> list[EpisodeResult]:
        out = []
        for done in self.pool.poll(timeout):
            index, seed = done.key
            if done.fault is None:
                out.append(EpisodeResult.model_validate(done.value))
            elif done.fault == "timeout":
                out.append(error_result(self.suite, index, seed, done.detail))
            else:
                out.append(error_result(self.suite, index, seed, f"worker failed: {done.detail}"))
        return out

    def close(self) -> None:
        self.pool.close()


class _RayWorker:
    """The actor body: an :class:`EvalWorker`; results travel as JSON-ready dicts."""

    def __init__(self, suite_cls: type[Suite], config: EvalConfig, out: Path | None) -> None:
        self.worker = EvalWorker(suite_cls(), config, out)

    def run(self, index: int, seed: int) -> dict:
        return self.worker.run(index, seed).model_dump(mode="json")

    def pid(self) -> int:
        return os.getpid()

    def hash_randomization(self) -> int:
        """``sys.flags.hash_randomization`` of the actor's interpreter (0 when the seed is fixed)."""
        import sys

        return sys.flags.hash_randomization


def make_pool(
    suite: Suite,
    config: EvalConfig,
    out: Path | None,
    workers: int,
    *,
    episode_timeout_s: float = 1800.0,
    address: str | None = None,
) -> Pool:
    """In-process for one worker on this machine, Ray actors otherwise."""
    if workers <= 1 and address is None:
        return InProcessPool(suite, config, out)
    return RayPool(suite, config, out, workers, episode_timeout_s, address)
