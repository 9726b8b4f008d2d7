"""Record-and-replay of HTTP exchanges with a language model server ("cassettes").

A :class:`CassetteTransport` is an ``httpx`` transport handed to the real ``openai``
client inside LangChain's ``ChatOpenAI``, so the whole client stack (request building,
retries, response parsing, structured-output parsing) runs unchanged while the bytes on
the wire come from a JSON file in the repo. In ``record`` mode it forwards each request
to the real server and appends the exchange; in ``replay`` mode it answers the *n*-th
request with the *n*-th stored response, after checking that method, path and model
match, and fails loudly when the cassette runs out or the request drifts.

File format (``agentrt-cassette-v1``)::

    {"format": "agentrt-cassette-v1",
     "kind": "recorded" | "authored",   # real server output, or written to stand in for one
     "note": "what this cassette shows and how it was made",
     "interactions": [
        {"request": {"method": "POST", "path": "/v1/chat/completions", "body": {...}},
         "response": {"status": 200, "headers": {...}, "body": {...}}},
        {"request": {...}, "response": {"error": "timeout" | "connect"}}]}

Authorisation headers are never stored.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from planners.llm.errors import CassetteError

FORMAT = "agentrt-cassette-v1"
CassetteKind = Literal["recorded", "authored"]
_KEPT_HEADERS = ("content-type", "retry-after", "retry-after-ms", "x-request-id")


@dataclass
class Cassette:
    """The stored exchanges of one conversation (or several, in order)."""

    interactions: list[dict[str, Any]] = field(default_factory=list)
    kind: CassetteKind = "authored"
    note: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        """Read a cassette file; raises ``ValueError`` for a file of another format."""
        data = json.loads(Path(path).read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"{path} is not an {FORMAT} cassette")
        if data.get("kind") not in ("recorded", "authored"):
            raise ValueError(f"{path}: kind must be 'recorded' or 'authored', got {data.get('kind')!r}")
        return cls(data["interactions"], data["kind"], data.get("note", ""), data.get("meta", {}))

    def save(self, path: str | Path) -> None:
        """Write the cassette as indented JSON (parents created)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT, "kind": self.kind, "note": self.note, "meta": self.meta}
        data["interactions"] = self.interactions
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def request_record(request: httpx.Request) -> dict[str, Any]:
    """The stored form of a request: method, path and JSON body (no headers, no key)."""
    body: Any = request.content.decode("utf-8", errors="replace")
    try:
        body = json.loads(body) if body else None
    except json.JSONDecodeError:
        pass
    return {"method": request.method, "path": request.url.path, "body": body}


def response_record(response: httpx.Response) -> dict[str, Any]:
    """The stored form of a response: status, a few headers, JSON (or text) body."""
    headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = response.text
    return {"status": response.status_code, "headers": headers, "body": body}


def build_response(stored: dict[str, Any], request: httpx.Request) -> httpx.Response:
    """An ``httpx.Response`` from a stored response; ``{"error": ...}`` raises the transport error."""
    error = stored.get("error")
    if error == "timeout":
        raise httpx.ReadTimeout("replayed timeout", request=request)
    if error == "connect":
        raise httpx.ConnectError("replayed connection failure", request=request)
    if error is not None:
        raise CassetteError(f"unknown stored error {error!r}")
    body = stored.get("body")
    headers = dict(stored.get("headers", {}))
    if isinstance(body, str):
        headers.setdefault("content-type", "text/plain")
        return httpx.Response(stored["status"], headers=headers, text=body, request=request)
    headers.setdefault("content-type", "application/json")
    return httpx.Response(stored["status"], headers=headers, json=body, request=request)


class CassetteTransport(httpx.BaseTransport):
    """Replays (or records) one cassette; thread-safe, requests matched by order.

    Args:
        path: the cassette file.
        mode: ``replay`` reads ``path``; ``record`` forwards to ``upstream`` and writes
            ``path`` on :meth:`close` (and after every exchange, so a crash keeps it).
        upstream: the real transport for ``record`` (default ``httpx.HTTPTransport()``).
        kind, note, meta: written into a recorded cassette.
    """

    def __init__(
        self,
        path: str | Path,
        mode: Literal["replay", "record"] = "replay",
        upstream: httpx.BaseTransport | None = None,
        kind: CassetteKind = "recorded",
        note: str = "",
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.mode = mode
        self._lock = threading.Lock()
        self.position = 0
        self.sent: list[dict[str, Any]] = []
        """Every request seen, in the stored form (for tests and debugging)."""
        if mode == "replay":
            if not self.path.is_file():
                raise FileNotFoundError(f"cassette {self.path} does not exist (record it first)")
            self.cassette = Cassette.load(self.path)
            self.upstream = None
        elif mode == "record":
            self.cassette = Cassette(kind=kind, note=note, meta=dict(meta or {}))
            self.upstream = upstream or httpx.HTTPTransport()
        else:
            raise ValueError(f"cassette mode must be 'replay' or 'record', got {mode!r}")

    @property
    def remaining(self) -> int:
        """Stored exchanges not yet replayed."""
        return len(self.cassette.interactions) - self.position

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.sent.append(request_record(request))
            if self.mode == "record":
                return self._record(request)
            return self._replay(request)

    def _replay(self, request: httpx.Request) -> httpx.Response:
        if self.position >= len(self.cassette.interactions):
            raise CassetteError(
                f"cassette {self.path.name} ran out after {self.position} exchanges:"
                f" unexpected {request.method} {request.url.path}"
            )
        stored = self.cassette.interactions[self.position]
        self.position += 1
        _check_match(stored["request"], self.sent[-1], self.path.name, self.position)
        return build_response(stored["response"], request)

    def _record(self, request: httpx.Request) -> httpx.Response:
        assert self.upstream is not None
        entry: dict[str, Any] = {"request": request_record(request)}
        try:
            response = self.upstream.handle_request(request)
            response.read()
        except httpx.TimeoutException:
            entry["response"] = {"error": "timeout"}
            self._append(entry)
            raise
        except httpx.ConnectError:
            entry["response"] = {"error": "connect"}
            self._append(entry)
            raise
        entry["response"] = response_record(response)
        self._append(entry)
        return response

    def _append(self, entry: dict[str, Any]) -> None:
        self.cassette.interactions.append(entry)
        self.cassette.save(self.path)

    def close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()


def _check_match(stored: dict[str, Any], got: dict[str, Any], name: str, index: int) -> None:
    """Method, path and the ``model`` field must agree; the rest of the body may drift."""
    where = f"cassette {name}, exchange {index}"
    if (stored["method"], stored["path"]) != (got["method"], got["path"]):
        raise CassetteError(
            f"{where}: expected {stored['method']} {stored['path']}, got {got['method']} {got['path']}"
        )
    want = (stored.get("body") or {}).get("model") if isinstance(stored.get("body"), dict) else None
    have = (got.get("body") or {}).get("model") if isinstance(got.get("body"), dict) else None
    if want != have:
        raise CassetteError(f"{where}: recorded for model {want!r}, replayed with model {have!r}")
