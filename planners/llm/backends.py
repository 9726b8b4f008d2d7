"""Chat-model backends: the settings every language-model part shares, and the factory.

``openai`` builds LangChain's ``ChatOpenAI`` (the hosted API, or any OpenAI-compatible
server through ``base_url``: vLLM, Ollama, llama.cpp); ``transformers`` wraps a local
causal LM from a folder (:class:`planners.llm.local.LocalChatModel`). A ``cassette``
puts a record-and-replay HTTP transport under the real ``openai`` client
(:mod:`planners.llm.cassette`), so tests and demos run offline through the same code.

API keys are read from the environment only (``api_key_env``), handed to the client as
a secret, and never logged or stored in cassettes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from planners.llm.errors import BackendConfigError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

RECORD_ENV = "AGENTRT_RECORD_CASSETTES"
"""Set to ``1`` to record every configured cassette afresh against the real endpoint."""

StructuredOutput = Literal["json_schema", "function_calling", "json_mode"]


class ChatBackendConfig(BaseModel):
    """Which chat model to talk to and how patiently (shared by planner, describer, proposer)."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["openai", "transformers"] = Field(
        default="openai", description="openai: the OpenAI API or a compatible server; transformers: local"
    )
    model: str | None = Field(
        default=None, description="model name (openai) or the model's folder (transformers)"
    )
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (no key needed)"
    )
    api_key_env: str = Field(default="OPENAI_API_KEY", description="environment variable holding the key")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="sampling temperature")
    max_tokens: int = Field(default=1024, gt=0, description="most tokens per reply")
    seed: int | None = Field(default=0, description="sampling seed sent to the server (if it supports one)")
    timeout_s: float = Field(default=60.0, gt=0, description="seconds per request before it times out")
    max_retries: int = Field(
        default=2, ge=0, le=10, description="retries of a request after a timeout, 429 or 5xx"
    )
    backoff_s: float = Field(default=1.0, ge=0, description="first retry delay in s; doubles each retry")
    structured_output: StructuredOutput = Field(
        default="json_schema",
        description="how the reply is constrained: json_schema, function_calling, json_mode",
    )
    fold_system: bool = Field(
        default=False,
        description="send the system prompt inside the first user turn (models without a system role)",
    )
    cassette: Path | None = Field(
        default=None, description="replay (or record) HTTP exchanges from this file"
    )
    cassette_mode: Literal["replay", "record"] = Field(
        default="replay", description=f"replay the cassette, or record it (also when {RECORD_ENV}=1)"
    )


def make_chat_model(config: ChatBackendConfig) -> BaseChatModel:
    """Build the LangChain chat model ``config`` names; raises :class:`BackendConfigError`.

    With the ``openai`` backend and neither ``model`` nor ``base_url`` (nor a cassette), the
    embedded local model is used (:mod:`planners.llm.embedded`): its server starts on loopback
    on first use, and the request timeout defaults to ``EMBEDDED_TIMEOUT_S`` (2 shared cores).
    """
    if uses_embedded(config):
        config = embedded_config(config)
    if not config.model:
        raise BackendConfigError(f"the {config.backend} backend needs a model (--model NAME or PATH)")
    if config.backend == "transformers":
        from planners.llm.local import LocalChatModel

        path = Path(config.model)
        if not path.is_dir():
            raise BackendConfigError(f"transformers model folder {path} does not exist")
        return LocalChatModel.from_path(
            path,
            max_new_tokens=config.max_tokens,
            temperature=config.temperature,
            max_time_s=config.timeout_s,
        )
    return _openai_model(config)


EMBEDDED_TIMEOUT_S = 600.0
"""Seconds per request to the embedded model unless ``timeout_s`` is set: a plan takes minutes there."""


def uses_embedded(config: ChatBackendConfig) -> bool:
    """Whether ``config`` names no model at all (``openai`` backend; no model, base URL or cassette)."""
    return config.backend == "openai" and not config.model and not config.base_url and config.cassette is None


def embedded_config(config: ChatBackendConfig) -> ChatBackendConfig:
    """``config`` pointed at the embedded model's loopback server (started if it is not running)."""
    from planners.llm import embedded

    server = embedded.embedded_server()
    update: dict[str, Any] = {"model": embedded.QWEN_CODER_1_5B.name, "base_url": server.url}
    if "timeout_s" not in config.model_fields_set:
        update["timeout_s"] = EMBEDDED_TIMEOUT_S
    return config.model_copy(update=update)


def _openai_model(config: ChatBackendConfig) -> BaseChatModel:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    key = os.environ.get(config.api_key_env)
    replaying = config.cassette is not None and cassette_mode(config) == "replay"
    if not key:
        if config.base_url is None and not replaying:
            raise BackendConfigError(
                f"{config.api_key_env} is not set: the hosted OpenAI API needs a key in the environment"
                " (or pass --base-url for a local OpenAI-compatible server)"
            )
        key = "no-key-needed"  # local servers ignore it; the client insists on one
    kwargs: dict[str, Any] = {}
    if config.cassette is not None:
        import httpx

        from planners.llm.cassette import CassetteTransport

        mode = cassette_mode(config)
        try:
            transport = CassetteTransport(
                config.cassette, mode, kind="recorded", note=f"model {config.model}"
            )
        except (FileNotFoundError, ValueError) as exc:
            raise BackendConfigError(str(exc)) from None
        kwargs["http_client"] = httpx.Client(transport=transport, timeout=config.timeout_s)
    return ChatOpenAI(
        model=config.model,
        base_url=config.base_url,
        api_key=SecretStr(key),
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        seed=config.seed,
        timeout=config.timeout_s,
        max_retries=0,  # one retry policy for every backend: planners.llm.retry
        **kwargs,
    )


def cassette_mode(config: ChatBackendConfig) -> Literal["replay", "record"]:
    """``record`` when configured so or when ``AGENTRT_RECORD_CASSETTES=1``; else ``replay``."""
    return "record" if os.environ.get(RECORD_ENV) == "1" else config.cassette_mode


def describe_backend(config: ChatBackendConfig) -> str:
    """A short, key-free label for logs: ``openai:gpt-4o-mini@http://...``."""
    where = f"@{config.base_url}" if config.base_url else ""
    replay = f" (cassette {config.cassette.name})" if config.cassette else ""
    return f"{config.backend}:{config.model}{where}{replay}"
