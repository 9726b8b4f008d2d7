"""Trained controllers shipped in the repo, found by name, and loaded into the right controller class.

A shipped controller is an artifact pair in ``controllers/checkpoints/`` (``NAME.json`` +
``NAME.safetensors``) with its model card ``NAME.md``. :func:`load_controller` accepts
a shipped name or a path to any artifact; the artifact's ``kind`` picks the class
(:data:`controllers.base.CONTROLLER_KINDS`).
"""

from __future__ import annotations

import json
from pathlib import Path

from controllers.artifact import ArtifactError, load_artifact
from controllers.base import CONTROLLER_KINDS, Controller

CHECKPOINTS = Path(__file__).parent / "checkpoints"


def shipped_controllers() -> dict[str, dict[str, object]]:
    """Name -> ``{kind, robot, recipe, steps, path}`` for every artifact in :data:`CHECKPOINTS`."""
    found: dict[str, dict[str, object]] = {}
    for config in sorted(CHECKPOINTS.glob("*.json")):
        try:
            meta = json.loads(config.read_text())
        except (OSError, ValueError):
            continue
        found[config.stem] = {
            "kind": meta.get("kind"),
            "robot": meta.get("env_config", {}).get("robot"),
            "recipe": meta.get("recipe"),
            "steps": meta.get("provenance", {}).get("steps"),
            "path": config.with_suffix(""),
        }
    return found


def load_controller(name_or_path: str | Path) -> Controller:
    """A ready controller from a shipped name or an artifact path.

    Raises:
        ArtifactError: unknown name (the message lists the shipped ones), or an artifact
            that does not load completely.
    """
    path = Path(name_or_path)
    if not (path.with_suffix(".json").is_file() or path.is_file()):
        shipped = shipped_controllers()
        if str(name_or_path) not in shipped:
            known = ", ".join(shipped) or "none shipped yet"
            raise ArtifactError(
                f"no controller {str(name_or_path)!r} (shipped: {known}) and no artifact at that path"
            )
        path = Path(str(shipped[str(name_or_path)]["path"]))
    policy = load_artifact(path)
    if policy.meta.kind not in CONTROLLER_KINDS:
        raise ArtifactError(
            f"{path}: no controller class for kind {policy.meta.kind!r}; known: {CONTROLLER_KINDS.names()}"
        )
    return CONTROLLER_KINDS.get(policy.meta.kind)(policy)
