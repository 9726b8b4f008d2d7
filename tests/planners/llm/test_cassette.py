"""Cassettes: record through a real transport, replay in order, fail loudly on drift or exhaustion."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from planners.llm.backends import RECORD_ENV, ChatBackendConfig, cassette_mode
from planners.llm.cassette import Cassette, CassetteTransport
from planners.llm.errors import CassetteError

URL = "http://127.0.0.1:9/v1/chat/completions"


def _upstream() -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["model"] == "slow":
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(
            200, json={"echo": body["messages"][0]["content"]}, headers={"retry-after": "1"}
        )

    return httpx.MockTransport(answer)


def _post(client: httpx.Client, model: str, text: str) -> httpx.Response:
    headers = {"Authorization": "Bearer sk-never-stored"}
    return client.post(URL, json={"model": model, "messages": [{"content": text}]}, headers=headers)


def test_record_then_replay_gives_the_same_responses(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    recorder = CassetteTransport(path, "record", upstream=_upstream(), kind="recorded", meta={"case": "x"})
    with httpx.Client(transport=recorder) as client:
        first = _post(client, "m", "hello").json()
        with pytest.raises(httpx.ReadTimeout):
            _post(client, "slow", "late")
    stored = Cassette.load(path)
    assert stored.kind == "recorded" and stored.meta == {"case": "x"} and len(stored.interactions) == 2
    assert stored.interactions[1]["response"] == {"error": "timeout"}
    assert "sk-never-stored" not in path.read_text()
    replay = CassetteTransport(path)
    with httpx.Client(transport=replay) as client:
        again = _post(client, "m", "something else")  # bodies may drift; model and path may not
        assert again.json() == first and again.headers["retry-after"] == "1"
        with pytest.raises(httpx.ReadTimeout):
            _post(client, "slow", "late")
        with pytest.raises(CassetteError, match="ran out after 2 exchanges"):
            _post(client, "m", "one too many")


def test_replay_refuses_another_model_or_path(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    with httpx.Client(transport=CassetteTransport(path, "record", upstream=_upstream())) as client:
        _post(client, "m", "hi")
        _post(client, "m", "hi")
    with httpx.Client(transport=CassetteTransport(path)) as client:
        with pytest.raises(CassetteError, match="recorded for model 'm', replayed with model 'other'"):
            _post(client, "other", "hi")
        with pytest.raises(CassetteError, match="expected POST /v1/chat/completions"):
            client.get("http://127.0.0.1:9/v1/models")


def test_bad_files_and_modes_are_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match="record it first"):
        CassetteTransport(tmp_path / "missing.json")
    (tmp_path / "other.json").write_text('{"format": "vcr"}')
    with pytest.raises(ValueError, match="not an agentrt-cassette-v1"):
        CassetteTransport(tmp_path / "other.json")
    with pytest.raises(ValueError, match="'replay' or 'record'"):
        CassetteTransport(tmp_path / "x.json", "rewind")  # type: ignore[arg-type]
    config = ChatBackendConfig(model="m", cassette=tmp_path / "x.json")
    assert cassette_mode(config) == "replay"
    monkeypatch.setenv(RECORD_ENV, "1")
    assert cassette_mode(config) == "record"
