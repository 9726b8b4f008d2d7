"""Shipping a VLA: the artifact is checked, copied under the scene's name, and the card states the figures."""

from __future__ import annotations

import json
from pathlib import Path

from skills.vla import ship
from tests.skills.vla.helpers import tiny_artifact


def _report(skill: str, learned: float, expert: float) -> dict:
    outcomes = [{"seed": 100000 + i, "runner": "learned"} for i in range(4)]
    return {
        "skill": skill, "episodes": 4, "success_rate": learned, "expert_success_rate": expert,
        "paraphrase_success_rate": 0.5, "relative_to_expert": learned / expert,
        "latency_ms_p50": 4.25, "latency_ms_p90": 6.0, "outcomes": outcomes,
    }  # fmt: skip


def test_ship_copies_artifact_and_writes_card_from_the_files(tmp_path: Path) -> None:
    run = tmp_path / "run" / "manip"
    run.parent.mkdir()
    tiny_artifact(run, "manipulation")
    rows = [
        {"step": s, "time": 1000.0 + s, "train/loss": 1.0 / s, "val/loss": 2.0 / s, "val/chunk_l1": 0.5 / s,
         "steps_per_s": 1.0}
        for s in (100, 200)
    ]  # fmt: skip
    run.with_name("manip.log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    evals = []
    for skill, learned in (("pick", 0.75), ("place", 1.0)):
        evals += ["--eval", str(tmp_path / f"{skill}.json")]
        (tmp_path / f"{skill}.json").write_text(json.dumps(_report(skill, learned, 1.0)))
    dest = tmp_path / "ckpts"
    code = ship.main(
        [str(run), "--family", "manipulation", "--collect-command", "agentrt collect X",
         "--train-command", "agentrt train vla Y", *evals, "--eval-command", "agentrt eval-skill Z",
         "--note", "pick misses thin objects", "--dest", str(dest)]
    )  # fmt: skip
    assert code == 0
    for suffix in ("safetensors", "json"):
        shipped = dest / f"kitchen-v0-manipulation.{suffix}"
        assert shipped.read_bytes() == run.with_name(f"manip.{suffix}").read_bytes()
    text = (dest / "kitchen-v0-manipulation.md").read_text()
    assert "agentrt collect X" in text and "agentrt train vla Y" in text and "agentrt eval-skill Z" in text
    assert "| `pick` | 4 (100000-100003, dev) | 75% | 100% | 0.75 | 50% | 4.2 / 6.0 ms |" in text
    assert "| 200 | 0.0050 | 0.0100 | 0.0025 |" in text
    assert "- pick misses thin objects" in text
    # no recorded wall time in this artifact: 100 s before the first row + 100 s between rows
    assert "- wall time (from the training log's timestamps) 3 min on" in text


def test_ship_refuses_a_model_of_another_family(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    run = tmp_path / "nav"
    tiny_artifact(run, "navigation")
    code = ship.main(
        [str(run), "--family", "manipulation", "--collect-command", "c", "--train-command", "t",
         "--dest", str(tmp_path / "ckpts")]
    )  # fmt: skip
    assert code == 2
    assert "is a 'navigation' model" in capsys.readouterr().err
    assert not (tmp_path / "ckpts").exists()


def test_ship_refuses_a_missing_artifact(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = ship.main(
        [str(tmp_path / "none"), "--family", "navigation", "--collect-command", "c", "--train-command", "t"]
    )
    assert code == 2
    assert "ship vla:" in capsys.readouterr().err


def test_card_names_the_state_encoding_and_the_starts_of_each_report(tmp_path: Path) -> None:
    run = tmp_path / "nav"
    tiny_artifact(run, "navigation")  # the preset reads base_yaw as sin/cos
    report = dict(_report("navigate_to", 1.0, 1.0), wander=True, carry=True)
    (tmp_path / "w.json").write_text(json.dumps(report))
    code = ship.main(
        [str(run), "--family", "navigation", "--collect-command", "c", "--train-command", "t",
         "--eval", str(tmp_path / "w.json"), "--dest", str(tmp_path / "ckpts")]
    )  # fmt: skip
    assert code == 0
    text = (tmp_path / "ckpts" / "kitchen-v0-navigation.md").read_text()
    assert "state entries 18 of 18, as sin/cos 1 (entries [17])." in text
    assert "| `navigate_to` | 4 (100000-100003, dev, wandered and carrying) | 100% |" in text
