"""OpenVLA through transformers: a local checkpoint folder as a :class:`ChunkPolicy` for arm skills.

What the adapter does per call (one 10 Hz step; ``chunk_size = 1``):

1. The camera image ``obs[image_key]`` (``(H, W, 3)`` uint8, default the head camera) and the
   prompt ``"In: What action should the robot take to {instruction}?\\nOut:"`` go through the
   folder's ``AutoProcessor`` (it resizes and normalises the image). A LLaVA-style processor
   that needs an image placeholder gets its ``image_token`` put in front; OpenVLA's own
   (Prismatic) processor does not use one.
2. ``generate`` greedily produces ``action_dim`` (7) new tokens.
3. De-tokenisation as in OpenVLA: the action tokens are the vocabulary's last ``n_bins``
   (256) ids; ``bin = clip(vocab_size - id - 1, 0, n_bins - 2)`` indexes the 255 centres of
   256 uniform bins over ``[-1, 1]``. ``vocab_size`` is the text model's vocabulary less
   ``pad_to_multiple_of`` (OpenVLA pads 32000 to 32064).
4. Un-normalisation with the checkpoint's action statistics (``norm_stats[unnorm_key]["action"]``
   from ``config.json`` or ``dataset_statistics.json``): ``a = (x + 1) / 2 * (q99 - q01) + q01``
   where ``mask`` is true, else ``a = x``.
5. Conversion to our arm action (:mod:`agentrt.core.actions`). Assumptions, each a config field:
   OpenVLA's ``(dx, dy, dz)`` are metres per step and ``(droll, dpitch, dyaw)`` radians per step in
   a frame whose axes are ours (robot base: x forward, y left, z up) up to ``frame_rotation``
   (applied to both vectors: exact for translations, first-order for small rotations), times
   ``translation_scale`` / ``rotation_scale`` (e.g. 0.5 to run a 5 Hz dataset's deltas at 10 Hz);
   the gripper is ``1 = open, 0 = closed`` (Bridge/OXE after OpenVLA's transforms), mapped to our
   ``+1 = close, -1 = open`` as ``1 - 2 g`` (``gripper_open_value = 0`` flips it). The result
   is clipped to our per-step limits.

Missing folder, weights, or statistics raise :class:`FileNotFoundError` naming what is missing;
weights that leave a parameter of the model unfilled raise :class:`ValueError` (transformers
alone would warn and keep it random). A folder whose ``config.json`` has an ``auto_map`` (OpenVLA's
own Prismatic code) is loaded with that code (``trust_remote_code``), through the class the map
names, since transformers 5 no longer has ``AutoModelForVision2Seq``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from agentrt.core.actions import ARM_KEY, CONTROL_HZ, MAX_EE_STEP_M, MAX_EE_STEP_RAD
from skills.adapters import ADAPTERS

PROMPT = "In: What action should the robot take to {instruction}?\nOut:"
WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


class OpenVLAConfig(BaseModel):
    """How an OpenVLA-style checkpoint is read and its actions mapped to ours."""

    model_config = ConfigDict(extra="forbid")

    image_key: str = Field(default="head_rgb", description="observation key of the camera fed to the model")
    prompt: str = Field(default=PROMPT, description="prompt template with an {instruction} field")
    unnorm_key: str | None = Field(
        default=None, description="dataset whose action statistics un-normalise (needed if several)"
    )
    action_dim: int = Field(default=7, ge=1, description="action tokens generated per step")
    n_bins: int = Field(default=256, ge=2, description="uniform bins over [-1, 1] (OpenVLA: 256)")
    translation_scale: float = Field(default=1.0, gt=0, description="multiplies dx, dy, dz")
    rotation_scale: float = Field(default=1.0, gt=0, description="multiplies droll, dpitch, dyaw")
    frame_rotation: list[list[float]] = Field(
        default_factory=lambda: np.eye(3).tolist(),
        description="3x3 rotation from OpenVLA's frame to our base frame",
    )
    gripper_open_value: Literal[0.0, 1.0] = Field(
        default=1.0, description="OpenVLA gripper value meaning open"
    )
    append_token_id: int | None = Field(
        default=None, description="token appended to the prompt if absent (OpenVLA's Llama: 29871)"
    )
    trust_remote_code: bool | None = Field(
        default=None, description="None: trust the folder's code exactly when config.json has an auto_map"
    )
    device: str = Field(default="cpu", description="torch device")

    @field_validator("frame_rotation")
    @classmethod
    def _rotation(cls, value: list[list[float]]) -> list[list[float]]:
        r = np.asarray(value, dtype=float)
        if r.shape != (3, 3) or not np.allclose(r @ r.T, np.eye(3), atol=1e-6):
            raise ValueError("frame_rotation must be a 3x3 rotation matrix")
        return value


def detokenize(token_ids: np.ndarray, vocab_size: int, n_bins: int = 256) -> np.ndarray:
    """OpenVLA action token ids ``(A,)`` -> normalised actions ``(A,)`` in ``[-1, 1]`` (bin centres)."""
    bins = np.linspace(-1.0, 1.0, n_bins)
    centers = (bins[:-1] + bins[1:]) / 2.0
    index = np.clip(vocab_size - np.asarray(token_ids, dtype=np.int64) - 1, 0, len(centers) - 1)
    return centers[index]


def unnormalize(normalized: np.ndarray, stats: Mapping[str, Any]) -> np.ndarray:
    """``[-1, 1]`` -> dataset units with the ``q01``/``q99`` statistics (dims with ``mask`` false pass)."""
    low, high = np.asarray(stats["q01"], float), np.asarray(stats["q99"], float)
    mask = np.asarray(stats.get("mask", np.ones_like(low, dtype=bool)), dtype=bool)
    return np.where(mask, 0.5 * (normalized + 1.0) * (high - low) + low, normalized)


def to_arm_action(action: np.ndarray, config: OpenVLAConfig) -> np.ndarray:
    """OpenVLA's 7-D action -> our ``(7,)`` float32 arm action (see the module docstring)."""
    r = np.asarray(config.frame_rotation, dtype=float)
    move = config.translation_scale * (r @ action[:3])
    turn = config.rotation_scale * (r @ action[3:6])
    open_amount = action[6] if config.gripper_open_value == 1.0 else 1.0 - action[6]
    out = np.concatenate(
        [
            np.clip(move, -MAX_EE_STEP_M, MAX_EE_STEP_M),
            np.clip(turn, -MAX_EE_STEP_RAD, MAX_EE_STEP_RAD),
            [np.clip(1.0 - 2.0 * open_amount, -1.0, 1.0)],
        ]
    )
    return out.astype(np.float32)


@ADAPTERS.register("openvla")
class OpenVLAAdapter:
    """A :class:`~skills.vla.protocol.ChunkPolicy` over a loaded OpenVLA-style model (one action per chunk).

    Build with :meth:`from_pretrained`. ``action_keys = ("arm",)``; reads ``obs[image_key]``.
    """

    chunk_size = 1
    action_keys = (ARM_KEY,)
    control_hz = float(CONTROL_HZ)

    def __init__(
        self,
        model: Any,
        processor: Any,
        action_stats: Mapping[str, Any],
        vocab_size: int,
        config: OpenVLAConfig,
    ) -> None:
        self.model, self.processor, self.config = model, processor, config
        self.action_stats = dict(action_stats)
        self.vocab_size = vocab_size
        self.obs_keys = (config.image_key,)
        if len(self.action_stats["q01"]) != config.action_dim:
            raise ValueError(
                f"action statistics have {len(self.action_stats['q01'])} dims, expected {config.action_dim}"
            )

    priority = 100
    """Asked last: any transformers vision-to-text folder is read as OpenVLA."""

    @classmethod
    def accepts(cls, config: Mapping[str, Any]) -> bool:
        """Any folder with a ``config.json`` (a transformers checkpoint; OpenVLA drives the arm only)."""
        return True

    @classmethod
    def load(cls, path: Path, action_keys: tuple[str, ...]) -> OpenVLAAdapter:
        return cls.from_pretrained(path)

    @classmethod
    def from_pretrained(cls, path: str | Path, **overrides: Any) -> OpenVLAAdapter:
        """Load the folder at ``path`` (config, weights, processor files, action statistics)."""
        config = OpenVLAConfig(**overrides)
        path = Path(path)
        hf_config = _read_folder(path)
        stats = _action_stats(path, hf_config, config.unnorm_key)
        from transformers import AutoModelForImageTextToText, AutoProcessor

        auto_map = hf_config.get("auto_map", {})
        trust = bool(auto_map) if config.trust_remote_code is None else config.trust_remote_code
        remote = auto_map.get("AutoModelForImageTextToText") or auto_map.get("AutoModelForVision2Seq")
        try:
            processor = AutoProcessor.from_pretrained(path, trust_remote_code=trust)
            if trust and remote:  # OpenVLA's own class (the auto class it names is gone from transformers 5)
                from transformers.dynamic_module_utils import get_class_from_dynamic_module

                model_cls: Any = get_class_from_dynamic_module(remote, str(path))
            else:
                model_cls = AutoModelForImageTextToText
            model, info = model_cls.from_pretrained(path, trust_remote_code=trust, output_loading_info=True)
        except OSError as exc:
            raise FileNotFoundError(f"cannot load the OpenVLA checkpoint at {path}: {exc}") from None
        missing = sorted(info.get("missing_keys") or []) + sorted(info.get("mismatched_keys") or [])
        if missing:  # transformers would carry on with those weights random: refuse
            raise ValueError(
                f"{path}: the weights do not fill {type(model).__name__}: {len(missing)} "
                f"missing or mismatched, e.g. {missing[:3]}"
            )
        model = model.to(config.device).eval()
        text = hf_config.get("text_config", hf_config)
        vocab_size = int(text["vocab_size"]) - int(hf_config.get("pad_to_multiple_of") or 0)
        return cls(model, processor, stats, vocab_size, config)

    def reset(self) -> None:
        """OpenVLA keeps no history."""

    def predict_chunk(self, obs: Mapping[str, np.ndarray], instruction: str) -> np.ndarray:
        """``(1, 7)`` float32 arm action in env units for ``instruction``."""
        import torch
        from PIL import Image

        image = Image.fromarray(np.asarray(obs[self.config.image_key], dtype=np.uint8))
        prompt = self.config.prompt.format(instruction=instruction.strip().rstrip(".").lower())
        marker = getattr(self.processor, "image_token", None)
        if marker and marker not in prompt:
            prompt = f"{marker}{prompt}"
        inputs = self.processor(text=prompt, images=image, return_tensors="pt")
        extra = self.config.append_token_id
        if extra is not None and int(inputs["input_ids"][0, -1]) != extra:
            inputs["input_ids"] = torch.cat([inputs["input_ids"], torch.tensor([[extra]])], dim=1)
            inputs["attention_mask"] = torch.cat(
                [inputs["attention_mask"], torch.ones((1, 1), dtype=torch.long)], 1
            )
        inputs = {k: v.to(self.config.device) for k, v in inputs.items()}
        n = self.config.action_dim
        with torch.inference_mode():
            generated = self.model.generate(**inputs, max_new_tokens=n, min_new_tokens=n, do_sample=False)
        ids = generated[0, -n:].cpu().numpy()
        action = unnormalize(detokenize(ids, self.vocab_size, self.config.n_bins), self.action_stats)
        return to_arm_action(action, self.config)[None, :]


def _read_folder(path: Path) -> dict[str, Any]:
    if not path.is_dir():
        raise FileNotFoundError(f"no OpenVLA checkpoint folder at {path}")
    config = path / "config.json"
    if not config.is_file():
        raise FileNotFoundError(f"{path} has no config.json: not a transformers checkpoint folder")
    if not any((path / name).is_file() for name in WEIGHT_FILES) and not list(path.glob("*.safetensors")):
        raise FileNotFoundError(f"no weights in {path} (expected one of {', '.join(WEIGHT_FILES)})")
    return json.loads(config.read_text())


def _action_stats(path: Path, hf_config: Mapping[str, Any], unnorm_key: str | None) -> dict[str, Any]:
    """``norm_stats[key]["action"]`` from config.json, else from dataset_statistics.json."""
    stats = hf_config.get("norm_stats")
    extra = path / "dataset_statistics.json"
    if not stats and extra.is_file():
        stats = json.loads(extra.read_text())
    if not stats:
        raise FileNotFoundError(
            f"no action statistics for {path}: neither config.json 'norm_stats' nor dataset_statistics.json"
        )
    if unnorm_key is None:
        if len(stats) != 1:
            raise ValueError(f"the checkpoint has statistics for {sorted(stats)}; choose one with unnorm_key")
        unnorm_key = next(iter(stats))
    if unnorm_key not in stats:
        raise ValueError(f"no statistics named {unnorm_key!r}; the checkpoint has {sorted(stats)}")
    return dict(stats[unnorm_key]["action"])


__all__ = ["PROMPT", "OpenVLAAdapter", "OpenVLAConfig", "detokenize", "to_arm_action", "unnormalize"]
