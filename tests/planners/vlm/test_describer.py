"""The VLM describer: image inline, structured report, grounded in the tracked scene, gaps reported."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from agentrt.testing import FakeEnv
from planners.llm.errors import BackendConfigError
from planners.vlm.describer import DescriptionError, VLMDescriber, png_data_url
from planners.vlm.grounding import ground
from planners.vlm.schema import SceneReport, SeenObject

from ..llm.cases import DESCRIBER_CASES, FakeSleep, kitchen, replay_config, transport_of

BY_NAME = {c.name: c for c in DESCRIBER_CASES}


def _describer(name: str) -> VLMDescriber:
    return VLMDescriber(replay_config(BY_NAME[name]), sleep=FakeSleep())


def test_report_is_grounded_and_ungrounded_names_are_reported_not_invented() -> None:
    describer = _describer("kitchen-grounding")
    scene = describer.describe(FakeEnv(kitchen()))
    assert scene.source == "vlm"
    assert [o.id for o in scene.objects] == ["mug_0", "mug_1", "apple_0", "banana_0"]
    assert scene.object("banana_0").location == "counter"  # what the VLM saw, right or wrong
    assert len(describer.last_ungrounded) == 2
    assert "purple elephant" in describer.last_ungrounded[0] and "windowsill" in describer.last_ungrounded[1]
    assert "not grounded" in scene.text and "purple elephant" in scene.text
    assert {p.id for p in scene.places} == {p.id for p in kitchen().places}


def test_image_goes_inline_as_a_png_data_url_with_the_place_ids() -> None:
    describer = _describer("kitchen-grounding")
    env = FakeEnv(kitchen())
    describer.describe(env)
    body = transport_of(describer).sent[0]["body"]
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert "- dish_rack: dish rack" in system
    url = next(p for p in user if p["type"] == "image_url")["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    schema = body["response_format"]["json_schema"]["schema"]
    assert "sink" in schema["properties"]["objects"]["items"]["properties"]["place"]["anyOf"][0]["enum"]


def test_a_bad_reply_is_repaired_and_timeouts_fail_clearly() -> None:
    describer = _describer("repair-then-report")
    assert len(describer.describe(FakeEnv(kitchen())).objects) == 4
    assert transport_of(describer).remaining == 0
    with pytest.raises(DescriptionError, match="failed after 3 attempts: timed out"):
        _describer("timeouts").describe(FakeEnv(kitchen()))


def test_held_object_comes_from_proprioception() -> None:
    known = kitchen()
    known.robot.holding = "sponge_0"
    known.object("sponge_0").location, known.object("sponge_0").held = None, True
    scene, notes = ground(
        SceneReport(objects=[SeenObject(name="mug", category="mug", colour="yellow")]), known
    )
    assert [o.id for o in scene.objects] == ["mug_0", "sponge_0"] and scene.object("sponge_0").held
    assert notes == [] and "holding(sponge_0)" in {f"{a[0]}({', '.join(a[1:])})" for a in scene.facts()}


def test_one_tracked_object_is_never_grounded_twice() -> None:
    report = SceneReport(objects=[SeenObject(name="yellow mug", category="mug", colour="yellow")] * 2)
    scene, notes = ground(report, kitchen())
    assert [o.id for o in scene.objects] == ["mug_0"] and "no tracked object" in notes[0]


def test_png_data_url_checks_the_image() -> None:
    with pytest.raises(ValueError, match=r"\(H, W, 3\) uint8"):
        png_data_url(np.zeros((4, 4), np.float32))


def test_describer_without_model_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="needs a model"):
        VLMDescriber({})
    with pytest.raises(BackendConfigError, match="does not exist"):
        VLMDescriber({"backend": "transformers", "model": "/nonexistent/vlm"})
