"""Where evaluation episodes run: in this process, or on K Ray actors.

Both pools offer ``idle()``, ``submit(index, seed)``, ``poll(timeout) -> [EpisodeResult]``
and ``close()``. An episode whose worker died (segfault, SIGKILL, OOM), raised, or ran past
its time limit comes back as a result with ``status="error"``; the Ray pool starts a fresh
actor in the dead one's place. (``agentrt.collect.pool`` does the same for collection, but
its workers propose tasks and carry diversity trackers; evaluation workers take seeds.)
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Protocol

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
    """``size`` Ray actors, each an :class:`EvalWorker`; a failed actor is replaced.

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
        import ray

        self.ray = ray
        if not ray.is_initialized():
            ray.init(
                address=address,
                num_cpus=None if address else max(size, 1),
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        # string hashing must not vary between worker processes: the symbolic planner breaks ties
        # between equal-cost plans in set-iteration order, which follows the hash seed
        env = {"env_vars": {"PYTHONHASHSEED": HASH_SEED}}
        self.remote_cls = ray.remote(num_cpus=1, max_restarts=0, runtime_env=env)(_RayWorker)
        self.suite, self.config, self.out = suite, config, out
        self.size = size
        self.timeout = episode_timeout_s
        self.actors = [self._spawn() for _ in range(size)]
        self.busy: dict[object, tuple[object, int, int, float]] = {}  # ref -> (actor, index, seed, started)

    def _spawn(self) -> object:
        return self.remote_cls.remote(type(self.suite), self.config, self.out)

    def idle(self) -> int:
        return self.size - len(self.busy)

    def pids(self) -> list[int]:
        """Process ids of the live actors (for fault-injection tests)."""
        return self.ray.get([actor.pid.remote() for actor in self.actors])

    def submit(self, index: int, seed: int) -> None:
        in_use = {actor for actor, _, _, _ in self.busy.values()}
        actor = next(a for a in self.actors if a not in in_use)
        self.busy[actor.run.remote(index, seed)] = (actor, index, seed, time.monotonic())

    def poll(self, timeout: float) -> list[EpisodeResult]:
        if not self.busy:
            return []
        ready, _ = self.ray.wait(list(self.busy), num_returns=1, timeout=timeout)
        out = []
        for ref in ready:
            actor, index, seed, _ = self.busy.pop(ref)
            try:
                out.append(EpisodeResult.model_validate(self.ray.get(ref)))
            except (self.ray.exceptions.RayActorError, self.ray.exceptions.RayTaskError) as exc:
                self._replace(actor)
                out.append(error_result(self.suite, index, seed, f"worker failed: {_last_line(exc)}"))
        now = time.monotonic()
        for ref, (actor, index, seed, started) in list(self.busy.items()):
            if now - started > self.timeout:
                del self.busy[ref]
                self._replace(actor)
                out.append(error_result(self.suite, index, seed, f"episode exceeded {self.timeout:.0f} s"))
        return out

    def _replace(self, actor: object) -> None:
        self.ray.kill(actor)
        self.actors[self.actors.index(actor)] = self._spawn()

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.ray.shutdown()


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


def _last_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
