"""Language-model planning: the LLM planner, chat backends, cassettes, the LLM task proposer."""

from planners.llm.backends import BackendConfigError, ChatBackendConfig, make_chat_model
from planners.llm.cassette import Cassette, CassetteError, CassetteTransport
from planners.llm.retry import LanguageModelError, RetryPolicy

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
