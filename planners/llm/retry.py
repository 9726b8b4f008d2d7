"""One retry policy for every chat backend: bounded attempts, exponential backoff, 429-aware.

Transient failures (timeouts, connection errors, HTTP 429 and 5xx, a malformed HTTP
body) are retried ``max_retries`` times, waiting ``backoff_s * 2**k`` seconds before
retry ``k`` (or the server's ``Retry-After``, whichever is longer, capped at
``max_delay_s``). Permanent failures (bad key, unknown model, bad request) are not
retried. Either way the caller gets a :class:`LanguageModelError` with one line for the
user; the API key never appears in it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from planners.llm.errors import LanguageModelError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry (seconds)."""

    max_retries: int = 2
    backoff_s: float = 1.0
    max_delay_s: float = 30.0

    def delay(self, retry: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based)."""
        wait = self.backoff_s * 2.0**retry
        if retry_after_s is not None:
            wait = max(wait, retry_after_s)
        return min(wait, self.max_delay_s)


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    what: str = "the language model",
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, float, str], None] | None = None,
) -> T:
    """Run ``call`` under ``policy``; transient failures are retried, the rest raise at once.

    Args:
        call: the request (e.g. ``lambda: runnable.invoke(messages)``).
        what: names the model in error messages ("the planner model at http://...").
        sleep: the waiting function (tests pass a fake that records delays).
        on_retry: told ``(retry, delay_s, reason)`` before each wait.

    Raises:
        LanguageModelError: a permanent failure, or transient ones past the budget.
    """
    for attempt in range(policy.max_retries + 1):
        try:
            return call()
        except Exception as exc:  # classified below; anything unknown propagates
            transient, reason, retry_after = classify(exc)
            if transient is None:
                raise
            if not transient:
                raise LanguageModelError(f"{what} refused the request: {reason}", transient=False) from None
            if attempt == policy.max_retries:
                raise LanguageModelError(
                    f"{what} failed after {attempt + 1} attempts: {reason}", transient=True
                ) from None
            delay = policy.delay(attempt, retry_after)
            if on_retry is not None:
                on_retry(attempt, delay, reason)
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def classify(exc: BaseException) -> tuple[bool | None, str, float | None]:
    """``(transient, one-line reason, retry_after_s)``; ``transient`` is None for unknown errors."""
    import httpx

    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        openai = None  # type: ignore[assignment]
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return True, "timed out", None
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return True, f"connection failed ({type(exc).__name__})", None
    if openai is None:
        return None, str(exc), None
    if isinstance(exc, openai.APITimeoutError):
        return True, "timed out", None
    if isinstance(exc, openai.APIConnectionError):
        return True, "cannot connect to the server", None
    if isinstance(exc, openai.RateLimitError):
        return True, "rate limited (HTTP 429)", _retry_after(exc)
    if isinstance(exc, openai.InternalServerError):
        return True, f"server error (HTTP {exc.status_code})", _retry_after(exc)
    if isinstance(exc, openai.APIResponseValidationError):
        return True, "malformed response from the server", None
    if isinstance(exc, openai.AuthenticationError):
        return False, "authentication failed (HTTP 401): check the API key in the environment", None
    if isinstance(exc, openai.NotFoundError):
        return False, "model or endpoint not found (HTTP 404)", None
    if isinstance(exc, openai.APIStatusError):
        return False, f"HTTP {exc.status_code}: {_short(exc.message)}", None
    if isinstance(exc, ValueError) and "Expecting value" in str(exc):  # non-JSON HTTP body
        return True, "malformed response from the server", None
    return None, str(exc), None


def _retry_after(exc: object) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (numeric form) on the response."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000.0
        if "retry-after" in headers:
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None


def _short(text: str, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
