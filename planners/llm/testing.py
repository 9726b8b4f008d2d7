"""Tiny randomly initialised models, built locally, to test the transformers backends offline.

Nothing is downloaded: the tokenizer is a word-level vocabulary made here, the weights are
random (seeded). The models generate nonsense, which is what the tests need: the loading,
chat-template, generation and structured-output paths run for real, and the planner must
turn the nonsense into a clear :class:`~agentrt.core.plan.PlanningError`.
"""

from __future__ import annotations

from pathlib import Path

_WORDS = (
    '{ } [ ] : , " true false null feasible reason goal steps skill args explanation object place receptacle'
    " navigate_to pick place in robot_at holding mug_0 apple_0 counter sink the a to put red mug green apple"
)
TEXT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)
VISION_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image>{% else %}{{ c['text'] }}{% endif %}{% endfor %}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)


def tiny_tokenizer(template: str = TEXT_TEMPLATE):  # -> PreTrainedTokenizerFast
    """A whitespace word-level tokenizer over a few dozen planning words (others are ``<unk>``)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "<image>": 4}
    for word in _WORDS.split():
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>"
    )
    fast.add_tokens(["<image>"], special_tokens=True)  # split out even when glued to other text
    fast.chat_template = template
    return fast


def _llama(vocab_size: int):  # -> LlamaConfig
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=8192,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
    )


def build_tiny_causal_lm(path: str | Path, seed: int = 0) -> Path:
    """Write a 1-layer random Llama and its tokenizer to ``path``; returns ``path``."""
    import torch
    from transformers import LlamaForCausalLM

    path = Path(path)
    tokenizer = tiny_tokenizer()
    torch.manual_seed(seed)
    LlamaForCausalLM(_llama(len(tokenizer))).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def build_tiny_vlm(path: str | Path, seed: int = 0) -> Path:
    """Write a random LLaVA (16x16 images, 8-pixel patches, 1-layer CLIP and Llama) and its processor."""
    import torch
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    path = Path(path)
    tokenizer = tiny_tokenizer(VISION_TEMPLATE)
    vision = CLIPVisionConfig(
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        image_size=16,
        patch_size=8,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=_llama(len(tokenizer)),
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
    )
    torch.manual_seed(seed)
    LlavaForConditionalGeneration(config).save_pretrained(path)
    images = CLIPImageProcessor(size={"shortest_edge": 16}, crop_size={"height": 16, "width": 16})
    processor = LlavaProcessor(
        image_processor=images,
        tokenizer=tokenizer,
        patch_size=8,
        vision_feature_select_strategy="default",
        chat_template=VISION_TEMPLATE,
        num_additional_image_tokens=1,
    )
    processor.save_pretrained(path)
    return path


def serve_gguf(model: str | Path, log: Path, startup_s: float = 120.0, threads: int = 1):  # -> GGUFServer
    """Start llama.cpp's server (``xllamacpp``) for a GGUF on 127.0.0.1, a free port; bounded wait.

    Returns the started :class:`~planners.llm.gguf_server.GGUFServer` (``.url``, ``.watch()``,
    ``.stop()``); weight repacking is off, one thread. Needs the ``llm-server`` extra.
    """
    from planners.llm.gguf_server import GGUFServer, GGUFServerConfig

    config = GGUFServerConfig(model=Path(model), threads=threads, alias=Path(model).stem)
    return GGUFServer(config, log=log, startup_s=startup_s).start()


def without_embedded_model(monkeypatch) -> None:  # monkeypatch: pytest.MonkeyPatch
    """Make the embedded local model look uninstalled, whatever this machine has (for tests)."""
    import dataclasses

    from planners.llm import embedded

    missing = dataclasses.replace(embedded.QWEN_CODER_1_5B, package="agentrt_missing_test_part{i}")
    monkeypatch.setattr(embedded, "QWEN_CODER_1_5B", missing)
    monkeypatch.setattr(embedded, "_SERVER", None)
    monkeypatch.setenv(embedded.CACHE_ENV, "/nonexistent/agentrt-test-cache")


def gemma_settings(url: str, **extra: object) -> dict[str, object]:
    """Planner settings that suit the small Gemma server: JSON mode, system folded in, short replies."""
    return {
        "model": "gemma-3-270m", "base_url": url, "structured_output": "json_mode", "fold_system": True,
        "max_tokens": 160, "timeout_s": 240.0, "max_retries": 0, "max_repairs": 1, **extra,
    }  # fmt: skip
