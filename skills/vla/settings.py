"""Change inference-time settings of a VLA artifact without retraining it.

    agentrt vla settings --ckpt runs/vla/manip-pointer --out runs/vla/manip-yaw \
        --set depth_goal.align_yaw=true

Each ``--set KEY=VALUE`` sets one field of the artifact's ``VLAConfig`` (dotted keys reach into
nested settings such as ``depth_goal`` or ``pointer``; the value is read as JSON, else taken as a
string). The new config is validated as a whole, and a setting that changes the network's shape
(its weights no longer load) is refused. Writes ``OUT.safetensors`` + ``OUT.json``: the same
weights and statistics, the new config, and the changes listed in the provenance
(``config_changes``). Prints one JSON object; exits 2 with one line on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agentrt.core.exit_codes import EXIT_BAD_INPUT


def _bad(message: str) -> int:
    print(f"vla settings: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def parse_setting(text: str) -> tuple[list[str], Any]:
    """``"depth_goal.align_yaw=true"`` -> ``(["depth_goal", "align_yaw"], True)``."""
    key, sep, raw = text.partition("=")
    if not sep or not key or any(not part for part in key.split(".")):
        raise ValueError(f"--set wants KEY=VALUE, got {text!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.split("."), value


def apply_setting(config: dict[str, Any], path: list[str], value: Any) -> None:
    """Set ``config[path[0]][path[1]]... = value`` in place; every key on the way must exist."""
    node = config
    for depth, part in enumerate(path):
        if not isinstance(node, dict) or part not in node:
            raise ValueError(f"the config has no {'.'.join(path[: depth + 1])!r}")
        if depth == len(path) - 1:
            node[part] = value
        else:
            node = node[part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agentrt vla settings", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckpt", type=Path, required=True, help="artifact base path to read")
    parser.add_argument("--out", type=Path, required=True, help="artifact base path to write")
    parser.add_argument("--set", dest="settings", action="append", required=True, metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    if args.out.resolve() == args.ckpt.resolve():
        return _bad("--out must differ from --ckpt (the source artifact is kept)")

    import pydantic

    from skills.vla.artifact import VLAArtifactError, artifact_paths, load_policy, save_policy
    from skills.vla.config import VLAConfig
    from skills.vla.model import VLAModel
    from skills.vla.policy import VLAPolicy

    try:
        changes = [parse_setting(s) for s in args.settings]
        policy = load_policy(args.ckpt)
    except (ValueError, VLAArtifactError) as exc:
        return _bad(str(exc))
    data = policy.config.model_dump(mode="json")
    try:
        for path, value in changes:
            apply_setting(data, path, value)
        config = VLAConfig.model_validate(data)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        if isinstance(exc, pydantic.ValidationError):
            return _bad(f"invalid setting: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}")
        return _bad(str(exc))
    try:
        model = VLAModel(config, pretrained=False)
        model.load_state_dict(policy.model.state_dict(), strict=True)
    except (RuntimeError, ValueError):
        return _bad("these settings change the network's shape; retrain instead")
    provenance = {
        **policy.provenance,
        "config_changes": [
            *policy.provenance.get("config_changes", []),
            {"from": str(args.ckpt), "set": list(args.settings)},
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_policy(args.out, VLAPolicy(model, policy.stats, provenance=provenance))
    print(json.dumps({"out": str(artifact_paths(args.out)[1]), "set": list(args.settings)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
