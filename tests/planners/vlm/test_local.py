"""The transformers image-text-to-text backend, on a tiny random LLaVA built here (no downloads)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from agentrt.testing import FakeEnv
from planners.llm.testing import build_tiny_vlm
from planners.vlm.describer import DescriptionError, VLMDescriber, png_data_url
from planners.vlm.local import LocalVisionChatModel, decode_data_url, to_processor_chat

from ..llm.cases import contract_scene


@pytest.fixture(scope="module")
def tiny_vlm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_vlm(tmp_path_factory.mktemp("tiny-vlm"))


def test_random_vlm_sees_the_image_and_its_nonsense_is_a_clear_error(tiny_vlm: Path) -> None:
    describer = VLMDescriber({"backend": "transformers", "model": str(tiny_vlm), "max_tokens": 8})
    with pytest.raises(DescriptionError, match="no valid scene report") as info:
        describer.describe(FakeEnv(contract_scene()))
    assert "\n" not in str(info.value) and describer.chat.requests == 2


def test_image_parts_become_processor_images(tiny_vlm: Path) -> None:
    url = png_data_url(np.full((8, 8, 3), 200, np.uint8))
    message = HumanMessage(
        content=[{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": url}}]
    )
    conversation, images = to_processor_chat([SystemMessage(content="rules"), message], [])
    assert len(images) == 1 and images[0].size == (8, 8) and images[0].getpixel((0, 0)) == (200, 200, 200)
    assert conversation[0]["content"][0] == {"type": "text", "text": "rules"}
    assert {"type": "image"} in conversation[0]["content"]
    text = LocalVisionChatModel.from_path(tiny_vlm, max_new_tokens=4).invoke([message]).content
    assert 0 < len(str(text).split()) <= 4


def test_only_inline_images_are_accepted() -> None:
    with pytest.raises(ValueError, match="only inline base64"):
        decode_data_url("http://example.com/cat.png")
