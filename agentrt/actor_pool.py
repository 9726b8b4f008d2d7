"""Ray actors that run one job each at a time and are replaced when they fail.

The shared executor of autonomous collection (:mod:`agentrt.collect.pool`) and evaluation
(:mod:`evals.pool`). Each actor is one simulator process (one CPU). A job whose actor
died (segfault, SIGKILL, OOM), raised, or ran past the time limit comes back as a
:class:`Finished` with a ``fault``, and a fresh actor takes the failed one's place; the
callers decide what a fault means for their episode.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass
class Finished:
    """One job's end: its ``value``, or the ``fault`` (``crash``, ``error``, ``timeout``) and why."""

    key: Any
    value: Any = None
    fault: str | None = None
    detail: str = ""


class ActorPool:
    """``size`` actors of ``actor_cls(*args)``; a job is ``actor.run(*job_args)``.

    Args:
        actor_cls: the actor body; it must define ``run`` and ``pid`` (fault-injection tests find its
            processes by name, ``ray::<actor_cls.__name__>.run``).
        args: constructor arguments of every actor.
        size: number of actors.
        job_timeout_s: a job running longer is treated as a hung actor.
        address: an existing Ray cluster to join (``"auto"``, ``"ray://host:10001"``); ``None``
            starts Ray on this machine with ``size`` CPUs.
        env_vars: environment of the actor processes (e.g. a fixed ``PYTHONHASHSEED``).
    """

    def __init__(
        self,
        actor_cls: type,
        args: tuple[Any, ...],
        size: int,
        job_timeout_s: float,
        address: str | None = None,
        env_vars: dict[str, str] | None = None,
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
        options: dict[str, Any] = {"num_cpus": 1, "max_restarts": 0}
        if env_vars:
            options["runtime_env"] = {"env_vars": env_vars}
        self.remote_cls = ray.remote(**options)(actor_cls)
        self.args = args
        self.size = size
        self.timeout = job_timeout_s
        self.actors = [self._spawn() for _ in range(size)]
        self.busy: dict[Any, tuple[Any, Any, float]] = {}  # ref -> (actor, key, started)

    def _spawn(self) -> Any:
        return self.remote_cls.remote(*self.args)

    def idle(self) -> int:
        """Actors without a job."""
        return self.size - len(self.busy)

    def pids(self) -> list[int]:
        """Process ids of the live actors (for fault-injection tests)."""
        return self.ray.get([actor.pid.remote() for actor in self.actors])

    def submit(self, key: Any, *job_args: Any) -> None:
        """Start ``run(*job_args)`` on an idle actor; ``key`` comes back in its :class:`Finished`."""
        in_use = {actor for actor, _, _ in self.busy.values()}
        actor = next(a for a in self.actors if a not in in_use)
        self.busy[actor.run.remote(*job_args)] = (actor, key, time.monotonic())

    def poll(self, timeout: float) -> list[Finished]:
        """Jobs that ended within ``timeout`` seconds (at most one finished normally), plus timed-out ones."""
        if not self.busy:
            return []
        ready, _ = self.ray.wait(list(self.busy), num_returns=1, timeout=timeout)
        out = []
        for ref in ready:
            actor, key, _ = self.busy.pop(ref)
            try:
                out.append(Finished(key, self.ray.get(ref)))
            except self.ray.exceptions.RayActorError as exc:
                self._replace(actor)
                out.append(Finished(key, fault="crash", detail=_last_line(exc)))
            except self.ray.exceptions.RayTaskError as exc:
                self._replace(actor)
                out.append(Finished(key, fault="error", detail=_last_line(exc)))
        now = time.monotonic()
        for ref, (actor, key, started) in list(self.busy.items()):
            if now - started > self.timeout:
                del self.busy[ref]
                self._replace(actor)
                out.append(Finished(key, fault="timeout", detail=f"episode exceeded {self.timeout:.0f} s"))
        return out

    def _replace(self, actor: Any) -> None:
        self.ray.kill(actor)
        self.actors[self.actors.index(actor)] = self._spawn()

    def close(self) -> None:
        """Kill every actor and shut Ray down."""
        for actor in self.actors:
            self.ray.kill(actor)
        self.ray.shutdown()


def _last_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
