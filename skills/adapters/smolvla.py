"""SmolVLA through lerobot: a local ``SmolVLAPolicy`` folder as a :class:`ChunkPolicy`.

lerobot is *not* a dependency (its install pulls torchvision, which has no CPU build
here): it is imported only in :meth:`SmolVLAAdapter.from_pretrained`, and its absence is a
clear :class:`ImportError`. Everything on our side of the boundary is plain torch and is
tested without lerobot: reading the folder's ``config.json``, matching its features to our
observation and action conventions, building the batch, and slicing the returned chunk.

Mapping (lerobot's keys on the left):

- ``observation.images.<cam>`` ``(1, 3, H, W)`` float32 in ``[0, 1]`` <- our ``<cam>_rgb``
  ``(H, W, 3)`` uint8 (``head``/``wrist`` map by name, as in our LeRobot datasets; other names
  need ``cameras={"observation.images.top": "head_rgb"}``). SmolVLA resizes and pads itself.
- ``observation.state`` ``(1, 18)`` float32 <- our ``state`` (:data:`scenes.base.STATE_NAMES`);
  a checkpoint expecting another width is refused.
- ``task`` ``[instruction]``.
- ``action`` ``(1, T, A)`` -> our chunk ``(n_action_steps, 7 or 3)``: ``A`` must be the width of
  our action group, or 10 (our datasets' arm 7 + base 3 column, sliced by group).

Normalisation: lerobot >= 0.4 saves it as processor pipelines beside the weights
(``policy_preprocessor.json`` / ``policy_postprocessor.json``), loaded with
``make_pre_post_processors(config, pretrained_path=folder)``; older folders keep the statistics
inside the policy, which normalises itself. Rows are applied at our 10 Hz: a checkpoint trained
at another rate must be fine-tuned on our data first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from agentrt.core.actions import ARM_ACTION_DIM, ARM_KEY, BASE_ACTION_DIM, BASE_KEY, CONTROL_HZ
from skills.adapters import ADAPTERS

IMAGE_PREFIX = "observation.images."
STATE_KEY = "observation.state"
STATE_DIM = 18
GROUPS: dict[str, tuple[int, int]] = {
    ARM_KEY: (0, ARM_ACTION_DIM),
    BASE_KEY: (ARM_ACTION_DIM, BASE_ACTION_DIM),
}
"""Action group -> (offset, width) inside our datasets' 10-D action column."""
FULL_ACTION_DIM = ARM_ACTION_DIM + BASE_ACTION_DIM
INSTALL_HINT = (
    "lerobot is not installed: `pip install 'lerobot[smolvla]'` (it needs torchvision, which has no "
    "CPU wheel on this machine's index)"
)


class SmolVLASpec(BaseModel):
    """How one SmolVLA checkpoint meets our conventions (read from its ``config.json``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    images: dict[str, str]
    """lerobot image key -> our observation key."""
    action_keys: tuple[str, ...]
    action_slice: tuple[int, int]
    """``(start, stop)`` of our action group inside the checkpoint's action vector."""
    chunk_size: int
    """Rows we execute per prediction (the checkpoint's ``n_action_steps``)."""


def read_spec(
    path: str | Path, cameras: Mapping[str, str] | None = None, action_keys: tuple[str, ...] = (ARM_KEY,)
) -> SmolVLASpec:
    """Check the folder at ``path`` and match its features to ours.

    Raises:
        FileNotFoundError: no folder, no ``config.json`` or no ``model.safetensors``.
        ValueError: not a SmolVLA config, or its features do not fit our observations and actions.
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"no SmolVLA checkpoint folder at {path}")
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path} has no config.json: not a lerobot policy folder")
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(f"no weights in {path}: model.safetensors is missing")
    config = json.loads((path / "config.json").read_text())
    if config.get("type") != "smolvla":
        raise ValueError(f"{path} holds a {config.get('type')!r} policy, not smolvla")
    inputs: dict[str, Any] = config.get("input_features") or {}
    images = {k: v for k, v in inputs.items() if k.startswith(IMAGE_PREFIX)}
    chosen = dict(cameras or {})
    for key in images:
        chosen.setdefault(key, f"{key.removeprefix(IMAGE_PREFIX)}_rgb")
    unknown = sorted(v for k, v in chosen.items() if k in images and v not in ("head_rgb", "wrist_rgb"))
    if unknown:
        raise ValueError(f"{path}: cameras {unknown} are not ours (head_rgb, wrist_rgb); pass cameras=")
    state = inputs.get(STATE_KEY)
    if state is not None and list(state.get("shape", [])) != [STATE_DIM]:
        raise ValueError(f"{path}: observation.state has shape {state.get('shape')}, ours is [{STATE_DIM}]")
    width = int(((config.get("output_features") or {}).get("action") or {}).get("shape", [0])[0])
    if len(action_keys) != 1 or action_keys[0] not in GROUPS:
        raise ValueError(f"action_keys must be ('arm',) or ('base',), got {action_keys}")
    offset, group_width = GROUPS[action_keys[0]]
    if width == group_width:
        action_slice = (0, group_width)
    elif width == FULL_ACTION_DIM:
        action_slice = (offset, offset + group_width)
    else:
        raise ValueError(
            f"{path}: actions are {width}-D; {action_keys[0]} needs {group_width} (or {FULL_ACTION_DIM})"
        )
    steps = int(config.get("n_action_steps") or config.get("chunk_size") or 1)
    return SmolVLASpec(
        images={k: chosen[k] for k in sorted(images)},
        action_keys=action_keys,
        action_slice=action_slice,
        chunk_size=steps,
    )


@ADAPTERS.register("smolvla")
class SmolVLAAdapter:
    """A :class:`~skills.vla.protocol.ChunkPolicy` over a SmolVLA policy (see the module docstring).

    Args:
        policy: a lerobot ``SmolVLAPolicy`` (anything with ``predict_action_chunk(batch)`` and ``reset()``).
        spec: the feature mapping (:func:`read_spec`).
        preprocess, postprocess: lerobot's processor pipelines (``None``: the policy normalises itself).
        device: torch device of the policy.
    """

    control_hz = float(CONTROL_HZ)

    def __init__(
        self,
        policy: Any,
        spec: SmolVLASpec,
        preprocess: Any = None,
        postprocess: Any = None,
        device: str = "cpu",
    ) -> None:
        self.policy, self.spec, self.device = policy, spec, device
        self.preprocess, self.postprocess = preprocess, postprocess
        self.chunk_size = spec.chunk_size
        self.action_keys = spec.action_keys
        self.obs_keys = (*sorted(set(spec.images.values())), "state")

    priority = 0
    """Asked before the catch-all transformers adapter."""

    @classmethod
    def accepts(cls, config: Mapping[str, Any]) -> bool:
        """A lerobot policy folder whose ``config.json`` says ``"type": "smolvla"``."""
        return config.get("type") == "smolvla"

    @classmethod
    def load(cls, path: Path, action_keys: tuple[str, ...]) -> SmolVLAAdapter:
        return cls.from_pretrained(path, action_keys=action_keys)

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path,
        *,
        cameras: Mapping[str, str] | None = None,
        action_keys: tuple[str, ...] = (ARM_KEY,),
        device: str = "cpu",
    ) -> SmolVLAAdapter:
        """Load the folder with lerobot (imported here, lazily)."""
        spec = read_spec(path, cameras, action_keys)
        try:
            from lerobot.policies.smolvla.modeling_smolvla import SmolVLAPolicy
        except ImportError:
            try:  # lerobot < 0.4 kept policies under lerobot.common
                from lerobot.common.policies.smolvla.modeling_smolvla import SmolVLAPolicy
            except ImportError:
                raise ImportError(INSTALL_HINT) from None
        policy = SmolVLAPolicy.from_pretrained(str(path)).to(device).eval()
        pre = post = None
        if (Path(path) / "policy_preprocessor.json").is_file():
            from lerobot.policies.factory import make_pre_post_processors

            pre, post = make_pre_post_processors(policy.config, pretrained_path=str(path))
        return cls(policy, spec, pre, post, device)

    def reset(self) -> None:
        """Clear the policy's action queue."""
        self.policy.reset()

    def batch(self, obs: Mapping[str, np.ndarray], instruction: str) -> dict[str, Any]:
        """lerobot's input batch for one observation (shapes in the module docstring)."""
        import torch

        out: dict[str, Any] = {}
        for key, ours in self.spec.images.items():
            image = torch.from_numpy(np.ascontiguousarray(obs[ours])).permute(2, 0, 1).float() / 255.0
            out[key] = image[None].to(self.device)
        state = np.asarray(obs["state"], dtype=np.float32)
        if state.shape != (STATE_DIM,):
            raise ValueError(f"state must be ({STATE_DIM},), got {state.shape}")
        out[STATE_KEY] = torch.from_numpy(state)[None].to(self.device)
        out["task"] = [instruction]
        return out

    def actions(self, predicted: Any) -> np.ndarray:
        """``(1, T, A)`` predicted actions -> our ``(chunk_size, group width)`` float32 rows."""
        rows = np.asarray(predicted.detach().cpu().numpy() if hasattr(predicted, "detach") else predicted)
        rows = rows.reshape(-1, rows.shape[-1])
        if len(rows) < self.chunk_size:
            raise ValueError(f"SmolVLA returned {len(rows)} actions, expected at least {self.chunk_size}")
        start, stop = self.spec.action_slice
        return rows[: self.chunk_size, start:stop].astype(np.float32)

    def predict_chunk(self, obs: Mapping[str, np.ndarray], instruction: str) -> np.ndarray:
        """``(chunk_size, 7 or 3)`` float32 actions in env units."""
        import torch

        batch = self.batch(obs, instruction)
        if self.preprocess is not None:
            batch = self.preprocess(batch)
        with torch.inference_mode():
            predicted = self.policy.predict_action_chunk(batch)
        if self.postprocess is not None:
            predicted = self.postprocess(predicted)
        return self.actions(predicted)


__all__ = ["INSTALL_HINT", "SmolVLAAdapter", "SmolVLASpec", "read_spec"]
