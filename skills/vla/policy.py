"""``VLAPolicy``: a trained :class:`VLAModel` with its normalisation, as a :class:`ChunkPolicy`.

``predict_chunk(obs, instruction)`` reads ``obs`` (scene observation dict, see
:mod:`skills.vla.protocol`), resizes each camera image to ``config.image_size``,
standardises the state, embeds the instruction with the frozen MiniLM (once per distinct
instruction), runs the model and un-normalises: a ``(chunk_size, action_dim)`` float32
chunk in env units whose row ``i`` is meant for the ``i``-th step at ``control_hz`` (10 Hz).
The policy itself is stateless between calls (temporal ensembling happens at execution,
in :mod:`skills.vla.ensemble`); ``reset()`` only re-seeds the flow head's noise, so the
same observations after a reset give the same chunks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
import torch

from skills.vla.config import CAMERA_OBS_KEYS, VLAConfig
from skills.vla.model import VLAModel
from skills.vla.normalize import Normalizer, NormStats
from skills.vla.vision import resize_images


class InstructionEncoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray:
        """``(N, 384)`` float32 embeddings."""


class VLAPolicy:
    """See the module docstring. Build with :func:`skills.vla.artifact.load_policy` or from training."""

    def __init__(
        self,
        model: VLAModel,
        stats: NormStats,
        text_encoder: InstructionEncoder | None = None,
        provenance: Mapping[str, object] | None = None,
    ) -> None:
        self.model = model.eval()
        self.config: VLAConfig = model.config
        self.stats = stats
        self.normalizer = Normalizer(stats)
        self.provenance = dict(provenance or {})
        self.chunk_size = self.config.chunk_size
        self.action_keys = tuple(self.config.action_keys)
        self.obs_keys = self.config.obs_keys
        self.control_hz = float(self.config.control_hz)
        self._text_encoder = text_encoder
        self._text_cache: dict[str, torch.Tensor] = {}
        self._generator = torch.Generator().manual_seed(self.config.seed)
        self.goal: np.ndarray | None = None
        """A goal ``(3,)`` (m, base frame) that replaces the goal head's prediction in the context
        (``goal_source == "keypoints"`` models): a diagnostic that separates finding the object
        from reaching it (``scripts/pick_failures.py --oracle-goal``). ``None``: the model's own."""

    def reset(self) -> None:
        """Re-seed the inference noise; nothing else is remembered between calls."""
        self._generator.manual_seed(self.config.seed)

    def embed(self, instruction: str) -> torch.Tensor:
        """``(384,)`` embedding of ``instruction``, computed once per distinct text."""
        cached = self._text_cache.get(instruction)
        if cached is None:
            if self._text_encoder is None:
                from skills.vla.text import load_text_encoder

                self._text_encoder = load_text_encoder()
            cached = torch.as_tensor(
                np.asarray(self._text_encoder.encode([instruction]))[0], dtype=torch.float32
            )
            self._text_cache[instruction] = cached
        return cached

    def inputs(self, obs: Mapping[str, np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
        """``images`` ``(1, K, 3, S, S)`` float32 in ``[0, 1]`` and standardised ``state`` ``(1, 18)``."""
        cams = []
        for camera in self.config.cameras:
            key = CAMERA_OBS_KEYS[camera]
            if key not in obs:
                raise KeyError(f"observation has no {key!r} (policy reads {self.obs_keys})")
            frame = torch.from_numpy(np.ascontiguousarray(obs[key], dtype=np.uint8))[None]
            cams.append(resize_images(frame, self.config.image_size, self.config.crops.get(camera))[0])
        images = torch.stack(cams)[None].float().div_(255.0)
        raw_state = obs.get("state") if self.config.use_state else None
        if self.config.use_state and raw_state is None:
            raise KeyError(f"observation has no 'state' (policy reads {self.obs_keys})")
        state = (
            torch.zeros(1, 18)
            if raw_state is None
            else torch.as_tensor(self.config.prepare_state(np.asarray(raw_state, np.float32)))[None]
        )
        return images, self.normalizer.state(state)

    @torch.inference_mode()
    def predict_chunk(self, obs: Mapping[str, np.ndarray], instruction: str) -> np.ndarray:
        """``(chunk_size, action_dim)`` float32 actions in env units for ``instruction``."""
        images, state = self.inputs(obs)
        goal = None
        if self.goal is not None:
            goal = self.normalizer.goal(torch.as_tensor(self.goal, dtype=torch.float32))[None]
        normalized = self.model.predict(images, self.embed(instruction)[None], state, self._generator, goal)
        return self.normalizer.unaction(normalized[0]).numpy().astype(np.float32)
