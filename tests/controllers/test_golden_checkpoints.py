"""Every committed controller checkpoint reproduces its golden joint targets.

Each artifact under ``controllers/checkpoints/`` is loaded by :func:`controllers.catalog.load_controller`
(the artifact's ``kind`` picks the controller class) and replays its stored ticks, robot states and
bridged commands recorded once from the controller on flat ground, open loop (one torch thread,
deterministic algorithms). Its joint targets and policy actions must equal the committed golden
within ``atol = rtol = 1e-5`` (:data:`tests.artifacts.goldens.ATOL`, measured there): two runs agree
bit for bit, the slack only absorbs another CPU's summation order, and a 1e-3 change of one output
weight moves the targets 10-35x more. Formats: :mod:`tests.artifacts.controller_goldens`.

A checkpoint without a golden fails: every checkpoint has one. To write it, or to accept a
deliberate change of behaviour, run from the repository root::

    python -m tests.artifacts.regenerate --kind controllers              # all controller goldens
    python -m tests.artifacts.regenerate --kind controllers NAME         # one, e.g. a1-locomotion
    python -m tests.artifacts.regenerate --kind controllers --inputs     # re-record the ticks too

and commit ``tests/artifacts/controllers/`` saying why the actions changed.
"""

from __future__ import annotations

import pytest
import torch

from tests.artifacts import controller_goldens
from tests.artifacts.goldens import REGENERATE, Golden, assert_matches, stored_pair
from tests.artifacts.goldens import stored_names as stored

KIND = controller_goldens.KIND_DIR
CHECKPOINTS = controller_goldens.checkpoints()


def _stored(name: str) -> tuple[Golden, Golden]:
    return stored_pair(KIND, name)


def test_the_shipped_controllers_are_found() -> None:
    assert {"a1-locomotion", "humanoid-balance"} <= set(CHECKPOINTS)


@pytest.mark.parametrize("name", CHECKPOINTS)
def test_checkpoint_reproduces_its_golden(name: str) -> None:
    inputs, golden = _stored(name)
    actual = controller_goldens.run(controller_goldens.load(name), inputs)
    changed = (
        golden.metadata.get("checkpoint_sha256")
        != controller_goldens.golden_metadata(name)["checkpoint_sha256"]
    )
    try:
        assert_matches(actual, golden)
    except AssertionError as exc:
        why = "the checkpoint's files changed since the golden was written; " if changed else ""
        raise AssertionError(
            f"{name}: {exc}\n{why}if intended: `{REGENERATE} --kind {KIND} {name}`"
        ) from None


def test_every_golden_belongs_to_a_checkpoint() -> None:
    stale = sorted(set(stored(KIND)) - set(CHECKPOINTS))
    assert not stale, f"goldens without a checkpoint: {stale} (`{REGENERATE} --kind {KIND}` removes them)"


@pytest.mark.parametrize("name", CHECKPOINTS)
def test_a_changed_weight_breaks_the_golden(name: str) -> None:
    """The comparison can fail: one output weight of the actor moved by 1e-3 must show."""
    inputs, golden = _stored(name)
    controller = controller_goldens.load(name)
    with torch.no_grad():
        controller.policy.actor.head.weight[0, 0] += 1e-3  # type: ignore[attr-defined]
    with pytest.raises(AssertionError, match="targets"):
        assert_matches(controller_goldens.run(controller, inputs), golden)


def test_a_new_checkpoint_without_golden_fails(tmp_path) -> None:
    """The contract: an artifact dropped into the folder is found, and without a golden it fails."""
    (tmp_path / "go2-locomotion.json").write_text("{}")
    (tmp_path / "go2-locomotion.md").write_text("card")
    assert controller_goldens.checkpoints(tmp_path) == ["go2-locomotion"]
    with pytest.raises(pytest.fail.Exception, match="regenerate --kind controllers go2-locomotion"):
        _stored("go2-locomotion")
