"""A local transformers causal LM as a LangChain chat model (the ``transformers`` backend).

:class:`LocalChatModel` renders the conversation with the tokenizer's chat template,
generates greedily (or sampled, with ``temperature > 0``) within ``max_new_tokens`` and
``max_time_s``, and supports ``bind_tools`` so that LangChain's
``with_structured_output`` works: with a tool bound, the system prompt asks for the
tool's arguments as one JSON object, and a reply that decodes as a JSON object becomes a
tool call. Anything else stays plain text, which the structured-output parser reports
as "no structured output" and the planner sends back for repair. Weights are read from
a local folder only (``local_files_only``); nothing is downloaded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, PrivateAttr

from planners.llm.errors import BackendConfigError


def load_local(path: str | Path, what: str, processor_cls: Any, model_cls: Any) -> tuple[Any, Any]:
    """``(processor, model)`` from one local folder (no download), the model in eval mode.

    Raises:
        BackendConfigError: the folder does not hold what ``processor_cls`` and ``model_cls`` need.
    """
    try:
        processor = processor_cls.from_pretrained(path, local_files_only=True)
        model = model_cls.from_pretrained(path, local_files_only=True).eval()
    except (OSError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackendConfigError(f"cannot load {what} from {path}: {first}") from None
    return processor, model


def bind_openai_tools(
    self: BaseChatModel, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
) -> Any:
    """``bind_tools`` for the local chat models: tools (dict schemas, pydantic classes...) as OpenAI tools."""
    return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)


class LocalChatModel(BaseChatModel):
    """Chat with a local causal LM (tokenizer + ``AutoModelForCausalLM`` from one folder)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    max_new_tokens: int = 512
    temperature: float = 0.0
    max_time_s: float = 60.0
    _model: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)

    @classmethod
    def from_path(cls, path: str | Path, **settings: Any) -> LocalChatModel:
        """Load tokenizer and weights from ``path``; raises :class:`BackendConfigError`."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        chat = cls(model_path=str(path), **settings)
        chat._tokenizer, chat._model = load_local(path, "a causal LM", AutoTokenizer, AutoModelForCausalLM)
        return chat

    @property
    def _llm_type(self) -> str:
        return "agentrt-local-transformers"

    bind_tools = bind_openai_tools

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        tools = kwargs.get("tools") or []
        chat = to_chat_dicts(messages, tools)
        text = self._complete(chat)
        if stop:
            for word in stop:
                text = text.split(word)[0]
        return ChatResult(generations=[ChatGeneration(message=reply_message(text, tools))])

    def _complete(self, chat: list[dict[str, str]]) -> str:
        import torch

        tokenizer, model = self._tokenizer, self._model
        if tokenizer is None or model is None:
            raise BackendConfigError("LocalChatModel was not loaded; build it with LocalChatModel.from_path")
        ids = render(tokenizer, chat)
        sample = self.temperature > 0
        settings: dict[str, Any] = {"max_new_tokens": self.max_new_tokens, "max_time": self.max_time_s}
        settings.update(
            {"do_sample": True, "temperature": self.temperature} if sample else {"do_sample": False}
        )
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        with torch.no_grad():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), pad_token_id=pad, **settings)
        return tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)


def to_chat_dicts(messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """LangChain messages as ``{"role", "content"}`` dicts; bound tools described in the system turn."""
    out: list[dict[str, str]] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            out.append({"role": "system", "content": _text(message)})
        elif isinstance(message, ToolMessage):
            out.append({"role": "user", "content": f"Result of your call: {_text(message)}"})
        elif isinstance(message, AIMessage):
            calls = [json.dumps(c["args"]) for c in message.tool_calls]
            out.append({"role": "assistant", "content": "\n".join(calls) or _text(message)})
        elif isinstance(message, HumanMessage):
            out.append({"role": "user", "content": _text(message)})
    if tools:
        function = tools[0]["function"]
        ask = (
            f"Answer by calling {function['name']}: reply with one JSON object, its arguments, matching"
            f" this JSON schema, and nothing else:\n{json.dumps(function.get('parameters', {}))}"
        )
        if out and out[0]["role"] == "system":
            out[0] = {"role": "system", "content": out[0]["content"] + "\n\n" + ask}
        else:
            out.insert(0, {"role": "system", "content": ask})
    return out


def render(tokenizer: Any, chat: list[dict[str, str]]) -> Any:
    """Token ids ``(1, T)`` of the conversation plus the assistant's turn opening."""
    try:
        ids = tokenizer.apply_chat_template(chat, add_generation_prompt=True, return_tensors="pt")
    except Exception:  # no template, or one without a system role: fold system into the user turn
        merged = _fold_system(chat)
        try:
            ids = tokenizer.apply_chat_template(merged, add_generation_prompt=True, return_tensors="pt")
        except Exception:
            text = "\n\n".join(f"{m['role']}: {m['content']}" for m in merged) + "\n\nassistant:"
            ids = tokenizer(text, return_tensors="pt").input_ids
    if not hasattr(ids, "shape"):  # some tokenizers return a BatchEncoding
        ids = ids["input_ids"]
    return ids


def reply_message(text: str, tools: Sequence[dict[str, Any]]) -> AIMessage:
    """The generated text as an AI message: a tool call when a tool is bound and the text is a JSON object."""
    if tools:
        start = text.find("{")
        if start >= 0:
            try:
                value, _ = json.JSONDecoder().raw_decode(text[start:])
            except json.JSONDecodeError:
                value = None
            if isinstance(value, dict):
                name = tools[0]["function"]["name"]
                return AIMessage(content="", tool_calls=[{"name": name, "args": value, "id": "call_0"}])
    return AIMessage(content=text)


def _fold_system(chat: list[dict[str, str]]) -> list[dict[str, str]]:
    system = "\n\n".join(m["content"] for m in chat if m["role"] == "system")
    rest = [dict(m) for m in chat if m["role"] != "system"]
    if system and rest and rest[0]["role"] == "user":
        rest[0]["content"] = system + "\n\n" + rest[0]["content"]
    elif system:
        rest.insert(0, {"role": "user", "content": system})
    return rest


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content if isinstance(part, dict))
