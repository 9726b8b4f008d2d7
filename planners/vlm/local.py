"""A local transformers image-text-to-text model as a LangChain chat model.

:class:`LocalVisionChatModel` loads ``AutoProcessor`` and ``AutoModelForImageTextToText``
from a folder (``local_files_only``), turns LangChain messages whose content holds
``image_url`` parts (base64 data URLs) into the processor's chat format plus PIL images,
and generates within ``max_new_tokens`` and ``max_time_s``. Tool binding works as in
:class:`planners.llm.local.LocalChatModel`: a reply that decodes as a JSON object becomes
the bound tool's call, so ``with_structured_output`` parses it.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, PrivateAttr

from planners.llm.errors import BackendConfigError
from planners.llm.local import bind_openai_tools, load_local, reply_message


class LocalVisionChatModel(BaseChatModel):
    """Chat with a local vision-language model (processor + image-text-to-text model in one folder)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    max_new_tokens: int = 512
    max_time_s: float = 60.0
    _model: Any = PrivateAttr(default=None)
    _processor: Any = PrivateAttr(default=None)

    @classmethod
    def from_path(cls, path: str | Path, **settings: Any) -> LocalVisionChatModel:
        """Load processor and weights from ``path``; raises :class:`BackendConfigError`."""
        from transformers import AutoModelForImageTextToText, AutoProcessor

        chat = cls(model_path=str(path), **settings)
        chat._processor, chat._model = load_local(
            path, "an image-text-to-text model", AutoProcessor, AutoModelForImageTextToText
        )
        return chat

    @property
    def _llm_type(self) -> str:
        return "agentrt-local-vision"

    bind_tools = bind_openai_tools

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        import torch

        tools = kwargs.get("tools") or []
        conversation, images = to_processor_chat(messages, tools)
        processor, model = self._processor, self._model
        if processor is None or model is None:
            raise BackendConfigError(
                "LocalVisionChatModel was not loaded; use LocalVisionChatModel.from_path"
            )
        prompt = processor.apply_chat_template(conversation, add_generation_prompt=True)
        inputs = processor(images=images or None, text=prompt, return_tensors="pt")
        with torch.no_grad():
            out = model.generate(
                **inputs, max_new_tokens=self.max_new_tokens, max_time=self.max_time_s, do_sample=False
            )
        text = processor.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        return ChatResult(generations=[ChatGeneration(message=reply_message(text, tools))])


def to_processor_chat(
    messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[Any]]:
    """Messages in the processor's chat format (system folded into the first user turn) and the images."""
    system: list[str] = []
    conversation: list[dict[str, Any]] = []
    images: list[Any] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            system.append(str(message.content))
            continue
        role = "assistant" if isinstance(message, AIMessage) else "user"
        parts: list[dict[str, Any]] = []
        if isinstance(message, AIMessage) and message.tool_calls:
            parts.append(
                {"type": "text", "text": "\n".join(json.dumps(c["args"]) for c in message.tool_calls)}
            )
        elif isinstance(message.content, str):
            prefix = "Result of your call: " if isinstance(message, ToolMessage) else ""
            parts.append({"type": "text", "text": prefix + message.content})
        else:
            for part in message.content:
                if isinstance(part, dict) and part.get("type") == "image_url":
                    images.append(decode_data_url(part["image_url"]["url"]))
                    parts.append({"type": "image"})
                elif isinstance(part, dict) and part.get("type") == "text":
                    parts.append({"type": "text", "text": part["text"]})
        conversation.append({"role": role, "content": parts})
    if tools:
        function = tools[0]["function"]
        system.append(
            f"Answer by calling {function['name']}: reply with one JSON object, its arguments, matching this"
            f" JSON schema, and nothing else:\n{json.dumps(function.get('parameters', {}))}"
        )
    if system and conversation and conversation[0]["role"] == "user":
        conversation[0]["content"].insert(0, {"type": "text", "text": "\n\n".join(system)})
    elif system:
        conversation.insert(0, {"role": "user", "content": [{"type": "text", "text": "\n\n".join(system)}]})
    return conversation, images


def decode_data_url(url: str) -> Any:
    """A ``data:image/...;base64,`` URL as an RGB PIL image; raises ``ValueError`` for anything else."""
    from PIL import Image

    head, _, data = url.partition(",")
    if not head.startswith("data:image/") or ";base64" not in head:
        raise ValueError("only inline base64 images are accepted (no URLs are fetched)")
    return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
