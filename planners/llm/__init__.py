"""Language-model planning: the LLM planner, chat backends, cassettes, the LLM task proposer."""

from planners.llm.backends import ChatBackendConfig, make_chat_model
from planners.llm.cassette import Cassette, CassetteTransport
from planners.llm.errors import BackendConfigError, CassetteError, LanguageModelError
from planners.llm.retry import RetryPolicy

__all__ = [
    "BackendConfigError",
    "Cassette",
    "CassetteError",
    "CassetteTransport",
    "ChatBackendConfig",
    "LanguageModelError",
    "RetryPolicy",
    "make_chat_model",
]
