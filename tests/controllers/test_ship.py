"""Shipping a controller (controllers/ship.py, ``agentrt ship controller``): card and artifact."""

from __future__ import annotations

from pathlib import Path

from controllers import ship
from controllers.catalog import CHECKPOINTS


def test_a_locomotion_artifact_is_copied_with_a_card_of_measured_figures(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    argv = [
        str(CHECKPOINTS / "a1-locomotion"), "--name", "a1-test", "--dest", str(tmp_path),
        "--train-command", "agentrt train controller a1-locomotion --out runs/x", "--seeds", "0",
        "--minutes", "0.05",
    ]  # fmt: skip
    assert ship.main(argv) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"a1-test.safetensors", "a1-test.json", "a1-test.md"}
    card = (tmp_path / "a1-test.md").read_text()
    assert "agentrt train controller a1-locomotion --out runs/x" in card
    assert "| learned residual |" in card and "| trot generator alone |" in card
    assert (tmp_path / "a1-test.safetensors").read_bytes() == (
        CHECKPOINTS / "a1-locomotion.safetensors"
    ).read_bytes()


def test_an_unloadable_artifact_exits_2_with_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = ship.main([str(tmp_path / "none"), "--name", "x", "--train-command", "c", "--dest", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("ship controller: cannot load") and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
