"""The retry policy: known delays, transient versus permanent failures, bounded attempts."""

from __future__ import annotations

import httpx
import openai
import pytest

from planners.llm.errors import LanguageModelError
from planners.llm.retry import RetryPolicy, call_with_retries, classify

REQUEST = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions")


def _status(code: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    response = httpx.Response(code, headers=headers or {}, json={"error": {"message": "x"}}, request=REQUEST)
    cls = {429: openai.RateLimitError, 401: openai.AuthenticationError, 500: openai.InternalServerError}[code]
    return cls("x", response=response, body=None)


def test_delays_known_answer() -> None:
    policy = RetryPolicy(max_retries=4, backoff_s=0.5, max_delay_s=3.0)
    assert [policy.delay(k) for k in range(4)] == [0.5, 1.0, 2.0, 3.0]
    assert policy.delay(0, retry_after_s=2.5) == 2.5 and policy.delay(2, retry_after_s=0.1) == 2.0


def test_transient_failures_are_retried_then_succeed() -> None:
    calls, waits = [], []
    failures = [httpx.ReadTimeout("t", request=REQUEST), _status(429, {"retry-after": "4"})]

    def call() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "ok"

    assert call_with_retries(call, RetryPolicy(2, 1.0), sleep=waits.append) == "ok"
    assert len(calls) == 3 and waits == [1.0, 4.0]


def test_permanent_failure_is_not_retried_and_names_no_key() -> None:
    calls = []

    def call() -> None:
        calls.append(1)
        raise _status(401)

    with pytest.raises(LanguageModelError) as info:
        call_with_retries(call, RetryPolicy(3, 0.0), sleep=lambda s: None)
    assert len(calls) == 1 and not info.value.transient and "authentication failed" in str(info.value)


def test_exhausted_retries_say_how_many_attempts() -> None:
    def call() -> None:
        raise _status(500)

    with pytest.raises(LanguageModelError, match=r"failed after 3 attempts: server error \(HTTP 500\)"):
        call_with_retries(call, RetryPolicy(2, 0.0), sleep=lambda s: None)


def test_unknown_errors_propagate_unchanged() -> None:
    def call() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        call_with_retries(call, RetryPolicy(2, 0.0), sleep=lambda s: None)
    assert classify(KeyError("x"))[0] is None
