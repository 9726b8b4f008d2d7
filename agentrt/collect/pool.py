"""Where episodes run: in this process, or on K Ray actors that are restarted when they fail.

Both executors offer ``submit(seed, tracker)`` and ``poll(timeout) -> [Outcome]``. The
Ray pool turns a dead actor (segfault, SIGKILL, OOM), a raised error (e.g. a diverged
simulation) or an episode past its time limit into a failed :class:`Outcome` and starts
a fresh actor in its place; the in-flight episode is simply dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

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
    """K Ray actors, each an :class:`EpisodeWorker`; failed actors are replaced.

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
        self.remote_cls = ray.remote(num_cpus=1, max_restarts=0)(_RayWorker)
        self.config = config
        self.make_constitution = make_constitution
        self.size = size
        self.timeout = episode_timeout_s
        self.actors = [self._spawn() for _ in range(size)]
        self.busy: dict[object, tuple[object, int, float]] = {}  # ref -> (actor, seed, started)

    def _spawn(self) -> object:
        return self.remote_cls.remote(self.config, self.make_constitution)

    def idle(self) -> int:
        return self.size - len(self.busy)

    def pids(self) -> list[int]:
        """Process ids of the live actors (for fault-injection tests)."""
        return self.ray.get([actor.pid.remote() for actor in self.actors])

    def submit(self, seed: int, tracker: DiversityTracker) -> None:
        in_use = {actor for actor, _, _ in self.busy.values()}
        actor = next(a for a in self.actors if a not in in_use)
        self.busy[actor.run.remote(seed, tracker)] = (actor, seed, time.monotonic())

    def poll(self, timeout: float) -> list[Outcome]:
        if not self.busy:
            return []
        ready, _ = self.ray.wait(list(self.busy), num_returns=1, timeout=timeout)
        out = []
        for ref in ready:
            actor, seed, _ = self.busy.pop(ref)
            try:
                out.append(Outcome(seed, self.ray.get(ref)))
            except self.ray.exceptions.RayActorError as exc:
                self._replace(actor)
                out.append(Outcome(seed, fault="crash", detail=_first_line(exc)))
            except self.ray.exceptions.RayTaskError as exc:
                self._replace(actor)
                out.append(Outcome(seed, fault="error", detail=_first_line(exc)))
        now = time.monotonic()
        for ref, (actor, seed, started) in list(self.busy.items()):
            if now - started > self.timeout:
                del self.busy[ref]
                self.ray.kill(actor)
                self._replace(actor)
                out.append(Outcome(seed, fault="timeout", detail=f"episode exceeded {self.timeout:.0f} s"))
        return out

    def _replace(self, actor: object) -> None:
        self.ray.kill(actor)
        self.actors[self.actors.index(actor)] = self._spawn()

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.ray.shutdown()


class _RayWorker:
    """The actor body: an :class:`EpisodeWorker` plus its process id."""

    def __init__(self, config: WorkerConfig, make_constitution: Callable[[], Reviewer]) -> None:
        self.worker = EpisodeWorker(config, make_constitution())

    def run(self, seed: int, tracker: DiversityTracker) -> CollectedEpisode:
        return self.worker.run(seed, tracker)

    def pid(self) -> int:
        import os

        return os.getpid()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
