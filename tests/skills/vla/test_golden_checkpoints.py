"""Every committed VLA checkpoint (shipped and candidates) reproduces its golden actions.

Each checkpoint under ``skills/vla/checkpoints/`` is loaded by :func:`skills.vla.artifact.load_policy`
and run (one torch thread, deterministic algorithms) on its stored input, real kitchen frames
with the instruction's stored MiniLM embedding, and its ``predict_chunk`` results (action chunk
with the gripper column, the goal in the goal token, the kept depth goal and grasp yaw, the
pointer's pixel) must equal the committed golden within ``atol = rtol = 1e-5``
(:data:`tests.artifacts.goldens.ATOL`, measured there): two runs agree bit for bit, and the slack
only absorbs another CPU's summation order (3e-8 seen). Formats: :mod:`tests.artifacts.vla_goldens`.

A checkpoint without a golden fails: every checkpoint has one. To write it, or to accept a
deliberate change of behaviour, run from the repository root::

    python -m tests.artifacts.regenerate --kind vla              # all VLA goldens
    python -m tests.artifacts.regenerate --kind vla NAME         # one, e.g. kitchen-v0-navigation
    python -m tests.artifacts.regenerate --kind vla --inputs     # re-render the stored frames too

and commit ``tests/artifacts/vla/`` saying why the actions changed.
"""

from __future__ import annotations

import pytest
import torch

from tests.artifacts import vla_goldens
from tests.artifacts.goldens import REGENERATE, Golden, assert_matches, stored_pair
from tests.artifacts.goldens import stored_names as stored

KIND = vla_goldens.KIND_DIR
CHECKPOINTS = vla_goldens.checkpoints()


def _stored(name: str) -> tuple[Golden, Golden]:
    return stored_pair(KIND, name)


def test_the_shipped_checkpoints_are_found() -> None:
    assert {"kitchen-v0-manipulation", "kitchen-v0-navigation"} <= set(CHECKPOINTS)
    assert "candidates/kitchen-v0-navigation-data-scaling" not in CHECKPOINTS  # a plot's data, no model


@pytest.mark.parametrize("name", CHECKPOINTS)
def test_checkpoint_reproduces_its_golden(name: str) -> None:
    inputs, golden = _stored(name)
    actual = vla_goldens.run(vla_goldens.load(name, inputs), inputs)
    changed = (
        golden.metadata.get("checkpoint_sha256") != vla_goldens.golden_metadata(name)["checkpoint_sha256"]
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
    """The comparison can fail: one bias of the action head moved (dim 0, first bin / unit) must show."""
    inputs, golden = _stored(name)
    policy = vla_goldens.load(name, inputs)
    with torch.no_grad():
        policy.model.head.out.bias[0] += 100.0
    with pytest.raises(AssertionError, match="chunk"):
        assert_matches(vla_goldens.run(policy, inputs), golden)


def test_a_new_checkpoint_without_golden_fails(tmp_path) -> None:
    """The contract: a checkpoint dropped into the folder is found, and without a golden it fails."""
    (tmp_path / "candidates" / "new").mkdir(parents=True)
    (tmp_path / "candidates" / "new" / "kitchen-v0-pick.safetensors").write_bytes(b"")
    (tmp_path / "notes.json").write_text('{"curves": {}}')
    assert vla_goldens.checkpoints(tmp_path) == ["candidates/new/kitchen-v0-pick"]
    with pytest.raises(pytest.fail.Exception, match="regenerate --kind vla candidates/new/kitchen-v0-pick"):
        _stored("candidates/new/kitchen-v0-pick")
