"""Golden inputs and outputs of the committed VLA checkpoints (``skills/vla/checkpoints/**``).

A checkpoint is every ``NAME.safetensors`` there, and every ``NAME.json`` whose ``kind`` is
``agentrt-vla`` (a config whose weights are missing still gets a test, which then fails). Other
JSON files (``candidates/kitchen-v0-navigation-data-scaling.json``: a plot's data) are not.

Stored input (``input.safetensors``), per case ``i``: the keys the policy reads
(``case{i}.head_rgb`` ``(128, 128, 3)`` uint8, ``case{i}.wrist_rgb`` ``(96, 96, 3)`` uint8,
``case{i}.head_depth`` ``(128, 128, 1)`` float32 m, ``case{i}.state`` ``(18,)`` float32) and
``case{i}.text`` ``(384,)``, the MiniLM embedding of the instruction; the metadata ``cases``
(JSON) lists each case's instruction and ``grasping`` flag. The frames are real: the
checkpoint's scene reset with seed 0, then the scripted skills drive to an object (``arm``
policies: a pick there, then a place at a receptacle while holding it; ``base`` policies: drives
from the reset pose and from the object's place). The embedding is stored so the goldens test
the checkpoint, not the separately pinned text encoder (and skip its 7 s load).

Golden (``golden.safetensors``), per case: :data:`CALLS` ``predict_chunk`` calls after one
``reset()`` (the second reuses a depth goal kept by the first): ``chunk`` ``(CALLS, chunk_size,
action_dim)`` in env units (the arm's last column is the gripper), ``last_goal`` ``(CALLS, 3)``,
``depth_goal`` ``(CALLS, 3)``, ``grasp_yaw`` ``(CALLS,)`` and ``pointer`` ``(CALLS, 3)`` (pixel
x, y, P(not visible)); NaN where the policy had none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from skills.vla.artifact import KIND, artifact_paths, load_meta, load_policy
from skills.vla.policy import VLAPolicy
from tests.artifacts.goldens import Golden, deterministic_torch, sha256

CHECKPOINT_DIR = Path(__file__).parents[2] / "skills" / "vla" / "checkpoints"
"""The committed VLA checkpoints (as ``skills.vla.catalog.CHECKPOINT_DIR``, without importing the
learned skills)."""
KIND_DIR = "vla"
CALLS = 2
OUTPUTS = ("chunk", "last_goal", "depth_goal", "grasp_yaw", "pointer")
"""Per case and call, what the golden holds (see the module docstring)."""
SEED = 0


def checkpoints(directory: Path = CHECKPOINT_DIR) -> list[str]:
    """Names (paths relative to ``directory``, no suffix) of every committed VLA checkpoint."""
    names = {str(p.relative_to(directory).with_suffix("")) for p in directory.rglob("*.safetensors")}
    for config in directory.rglob("*.json"):
        try:
            is_vla = json.loads(config.read_text()).get("kind") == KIND
        except (OSError, ValueError, AttributeError):
            is_vla = False
        if is_vla:
            names.add(str(config.relative_to(directory).with_suffix("")))
    return sorted(names)


def checkpoint_files(name: str) -> tuple[Path, Path]:
    """``(NAME.safetensors, NAME.json)`` of checkpoint ``name``."""
    return artifact_paths(CHECKPOINT_DIR / name)


class StoredTextEncoder:
    """The instruction embeddings of a stored input; any other text raises ``KeyError``."""

    def __init__(self, inputs: Golden) -> None:
        self.table = {
            case["instruction"]: inputs.tensors[f"case{i}.text"].numpy()
            for i, case in enumerate(cases(inputs))
        }

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts]).astype(np.float32)


def cases(inputs: Golden) -> list[dict]:
    """The stored cases: ``{"instruction": str, "grasping": bool}`` each."""
    return json.loads(inputs.metadata["cases"])


def load(name: str, inputs: Golden) -> VLAPolicy:
    """Checkpoint ``name`` through the real loader, with the stored instruction embeddings."""
    return load_policy(CHECKPOINT_DIR / name, text_encoder=StoredTextEncoder(inputs))


def _nan(value: np.ndarray | float | None, width: int) -> np.ndarray:
    return (
        np.full(width, np.nan, np.float32) if value is None else np.asarray(value, np.float32).reshape(width)
    )


def run(policy: VLAPolicy, inputs: Golden) -> Golden:
    """The policy's outputs on the stored input (see the module docstring), deterministically."""
    out: dict[str, torch.Tensor] = {}
    with deterministic_torch():
        for i, case in enumerate(cases(inputs)):
            obs = {k: inputs.tensors[f"case{i}.{k}"].numpy() for k in policy.obs_keys}
            policy.reset()
            policy.grasping = bool(case["grasping"])
            rows: dict[str, list[np.ndarray]] = {k: [] for k in OUTPUTS}
            for _ in range(CALLS):
                rows["chunk"].append(policy.predict_chunk(obs, case["instruction"]))
                rows["last_goal"].append(_nan(policy.last_goal, 3))
                rows["depth_goal"].append(
                    _nan(None if policy.depth_goal is None else policy.depth_goal[1], 3)
                )
                rows["grasp_yaw"].append(_nan(policy.grasp_yaw, 1))
                seen = policy.pointer_seen
                rows["pointer"].append(_nan(None if seen is None else [*seen[0], seen[1]], 3))
            for key, values in rows.items():
                stacked = np.stack(values)
                out[f"case{i}.{key}"] = torch.from_numpy(stacked[:, 0] if key == "grasp_yaw" else stacked)
    return Golden(out)


def golden_metadata(name: str) -> dict[str, str]:
    """What the golden was made from: the checkpoint files' digest and the torch version."""
    return {"checkpoint_sha256": sha256(*checkpoint_files(name)), "torch": torch.__version__}


def render_inputs(name: str, cache: dict | None = None) -> Golden:
    """The stored input for checkpoint ``name`` from its scene's rendered cases (:func:`render_cases`).

    ``cache`` keeps :func:`render_cases` per scene and action group across checkpoints.
    """
    frames = {} if cache is None else cache
    meta = load_meta(CHECKPOINT_DIR / name)
    scene_id = Path(name).name.rpartition("-")[0]
    group = "+".join(meta.config.action_keys)
    key = f"{scene_id}/{group}"
    if key not in frames:
        frames[key] = render_cases(scene_id, group)
    from skills.vla.text import load_text_encoder

    encoder = load_text_encoder()
    tensors: dict[str, torch.Tensor] = {}
    listed = []
    for i, (obs, instruction, grasping) in enumerate(frames[key]):
        for obs_key in meta.config.obs_keys:
            tensors[f"case{i}.{obs_key}"] = torch.from_numpy(np.ascontiguousarray(obs[obs_key]))
        tensors[f"case{i}.text"] = torch.from_numpy(np.asarray(encoder.encode([instruction]))[0])
        listed.append({"instruction": instruction, "grasping": grasping})
    source = f"{scene_id} seed {SEED}, frames after the scripted skills (tests/artifacts/vla_goldens.py)"
    return Golden(tensors, {"cases": json.dumps(listed), "source": source})


@dataclass
class _Scripted:
    env: object

    def __call__(self, skill: str, args: dict[str, str]) -> None:
        from agentrt.core.registry import SKILLS

        env = self.env.unwrapped  # type: ignore[attr-defined]
        with env.cameras_paused():
            result = SKILLS.get(skill)().run(self.env, args, scene=env.describe())
        if not result.ok:
            raise RuntimeError(
                f"scripted {skill}{args} failed while rendering golden inputs: {result.reason}"
            )


def render_cases(scene_id: str, group: str) -> list[tuple[dict[str, np.ndarray], str, bool]]:
    """``(observation, instruction, grasping)`` per case for policies of action ``group`` in ``scene_id``."""
    import scenes  # noqa: F401  (registers the scenes)
    import skills  # noqa: F401  (registers the scripted skills)
    from agentrt.core.registry import SCENES

    env = SCENES.get(scene_id)()
    try:
        start, _ = env.reset(seed=SEED)
        scene = env.unwrapped.describe()
        obj = sorted(o.id for o in scene.objects if o.location and o.location != "trash_bin")[0]
        origin = scene.object(obj).location
        receptacle = sorted(p.id for p in scene.places if p.receptacle and p.id != origin)[0]
        named = {k: scene.natural_name(v) for k, v in (("o", obj), ("p", origin), ("r", receptacle))}
        scripted = _Scripted(env)
        scripted("navigate_to", {"place": origin})
        at_object = env.unwrapped.get_obs()
        if group == "base":
            return [(start, f"go to the {named['p']}", True), (at_object, f"go to the {named['r']}", True)]
        if group != "arm":
            raise ValueError(f"no golden input recipe for action group {group!r}; add one here")
        scripted("pick", {"object": obj})
        scripted("navigate_to", {"place": receptacle})
        holding = env.unwrapped.get_obs()
        return [
            (at_object, f"pick up the {named['o']}", True),
            (holding, f"put the {named['o']} in the {named['r']}", False),
        ]
    finally:
        env.close()
