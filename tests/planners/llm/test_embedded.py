"""The embedded model's assembly from numbered parts: checked byte for byte, refused when wrong.

Fake parts (three small packages made here) stand in for the 22 PyPI packages; the real ones are
checked by the slow test in ``test_embedded_model.py``.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from planners.llm import embedded
from planners.llm.embedded import EmbeddedModelError, PartedModel, assemble, part_paths
from planners.llm.testing import without_embedded_model

PARTS = [b"GGUF" + bytes(range(200)), bytes(300), b"tail" * 50]


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PartedModel]:
    root = tmp_path / "site"
    for i, data in enumerate(PARTS, 1):
        package = root / f"agentrt_fake_part{i}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{i:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(root))
    whole = b"".join(PARTS)
    yield PartedModel(
        name="fake", file="fake.gguf", package="agentrt_fake_part{i}", part_file="data/part{i:02d}.bin",
        parts=len(PARTS), size_bytes=len(whole), sha256=hashlib.sha256(whole).hexdigest(),
    )  # fmt: skip
    for i in range(1, len(PARTS) + 1):
        sys.modules.pop(f"agentrt_fake_part{i}", None)


def test_the_parts_are_concatenated_in_order_and_the_checksum_recorded(fake_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = assemble(fake_parts, tmp_path / "cache")
    assert path.read_bytes() == b"".join(PARTS)
    assert path.with_name("fake.gguf.sha256").read_text().strip() == fake_parts.sha256
    stamp = path.stat().st_mtime_ns
    assert assemble(fake_parts, tmp_path / "cache") == path and path.stat().st_mtime_ns == stamp  # kept


def test_parts_that_do_not_give_the_published_file_are_refused(fake_parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wrong = PartedModel(**{**fake_parts.__dict__, "sha256": "0" * 64})
    with pytest.raises(EmbeddedModelError, match="not the published .* refusing them"):
        assemble(wrong, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []  # nothing half-written is left


def test_a_missing_part_names_the_extra(fake_parts) -> None:  # type: ignore[no-untyped-def]
    more = PartedModel(**{**fake_parts.__dict__, "parts": 4})
    with pytest.raises(EmbeddedModelError, match=r"1 of 4 parts missing, e.g. agentrt_fake_part4.*llm-local"):
        part_paths(more)


def test_llm_serve_without_the_model_exits_2_with_one_line(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    without_embedded_model(monkeypatch)
    monkeypatch.setitem(sys.modules, "xllamacpp", object())  # the server present, the parts not
    assert embedded.main(["--port", "8099"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("llm serve: ") and "pip install -e '.[llm-local]'" in err and "Traceback" not in err
