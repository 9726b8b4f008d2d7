"""Where episodes run: in this process, or on K Ray actors that are restarted when they fail.

Both executors offer ``submit(seed, tracker)`` and ``poll(timeout) -> [Outcome]``. The
Ray pool turns a dead actor (segfault, SIGKILL, OOM), a raised error (e.g. a diverged
simulation) or an episode past its time limit into a failed :class:`Outcome` and starts
a fresh actor in its place; the in-flight episode is simply dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agentrt.actor_pool import ActorPool
from agentrt.collect.worker import CollectedEpisode, EpisodeWorker, Reviewer, WorkerConfig
from planners.proposer import DiversityTracker


@dataclass
class Outcome:
    """What came back for one seed: an episode, or why there is none."""

    seed: int
    episode: CollectedEpisode | None = None
    fault: str | None = None
    """``crash``, ``error`` or ``timeout`` when ``episode`` is None."""
    detail: str = ""


class InProcessPool:
    """One worker in this process; episodes run synchronously inside :meth:`poll`."""

    def __init__(self, config: WorkerConfig, make_constitution: Callable[[], Reviewer]) -> None:
        self.worker = EpisodeWorker(config, make_constitution())
        self.queue: list[tuple[int, DiversityTracker]] = []
        self.size = 1

    def idle(self) -> int:
        return 0 if self.queue else 1

    def submit(self, seed: int, tracker: DiversityTracker) -> None:
        self.queue.append((seed, tracker.model_copy(deep=True)))

    def poll(self, timeout: float) -> list[Outcome]:
        if not self.queue:
            return []
        seed, tracker = self.queue.pop(0)
        try:
            return [Outcome(seed, self.worker.run(seed, tracker))]
        except Exception as exc:  # a diverged simulation: drop the episode, keep collecting
            return [Outcome(seed, fault="error", detail=f"{type(exc).__name__}: {exc}")]

    def close(self) -> None:
        self.worker.close()


class RayPool:
    """K Ray actors, each an :class:`EpisodeWorker`; failed actors are replaced (:class:`ActorPool`).

    Args:
        size: number of actors (simulator processes).
        episode_timeout_s: an episode running longer is treated as a hung worker.
        address: an existing Ray cluster to join; ``None`` starts one on this machine.
    """

    def __init__(
        self,
        config: WorkerConfig,
        make_constitution: Callable[[], Reviewer],
        size: int,
        episode_timeout_s: float,
        address: str | None = None,
    ) -> None:
        self.pool = ActorPool(_RayWorker, (config, make_constitution), size, episode_timeout_s, address)
        self.size = size

    def idle(self) -> int:
        return self.pool.idle()

    def pids(self) -> list[int]:
        """Process ids of the live actors (for fault-injection tests)."""
        return self.pool.pids()

    def submit(self, seed: int, tracker: DiversityTracker) -> None:
        self.pool.submit(seed, seed, tracker)

    def poll(self, timeout: float) -> list[Outcome]:
        return [
            Outcome(done.key, done.value)
            if done.fault is None
            else Outcome(done.key, fault=done.fault, detail=done.detail)
            for done in self.pool.poll(timeout)
        ]

    def close(self) -> None:
        self.pool.close()


class _RayWorker:
    """The actor body: an :class:`EpisodeWorker` plus its process id."""

    def __init__(self, config: WorkerConfig, make_constitution: Callable[[], Reviewer]) -> None:
        self.worker = EpisodeWorker(config, make_constitution())

    def run(self, seed: int, tracker: DiversityTracker) -> CollectedEpisode:
        return self.worker.run(seed, tracker)

    def pid(self) -> int:
        import os

        return os.getpid()
