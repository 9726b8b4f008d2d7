"""Fine-tuning from another artifact (``agentrt train vla --init-from``): what carries over, and how.

The source's weights load into the new network except the parts this config adds (they start
afresh); its normalisation statistics are kept for each half (state, targets) that still means the
same; its depth goal and pointer, which are calibrated and trained outside the VLA's weights, are
kept when the new config sets none.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from skills.vla.artifact import VLAArtifactError, load_meta, load_policy
from skills.vla.config import VLAConfig
from skills.vla.model import VLAModel
from skills.vla.normalize import NormStats
from skills.vla.policy import VLAPolicy


def same_targets(a: VLAConfig, b: VLAConfig) -> bool:
    """Whether two models' action rows mean the same thing (so one's statistics fit the other)."""
    return (a.position_targets, a.goal_frame) == (b.position_targets, b.goal_frame)


def same_state(a: VLAConfig, b: VLAConfig) -> bool:
    """Whether two models read the same prepared state (so one's state projection fits the other)."""
    return (a.use_state, a.state_indices, a.wrap_angles, a.sincos_angles) == (
        b.use_state,
        b.state_indices,
        b.wrap_angles,
        b.sincos_angles,
    )


def carry_source_parts(init_from: Path | None, model: VLAConfig) -> VLAConfig:
    """``model`` with the ``init_from`` artifact's ``depth_goal`` and ``pointer`` where it sets none.

    Neither is trained here: the depth goal is calibrated (``agentrt vla calibrate``) and
    the pointer trained on rendered head views (``agentrt train pointer``) after the VLA, both
    outside its weights but for the pointer's own. Fine-tuning the VLA (say on new demonstrations)
    keeps them, frozen, rather than making the user redo both.

    Raises:
        ValueError: the artifact cannot be read, or its parts do not fit this model (another head crop).
    """
    if init_from is None or (model.depth_goal is not None or model.pointer is not None):
        return model
    try:
        source = load_meta(init_from).config
    except VLAArtifactError as exc:
        raise ValueError(f"--init-from {init_from}: {exc}") from None
    if source.depth_goal is None:
        return model
    parts = {"depth_goal": source.depth_goal, "pointer": source.pointer}
    try:
        return VLAConfig.model_validate({**model.model_dump(), **parts})
    except ValidationError as exc:
        raise ValueError(
            f"--init-from {init_from}: its depth goal or pointer does not fit this model: "
            f"{exc.errors()[0]['msg']}"
        ) from None


def load_source(init_from: Path | None, model: VLAConfig) -> VLAPolicy | None:
    """The artifact ``init_from`` names (``None`` without one); same action dims as ``model`` required.

    Raises:
        ValueError: it cannot be loaded, or predicts other action dims than ``model``.
    """
    if init_from is None:
        return None
    try:
        source = load_policy(init_from)
    except VLAArtifactError as exc:
        raise ValueError(f"--init-from {init_from}: {exc}") from None
    if source.config.action_keys != model.action_keys:
        raise ValueError(
            f"--init-from {init_from} predicts {source.config.action_keys}, this run {model.action_keys}"
        )
    return source


def source_stats(stats: NormStats, source: VLAPolicy | None, model: VLAConfig) -> NormStats:
    """The data's statistics, with the ``--init-from`` source's kept for each half that still means
    the same: its weights expect them. A new state encoding (its projection starts afresh) or new
    targets take the data's."""
    if source is None:
        return stats
    state_kept, targets_kept = same_state(source.config, model), same_targets(source.config, model)
    kept = source.stats.model_dump()
    return stats.model_copy(
        update={k: v for k, v in kept.items() if (state_kept if k.startswith("state") else targets_kept)}
    )


def load_source_weights(network: VLAModel, source: VLAPolicy, model: VLAConfig, init_from: Path) -> None:
    """Load the ``init_from`` source's weights into ``network`` (built from ``model``).

    Parts this config adds to the source's network start afresh (a goal head that now reads the
    features under keypoint 0 changes shape); nothing else may differ (``ValueError``).
    """
    fresh = (
        (("goal_",) if not source.config.use_goal else ())
        + (("keypoint",) if not source.config.keypoints else ())
        + (("goal_rel_in",) if not source.config.goal_relative else ())
        + (("goal_head.",) if model.goal_features and not source.config.goal_features else ())
        + (("state_proj.",) if not same_state(source.config, model) else ())
    )
    weights = {k: v for k, v in source.model.state_dict().items() if not (fresh and k.startswith(fresh))}
    try:
        missing, unexpected = network.load_state_dict(weights, strict=False)
    except RuntimeError as exc:
        raise ValueError(f"--init-from {init_from}: its network does not fit this config: {exc}") from None
    added = [k for k in missing if not (fresh and k.startswith(fresh))]
    if added or unexpected:
        raise ValueError(
            f"--init-from {init_from}: its network does not fit this config: "
            f"missing {added[:5]}, unexpected {unexpected[:5]}"
        )
