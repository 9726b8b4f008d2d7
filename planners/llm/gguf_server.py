"""Serve a GGUF model on loopback with llama.cpp's own OpenAI-compatible HTTP server; nothing compiled.

The server is ``xllamacpp`` (PyPI, MIT): a prebuilt CPU wheel of llama.cpp's ``llama-server``,
which answers ``GET /v1/models`` and ``POST /v1/chat/completions`` (``response_format`` with a
JSON schema included), so the planner reaches it through LangChain and the ``openai`` client
with ``--base-url`` and no key. Install it with the ``llm-server`` extra.

Run one by hand (it listens on 127.0.0.1 only and runs until SIGTERM or Ctrl-C)::

    python -m planners.llm.gguf_server --model model.gguf --port 8080 --threads 1

and from code, as the loopback tests do, in its own process so that a crash in native code
becomes a clear :class:`ServerCrashed` (exit code and log tail) instead of a dead test run::

    with GGUFServer(GGUFServerConfig(model=path), log=tmp / "server.log") as server:
        with server.watch():
            planner.plan(...)   # against server.url

Two settings matter on the machines this project runs on:

- **Weight repacking is off by default** (llama.cpp's ``--no-repack``, ``no_extra_bufts``). On
  Intel Xeons with AMX, llama.cpp repacks quantized weights into extra CPU buffer types, and
  that path crashed the server (SIGSEGV) on its first completion. ``--repack`` (or
  ``AGENTRT_GGUF_REPACK=1``) turns it back on where it is known to work.
- **One thread, passive OpenMP waits by default.** The server shares 2 cores with the
  simulator; with OpenMP's default spin, 2 threads measured 10x slower than 1 while another
  process ran.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from agentrt.core.exit_codes import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK
from planners.llm.errors import ServerCrashed

REPACK_ENV = "AGENTRT_GGUF_REPACK"
"""Set to ``1`` to let llama.cpp repack weights into extra CPU buffer types (AMX, AVX-512 ...)."""


@dataclass(frozen=True)
class GGUFServerConfig:
    """How to serve one GGUF file.

    Attributes:
        model: path to the ``.gguf`` file.
        port: TCP port on ``host``; 0 picks a free one when started through :class:`GGUFServer`.
        host: address to listen on; loopback only, unless a user passes another on purpose.
        n_ctx: context length in tokens (prompt plus reply, per request).
        threads: CPU threads for generation and for prompt processing.
        alias: the model name ``/v1/models`` reports (default: the file's stem).
        repack: let llama.cpp repack weights into extra CPU buffer types (off: see the module
            docstring; ``AGENTRT_GGUF_REPACK=1`` turns it on when the flag is not given).
        seed: the sampler's seed, for repeatable replies at a given temperature.
    """

    model: Path
    port: int = 0
    host: str = "127.0.0.1"
    n_ctx: int = 8192
    threads: int = 1
    alias: str | None = None
    repack: bool = False
    seed: int = 0

    def argv(self) -> list[str]:
        """The command-line arguments of :func:`main` that give this configuration."""
        args = [
            "--model", str(self.model), "--host", self.host, "--port", str(self.port),
            "--n-ctx", str(self.n_ctx), "--threads", str(self.threads), "--seed", str(self.seed),
        ]  # fmt: skip
        if self.alias:
            args += ["--alias", self.alias]
        if self.repack:
            args.append("--repack")
        return args


def serve(config: GGUFServerConfig) -> None:
    """Serve ``config`` in this process until SIGTERM or SIGINT (blocks)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(config.model)
    params.model_alias = config.alias or Path(config.model).stem
    params.hostnames = [config.host]
    params.port = config.port
    params.n_ctx = config.n_ctx
    params.n_parallel = 1  # one slot: the whole context for one request, as the planner sends them
    params.cpuparams.n_threads = config.threads
    params.cpuparams_batch.n_threads = config.threads
    params.no_extra_bufts = not config.repack
    params.sampling.seed = config.seed
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = xllamacpp.Server(params)  # loads the model and listens; serves on its own threads
    print(f"agentrt gguf server: listening on {server.listening_address}", flush=True)
    stop.wait()
    del server


def main(argv: list[str] | None = None) -> int:
    """``python -m planners.llm.gguf_server``: serve a GGUF file; exit 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog="python -m planners.llm.gguf_server", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--model", type=Path, required=True, help="the .gguf file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--n-ctx", type=int, default=8192, help="context length, tokens")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--alias", default=None, help="model name /v1/models reports")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repack", action="store_true", default=os.environ.get(REPACK_ENV) == "1",
        help=f"let llama.cpp repack weights for this CPU (off by default; or {REPACK_ENV}=1)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    problems = []
    if not args.model.is_file():
        problems.append(f"no GGUF file at {args.model}")
    if not 0 < args.port < 65536:
        problems.append(f"--port must be 1-65535, got {args.port}")
    if args.threads < 1 or args.n_ctx < 1:
        problems.append("--threads and --n-ctx must be positive")
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        problems.append("xllamacpp is not installed: pip install -e '.[llm-server]'")
    if problems:
        print("error: " + "; ".join(problems), file=sys.stderr)
        return EXIT_BAD_INPUT
    config = GGUFServerConfig(
        model=args.model, port=args.port, host=args.host, n_ctx=args.n_ctx, threads=args.threads,
        alias=args.alias, repack=args.repack, seed=args.seed,
    )  # fmt: skip
    try:
        serve(config)
    except Exception as exc:  # the model failed to load, the port is taken ...
        print(f"error: the server did not start: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


class GGUFServer:
    """One server process on loopback, started and watched from this one.

    ``start()`` returns once ``GET /v1/models`` answers (bounded by ``startup_s``); after each
    request, :meth:`check` (or the :meth:`watch` context) raises :class:`ServerCrashed` if the
    process has died. Stop it with :meth:`stop`, or use it as a context manager.
    """

    def __init__(self, config: GGUFServerConfig, log: Path, startup_s: float = 120.0) -> None:
        if config.port == 0:
            config = GGUFServerConfig(**{**config.__dict__, "port": _free_port(config.host)})
        self.config, self.log, self.startup_s = config, Path(log), startup_s
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The OpenAI-compatible base URL, ending in ``/v1``."""
        return f"http://{self.config.host}:{self.config.port}/v1"

    def start(self) -> GGUFServer:
        import httpx

        command = [sys.executable, "-m", "planners.llm.gguf_server", *self.config.argv()]
        env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}  # no busy-waiting threads on a shared machine
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + self.startup_s
        while time.monotonic() < deadline:
            self.check("while starting")
            try:
                if httpx.get(f"{self.url}/models", timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the GGUF server did not answer within {self.startup_s:.0f} s; see {self.log}")

    def check(self, when: str = "after a request") -> None:
        """Raise :class:`ServerCrashed` if the process is no longer running."""
        if self.process is None:
            raise RuntimeError("the GGUF server was never started")
        code = self.process.poll()
        if code is not None:
            raise ServerCrashed(code, self.log_tail(), when)

    @contextmanager
    def watch(self) -> Iterator[None]:
        """Check the server after the block, also when the block failed (the crash is the cause)."""
        try:
            yield
        except BaseException as exc:
            try:
                self.process.wait(timeout=2.0) if self.process else None
            except subprocess.TimeoutExpired:
                pass
            self.check("during a request")
            raise exc
        self.check()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Terminate, then kill if it has not exited within 10 s (it may be mid-generation)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> GGUFServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
