"""Which learned checkpoint drives which skill, and building the learned skill set for a scene.

Shipped checkpoints live in ``skills/vla/checkpoints/`` as ``<scene>-<family>.safetensors``
(weights) beside ``.json`` (config, normalisation) and ``.md`` (model card). A *family* is
one model trained on several skills' frames (:func:`families`, from the VLA presets); a file
named after a single skill (``kitchen-v0-pick.safetensors``) drives only that skill and wins over its family.

:func:`load_chunk_policy` opens any checkpoint a user may point at: one of ours (a
``.safetensors`` artifact, read by :func:`skills.vla.artifact.load_policy`), or a folder
holding an external VLA (an OpenVLA-style transformers folder, or a lerobot SmolVLA folder;
see :mod:`skills.adapters`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skills.learned import LEARNED_SKILLS, LearnedSkill
from skills.vla.ensemble import ExecutionConfig
from skills.vla.protocol import ChunkPolicy

CHECKPOINT_DIR = Path(__file__).parent / "checkpoints"
"""Where shipped checkpoints live (installed with the package)."""


def families() -> dict[str, tuple[str, ...]]:
    """Skill family -> the skills one checkpoint of that family drives (the presets' ``skills``)."""
    from skills.vla.config import PRESETS

    return {name: tuple(config.skills) for name, config in PRESETS.items()}


class CheckpointError(FileNotFoundError):
    """No usable checkpoint: missing file or folder, or none shipped for a scene."""


def shipped_checkpoints(scene_id: str, directory: Path | None = None) -> dict[str, Path]:
    """Skill name -> the shipped ``.safetensors`` that drives it in ``scene_id`` (may be empty)."""
    directory = CHECKPOINT_DIR if directory is None else directory
    found: dict[str, Path] = {}
    for family, skills in families().items():
        path = directory / f"{scene_id}-{family}.safetensors"
        if path.is_file():
            found.update(dict.fromkeys(skills, path))
    for skill in LEARNED_SKILLS:
        path = directory / f"{scene_id}-{skill}.safetensors"
        if path.is_file():
            found[skill] = path
    return dict(sorted(found.items()))


def load_chunk_policy(path: str | Path, action_keys: tuple[str, ...] = ("arm",)) -> ChunkPolicy:
    """Open a checkpoint as a :class:`ChunkPolicy`.

    Args:
        path: our artifact (``.safetensors`` file, or its path without the suffix), or a folder
            with an external VLA, read by the first adapter of ``skills.adapters.ADAPTERS`` that
            accepts its ``config.json`` (``type == "smolvla"``: lerobot SmolVLA; otherwise a
            transformers vision-to-text folder read as OpenVLA).
        action_keys: the action group an external VLA's output is mapped to (SmolVLA can drive
            ``("base",)`` too; OpenVLA only ``("arm",)``). Our artifacts declare their own.

    Raises:
        CheckpointError: nothing at ``path``, or an incomplete or inconsistent artifact.
        ImportError: the loader's package is not installed (the message says which).
    """
    path = Path(path)
    if path.is_dir():
        from skills.adapters import ADAPTERS

        config = _json(path / "config.json")
        for _, adapter in sorted(ADAPTERS.items(), key=lambda item: (item[1].priority, item[0])):
            if adapter.accepts(config):
                return adapter.load(path, action_keys)
        raise CheckpointError(f"no adapter ({', '.join(ADAPTERS.names())}) reads the folder {path}")
    try:
        from skills.vla.artifact import VLAArtifactError, artifact_paths, load_policy
    except ImportError as exc:
        raise ImportError(f"cannot load {path}: skills.vla.artifact is unavailable ({exc})") from exc
    weights, config = artifact_paths(path)
    if not weights.is_file() and not config.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    _inference_threads()
    try:
        return load_policy(weights)
    except VLAArtifactError as exc:
        raise CheckpointError(str(exc)) from None


INFERENCE_THREADS_ENV = "AGENTRT_TORCH_THREADS"


def _inference_threads() -> None:
    """Run our VLAs on one torch thread unless ``$AGENTRT_TORCH_THREADS`` says otherwise.

    The policy shares the process (and a small CPU) with the simulator: with two spinning
    OpenMP threads one waits on the core PyBullet is using, and chunk latency went bimodal
    (7.6 ms to 913 ms measured on 2 cores); one thread gave 8.7 ms p50 / 9.8 ms p95.
    """
    import os

    import torch

    threads = int(os.environ.get(INFERENCE_THREADS_ENV, "1"))
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def learned_skills(
    scene_id: str,
    ckpts: Mapping[str, str | Path] | None = None,
    *,
    execution: ExecutionConfig | None = None,
    directory: Path | None = None,
) -> dict[str, LearnedSkill]:
    """The learned ``navigate_to``, ``pick`` and ``place`` for ``scene_id``.

    Args:
        scene_id: e.g. ``"kitchen-v0"``; picks the shipped checkpoints.
        ckpts: skill name -> checkpoint path, overriding the shipped ones (any form
            :func:`load_chunk_policy` accepts). A checkpoint used by several skills is loaded once.
        execution: how chunks are executed (default: ACT temporal ensembling).
        directory: where shipped checkpoints are looked for (default :data:`CHECKPOINT_DIR`).

    Raises:
        CheckpointError: a skill has no checkpoint (none shipped for the scene and none given),
            or a given path does not exist.
        ValueError: ``ckpts`` names an unknown skill, or a policy's action keys do not fit its skill.
    """
    unknown = sorted(set(ckpts or {}) - set(LEARNED_SKILLS))
    if unknown:
        raise ValueError(f"no learned skill named {unknown}; learned skills: {', '.join(LEARNED_SKILLS)}")
    paths = {**shipped_checkpoints(scene_id, directory), **{k: Path(v) for k, v in (ckpts or {}).items()}}
    missing = [name for name in LEARNED_SKILLS if name not in paths]
    if missing:
        where = CHECKPOINT_DIR if directory is None else directory
        raise CheckpointError(
            f"no learned checkpoint for {', '.join(missing)} in scene {scene_id!r}: none shipped in {where} "
            f"(expected {scene_id}-<{'|'.join(families())}>.safetensors); pass one or use the scripted skills"
        )
    loaded: dict[tuple[Path, tuple[str, ...]], ChunkPolicy] = {}
    out: dict[str, LearnedSkill] = {}
    for name, cls in LEARNED_SKILLS.items():
        key = (paths[name], tuple(cls.action_keys))
        if key not in loaded:
            loaded[key] = load_chunk_policy(*key)
        out[name] = cls(loaded[key], execution=execution, checkpoint=str(paths[name]))
    return out


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CheckpointError(f"{path.parent} is not a checkpoint folder: it has no config.json")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path} is not valid JSON: {exc}") from None


__all__ = [
    "CHECKPOINT_DIR",
    "families",
    "CheckpointError",
    "learned_skills",
    "load_chunk_policy",
    "shipped_checkpoints",
]
