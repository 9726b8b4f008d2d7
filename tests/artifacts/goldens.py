"""Golden-output files shared by the VLA and the controller golden tests.

Each committed checkpoint ``NAME`` of a kind (``vla``, ``controllers``) has a folder
``tests/artifacts/<kind>/NAME/`` (``NAME`` keeps the checkpoint's sub-folders, e.g.
``candidates/sincos/kitchen-v0-navigation``) holding two safetensors files:

- ``input.safetensors``: the stored observations (rendered once from the simulator), with
  string metadata describing the calls to make (instructions, commands, ...);
- ``golden.safetensors``: what the checkpoint, loaded by its real loader, returned on them, with
  the sha256 of the checkpoint's files and the torch version in the metadata.

Regenerate with ``python -m tests.artifacts.regenerate`` (see :mod:`tests.artifacts.regenerate`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

ARTIFACTS = Path(__file__).parent
"""``tests/artifacts/``: one sub-folder per checkpoint kind."""
INPUT_FILE = "input.safetensors"
GOLDEN_FILE = "golden.safetensors"
_META_KEY = "agentrt_golden"
REGENERATE = "python -m tests.artifacts.regenerate"
"""The command that rewrites the goldens (``--inputs`` re-renders the stored inputs too)."""
ATOL = 1e-5
RTOL = 1e-5
"""Tolerance of every golden comparison. Measured on the committed goldens: two runs (same or fresh
process, one thread) agree bit for bit; two threads move the manipulation model's continuous outputs
(goal, pointer) by 4e-9 and oneDNN switched off (other conv kernels, as on another CPU) by 3e-8, the
actions not at all (the narrowest argmax among the action bins wins by 8e-3 in logits). 1e-5 leaves
300x room for that noise, and it is 10-35x below what a 1e-3 change of one controller output weight
does to the joint targets (1e-4 to 3.5e-4 rad)."""


class Golden:
    """Tensors ``name -> tensor`` plus string metadata, as stored in one safetensors file."""

    def __init__(self, tensors: Mapping[str, torch.Tensor], metadata: Mapping[str, str] | None = None):
        self.tensors = dict(tensors)
        self.metadata = dict(metadata or {})

    @classmethod
    def read(cls, path: Path) -> Golden:
        with safe_open(str(path), framework="pt") as f:
            tensors = {k: f.get_tensor(k) for k in f.keys()}
            stored = (f.metadata() or {}).get(_META_KEY, "{}")
        return cls(tensors, json.loads(stored))

    def write(self, path: Path) -> None:
        """Byte-for-byte the same file for the same contents (the metadata is one sorted JSON string:
        safetensors writes several metadata keys in a random order)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tensors = {k: v.detach().contiguous().cpu() for k, v in self.tensors.items()}
        save_file(tensors, str(path), metadata={_META_KEY: json.dumps(self.metadata, sort_keys=True)})


def golden_dir(kind: str, name: str) -> Path:
    """``tests/artifacts/<kind>/<name>/``."""
    return ARTIFACTS / kind / name


def stored_names(kind: str) -> list[str]:
    """Names (relative folders) of every golden stored for ``kind``."""
    root = ARTIFACTS / kind
    return sorted(str(p.parent.relative_to(root)) for p in root.rglob(GOLDEN_FILE))


def stored_pair(kind: str, name: str) -> tuple[Golden, Golden]:
    """``(inputs, golden)`` of checkpoint ``name``; a missing file fails with the command that makes it."""
    import pytest

    folder = golden_dir(kind, name)
    for file in (INPUT_FILE, GOLDEN_FILE):
        if not (folder / file).is_file():
            pytest.fail(f"checkpoint {name} has no {folder / file}: run `{REGENERATE} --kind {kind} {name}`")
    return Golden.read(folder / INPUT_FILE), Golden.read(folder / GOLDEN_FILE)


def sha256(*files: Path) -> str:
    """Hex digest over the bytes of ``files`` in order."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def assert_matches(actual: Golden, golden: Golden, *, atol: float = ATOL, rtol: float = RTOL) -> None:
    """Raise ``AssertionError`` unless ``actual`` has the golden's keys, shapes and values (NaN == NaN).

    The message names every differing tensor with its largest absolute error.
    """
    missing, extra = (
        sorted(set(golden.tensors) - set(actual.tensors)),
        sorted(set(actual.tensors) - set(golden.tensors)),
    )
    assert not missing and not extra, f"outputs missing {missing}, not in the golden {extra}"
    bad = []
    for key, want in golden.tensors.items():
        got = actual.tensors[key]
        if got.shape != want.shape or got.dtype != want.dtype:
            bad.append(f"{key}: {got.dtype}{tuple(got.shape)} != golden {want.dtype}{tuple(want.shape)}")
        elif not torch.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True):
            both = ~(torch.isnan(got) & torch.isnan(want))
            err = (got.double() - want.double()).abs()[both].nan_to_num(float("inf")).max()
            bad.append(f"{key}: max |error| {float(err):.3g}")
    assert not bad, "outputs differ from the golden: " + "; ".join(bad)


@contextmanager
def deterministic_torch() -> Iterator[None]:
    """One torch thread and deterministic algorithms for the duration (restored after)."""
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(deterministic)
        torch.set_num_threads(threads)
