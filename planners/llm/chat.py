"""Ask a LangChain chat model for structured output and turn every failure into feedback.

:class:`StructuredChat` is shared by the planner, the VLM describer and the task
proposer: it sends messages through ``with_structured_output(schema, include_raw=True)``
under the retry policy, validates the parsed JSON with a pydantic model, and returns a
:class:`Reply` whose ``errors`` say (in words the model can act on) what was wrong.
The reply's JSON is data: it is validated, never evaluated.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from planners.llm.backends import StructuredOutput
from planners.llm.retry import RetryPolicy, call_with_retries

M = TypeVar("M", bound=BaseModel)


@dataclass
class Reply(Generic[M]):
    """One answer: the raw message, the validated data (``None`` if invalid), the errors."""

    raw: Any
    data: M | None
    errors: list[str] = field(default_factory=list)


class StructuredChat:
    """Structured requests to one chat model.

    Args:
        model: any LangChain ``BaseChatModel``.
        method: ``json_schema``, ``function_calling`` or ``json_mode`` (the schema then
            goes into the system prompt via :func:`schema_instructions`).
        policy: retries and backoff for transient failures.
        what: names the model in error messages.
        sleep: the waiting function (tests pass a fake).
    """

    def __init__(
        self,
        model: Any,
        method: StructuredOutput,
        policy: RetryPolicy,
        what: str = "the language model",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = model
        self.method = method
        self.policy = policy
        self.what = what
        self.sleep = sleep
        self.requests = 0
        """Requests that got an answer (retries of one request count once)."""

    def ask(self, messages: Sequence[Any], schema: dict[str, Any], draft: type[M]) -> Reply[M]:
        """Send ``messages``; parse the reply against ``schema`` into ``draft``.

        Raises:
            planners.llm.errors.LanguageModelError: the model is unreachable or refused.
        """
        from langchain_core.messages import AIMessage
        from openai import LengthFinishReasonError

        runnable = self.model.with_structured_output(schema, method=self.method, include_raw=True)
        try:
            out = call_with_retries(
                lambda: runnable.invoke(list(messages)), self.policy, what=self.what, sleep=self.sleep
            )
        except LengthFinishReasonError as exc:  # the openai client's parse() refuses a cut reply
            self.requests += 1
            choices, usage = exc.completion.choices, exc.completion.usage
            cut = (choices[0].message.content or "") if choices else ""
            tokens = usage.completion_tokens if usage else "?"
            error = f"the reply was cut off at the token limit ({tokens} tokens): send a shorter JSON object"
            return Reply(AIMessage(content=cut), None, [error])
        self.requests += 1
        raw, parsed, error = out.get("raw"), out.get("parsed"), out.get("parsing_error")
        if error is not None:
            return Reply(raw, None, [f"the reply is not valid JSON for the schema: {_short(error)}"])
        if parsed is None:
            return Reply(raw, None, [f"the reply carried no structured output: call {schema['title']} once"])
        if not isinstance(parsed, dict):
            return Reply(raw, None, [f"the reply must be a JSON object, got {type(parsed).__name__}"])
        try:
            return Reply(raw, draft.model_validate(parsed))
        except ValidationError as exc:
            return Reply(raw, None, [_pydantic_error(e) for e in exc.errors()[:8]])

    def feedback(self, reply: Reply[Any], text: str) -> list[Any]:
        """The messages that put ``reply`` and the ``text`` about it into the conversation.

        After a tool call the text goes back as the tool's result (as LangGraph does with a
        failed tool); otherwise as a user message.
        """
        from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

        raw = reply.raw if isinstance(reply.raw, AIMessage) else AIMessage(content=str(reply.raw or ""))
        calls = raw.tool_calls or []
        if not calls:
            return [raw, HumanMessage(content=text)]
        return [raw, *(ToolMessage(content=text, tool_call_id=c.get("id") or "call_0") for c in calls)]


def opening(system: str, user: Any, fold_system: bool) -> list[Any]:
    """The first messages: a system turn and a user turn, or one user turn holding both.

    ``user`` is text or a list of content parts (text, images).
    """
    from langchain_core.messages import HumanMessage, SystemMessage

    if not fold_system:
        return [SystemMessage(content=system), HumanMessage(content=user)]
    if isinstance(user, str):
        return [HumanMessage(content=f"{system}\n\n{user}")]
    return [HumanMessage(content=[{"type": "text", "text": system}, *user])]


def schema_instructions(schema: dict[str, Any]) -> str:
    """Text that asks for a JSON object matching ``schema`` (for ``json_mode``)."""
    return (
        "\n\nReply with one JSON object (no prose, no code fence) matching this JSON schema:\n"
        + json.dumps(schema, separators=(",", ":"))
    )


def _pydantic_error(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ())) or "reply"
    return f"{where}: {error.get('msg', 'invalid')}"


def _short(error: Any, limit: int = 200) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
