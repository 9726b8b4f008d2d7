"""Feature specs (the ``features`` of ``meta/info.json``) and turning env steps into frames.

A feature spec is the lerobot dict ``{key: {"dtype", "shape", "names"[, "info"]}}``.
:class:`FrameLayout` knows how our scene observations and dict actions map onto it:

- ``head_rgb`` ``(H, W, 3)`` uint8 -> ``observation.images.head`` (dtype ``video``)
- ``wrist_rgb`` -> ``observation.images.wrist``
- ``state`` ``(18,)`` float32 -> ``observation.state`` (names from ``scenes.base.STATE_NAMES``)
- action ``{"arm": (7,), "base": (3,)}`` -> ``action`` ``(10,)`` float32, arm first, named
  ``arm.dx ... arm.gripper, base.vx, base.vy, base.wz``; a group the step did not send
  (an arm-only skill on a mobile robot) is stored as zeros, which is what the robot did.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from agentrt.core.actions import ARM_ACTION_NAMES, ARM_KEY, BASE_ACTION_NAMES, BASE_KEY
from agentrt.datasets.constants import (
    ACTION,
    CAMERAS,
    DEFAULT_FEATURES,
    OBS_IMAGES,
    OBS_STATE,
    STATE_OBS_KEY,
)
from agentrt.datasets.errors import DatasetError

_GROUP_NAMES = {ARM_KEY: ARM_ACTION_NAMES, BASE_KEY: BASE_ACTION_NAMES}


def video_feature(height: int, width: int, fps: int) -> dict[str, Any]:
    """The lerobot feature entry of one RGB camera stored as H.264 video."""
    if height % 2 or width % 2:
        raise DatasetError(f"camera images must have even sizes for H.264 yuv420p, got {height}x{width}")
    return {
        "dtype": "video",
        "shape": [height, width, 3],
        "names": ["height", "width", "channels"],
        "info": {
            "video.height": height,
            "video.width": width,
            "video.codec": "h264",
            "video.pix_fmt": "yuv420p",
            "video.is_depth_map": False,
            "video.fps": fps,
            "video.channels": 3,
            "has_audio": False,
        },
    }


def features_from_spaces(
    observation_space: Any,
    action_space: Any,
    *,
    fps: int = 10,
    cameras: Mapping[str, str] = CAMERAS,
    state_names: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Build the feature spec from Gymnasium ``Dict`` spaces of a scene.

    Args:
        observation_space: ``Dict`` with camera ``Box``es ``(H, W, 3)`` uint8 and a ``state`` ``Box``.
        action_space: ``Dict`` of ``Box``es keyed by group (``arm``, ``base``) or one ``Box``.
        fps: frame rate of the frames (the 10 Hz policy rate).
        cameras: observation key -> camera name; keys absent from the space are skipped.
        state_names: names of the state entries (default ``state_0``, ``state_1``, ...).
    """
    features: dict[str, dict[str, Any]] = {}
    spaces = observation_space.spaces
    for obs_key, camera in cameras.items():
        if obs_key in spaces:
            h, w, c = spaces[obs_key].shape
            if c != 3:
                raise DatasetError(f"camera {obs_key!r} must be (H, W, 3), got {spaces[obs_key].shape}")
            features[f"{OBS_IMAGES}.{camera}"] = video_feature(h, w, fps)
    if STATE_OBS_KEY in spaces:
        (dim,) = spaces[STATE_OBS_KEY].shape
        names = list(state_names) if state_names is not None else [f"state_{i}" for i in range(dim)]
        features[OBS_STATE] = {"dtype": "float32", "shape": [dim], "names": names}
    features[ACTION] = _action_feature(action_space)
    features.update(copy.deepcopy(DEFAULT_FEATURES))
    return features


def features_from_env(env: Any, *, fps: int | None = None) -> dict[str, dict[str, Any]]:
    """:func:`features_from_spaces` for a scene env (``fps`` defaults to its ``render_fps``)."""
    rate = fps or int(getattr(env, "metadata", {}).get("render_fps", 10))
    names = getattr(getattr(env, "unwrapped", env), "state_names", None)  # every scene names its state
    return features_from_spaces(env.observation_space, env.action_space, fps=rate, state_names=names)


def _action_feature(action_space: Any) -> dict[str, Any]:
    groups = getattr(action_space, "spaces", None)
    if groups is None:
        (dim,) = action_space.shape
        return {"dtype": "float32", "shape": [dim], "names": [f"a{i}" for i in range(dim)]}
    order = [k for k in (ARM_KEY, BASE_KEY) if k in groups] + sorted(set(groups) - {ARM_KEY, BASE_KEY})
    names: list[str] = []
    for group in order:
        (dim,) = groups[group].shape
        known = _GROUP_NAMES.get(group)
        entries = known if known is not None and len(known) == dim else [str(i) for i in range(dim)]
        names += [f"{group}.{entry}" for entry in entries]
    return {"dtype": "float32", "shape": [len(names)], "names": names}


@dataclass(frozen=True)
class FrameLayout:
    """How observations and actions become the columns of one frame.

    Attributes:
        features: the feature spec.
        cameras: video feature key -> observation key (``observation.images.head`` -> ``head_rgb``).
        action_groups: ``(group, dim)`` in the order they are concatenated.
    """

    features: dict[str, dict[str, Any]]
    cameras: dict[str, str]
    action_groups: tuple[tuple[str, int], ...]

    @classmethod
    def from_features(cls, features: Mapping[str, Mapping[str, Any]]) -> FrameLayout:
        """Recover the layout from a spec (as read back from ``meta/info.json``)."""
        by_camera = {camera: obs_key for obs_key, camera in CAMERAS.items()}
        cameras = {}
        for key, ft in features.items():
            if ft["dtype"] == "video":
                camera = key.removeprefix(OBS_IMAGES + ".")
                cameras[key] = by_camera.get(camera, camera)
        groups: list[tuple[str, int]] = []
        for name in (features[ACTION].get("names") or []) if ACTION in features else []:
            group = name.split(".", 1)[0] if "." in name else ""
            if groups and groups[-1][0] == group:
                groups[-1] = (group, groups[-1][1] + 1)
            else:
                groups.append((group, 1))
        return cls(dict(copy.deepcopy(dict(features))), cameras, tuple(groups))

    @property
    def video_keys(self) -> list[str]:
        return list(self.cameras)

    def frame_values(
        self, obs: Mapping[str, np.ndarray], action: Mapping[str, np.ndarray] | np.ndarray
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Split one step into ``(images by video key, vectors by feature key)``, checked."""
        images = {}
        for key, obs_key in self.cameras.items():
            image = obs.get(key, obs.get(obs_key))
            if image is None:
                raise DatasetError(f"observation has no {obs_key!r} for {key}")
            image = np.asarray(image)
            shape = tuple(self.features[key]["shape"])
            if image.shape != shape or image.dtype != np.uint8:
                raise DatasetError(f"{key}: expected {shape} uint8, got {image.shape} {image.dtype}")
            images[key] = image
        vectors = {}
        if OBS_STATE in self.features:
            state = obs.get(OBS_STATE, obs.get(STATE_OBS_KEY))
            if state is None:
                raise DatasetError(f"observation has no {STATE_OBS_KEY!r}")
            vectors[OBS_STATE] = self._vector(OBS_STATE, state)
        vectors[ACTION] = self._vector(ACTION, self.flatten_action(action))
        return images, vectors

    def flatten_action(self, action: Mapping[str, np.ndarray] | np.ndarray) -> np.ndarray:
        """A dict action as one vector in :attr:`action_groups` order; absent groups are zeros."""
        if not isinstance(action, Mapping):
            return np.asarray(action, dtype=np.float32)
        unknown = set(action) - {group for group, _ in self.action_groups}
        if unknown:
            raise DatasetError(f"action has groups {sorted(unknown)} the dataset does not record")
        parts = [
            np.asarray(action[group], dtype=np.float32).reshape(-1)
            if group in action
            else np.zeros(dim, dtype=np.float32)
            for group, dim in self.action_groups
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def _vector(self, key: str, value: np.ndarray) -> np.ndarray:
        ft = self.features[key]
        array = np.asarray(value, dtype=ft["dtype"])
        if array.shape != tuple(ft["shape"]):
            raise DatasetError(f"{key}: expected shape {tuple(ft['shape'])}, got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise DatasetError(f"{key}: non-finite values {array}")
        return array
