"""Contract test over every registered external-VLA adapter, and how a folder finds its adapter."""

from __future__ import annotations

import inspect

import pytest

from skills.adapters import ADAPTERS

NAMES = ADAPTERS.names()


def test_the_built_in_adapters_are_registered() -> None:
    assert {"openvla", "smolvla"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_an_adapter_says_what_it_accepts_and_loads_a_chunk_policy(name: str) -> None:
    adapter = ADAPTERS.get(name)
    assert isinstance(adapter.priority, int)
    assert inspect.ismethod(adapter.accepts) and inspect.ismethod(adapter.load)
    assert callable(getattr(adapter, "predict_chunk", None)) and callable(getattr(adapter, "reset", None))
    # what load() returns satisfies ChunkPolicy: each adapter's own tests load a tiny local model


def _first(config: dict) -> str:
    ordered = sorted(ADAPTERS.items(), key=lambda item: (item[1].priority, item[0]))
    return next(name for name, adapter in ordered if adapter.accepts(config))


def test_a_folder_goes_to_the_first_adapter_that_accepts_it() -> None:
    assert _first({"type": "smolvla", "input_features": {}}) == "smolvla"
    assert _first({"model_type": "llava", "architectures": ["LlavaForConditionalGeneration"]}) == "openvla"
