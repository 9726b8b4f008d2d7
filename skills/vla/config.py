"""``VLAConfig``: everything that fixes a VLA network and what it reads and writes.

A model covers one *skill family*: the skills whose frames it trains on, the action
groups it predicts (``("arm",)`` 7-D or ``("base",)`` 3-D, see :mod:`agentrt.core.actions`)
and the cameras it looks through. :data:`PRESETS` holds the two families we ship:
``manipulation`` (pick + place, arm, head + wrist cameras) and ``navigation``
(navigate_to, base, head camera). Manipulation reads the arm's proprioception only (not the
base's world pose, which would let it memorise scene layouts); navigation reads all 18 entries.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentrt.core.actions import ARM_ACTION_DIM, ARM_KEY, BASE_ACTION_DIM, BASE_KEY, CONTROL_HZ
from agentrt.core.registry import Registry
from skills.vla.depth_goal import DepthGoal
from skills.vla.heads import HEADS
from skills.vla.pointer import PointerConfig

ACTION_GROUPS: dict[str, tuple[int, int]] = {ARM_KEY: (0, ARM_ACTION_DIM), BASE_KEY: (7, BASE_ACTION_DIM)}
"""Action group -> (offset, width) inside a dataset's 10-D ``action`` column (arm 7 + base 3)."""
CAMERA_OBS_KEYS: dict[str, str] = {"head": "head_rgb", "wrist": "wrist_rgb"}
"""Camera name (``observation.images.<camera>``) -> scene observation key."""
STATE_DIM = 18
"""Width of the scene's ``state`` observation (``scenes.base.STATE_NAMES``)."""
EE_POS = slice(8, 11)
"""``ee_x, ee_y, ee_z`` (m, base frame) inside the 18-D state."""
GRIPPER_DIM = 6
"""Index of the gripper command (+1 close, -1 open) inside the 7-D arm action."""
ARM_POS = slice(0, 3)
"""``dx, dy, dz`` (m, base frame) inside the 7-D arm action (first in an arm model's rows)."""

VisionKind = Literal["cnn", "efficientnet-lite0"]


class VLAConfig(BaseModel):
    """The network and its interface; saved in the artifact and enough to rebuild the model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="family name, e.g. 'manipulation'")
    skills: tuple[str, ...] = Field(min_length=1, description="skills whose frames the model learns")
    action_keys: tuple[str, ...] = Field(min_length=1, description="action groups predicted, in order")
    cameras: tuple[str, ...] = Field(min_length=1, description="cameras read, e.g. ('head', 'wrist')")
    image_size: int = Field(
        default=96, ge=32, le=256, description="every camera is resized to this square (px)"
    )
    crops: dict[str, tuple[float, float, float]] = Field(
        default_factory=dict,
        description="camera -> square crop (top, left, side) as fractions of the frame's side, "
        "taken before the resize; cameras not named are used whole",
    )
    use_state: bool = Field(default=True, description="feed the proprioceptive state as a token")
    state_indices: tuple[int, ...] = Field(
        default=tuple(range(STATE_DIM)),
        min_length=1,
        description="entries of the 18-D state fed in (scenes.base.STATE_NAMES order)",
    )
    wrap_angles: tuple[int, ...] = Field(
        default=(),
        description="state entries that are angles (rad), wrapped to [-pi, pi) before normalisation; "
        "the scene integrates the base yaw unwrapped, so one heading has many values",
    )
    sincos_angles: tuple[int, ...] = Field(
        default=(),
        description="state entries that are angles (rad) fed as (sin, cos): the entry becomes its sine "
        "and its cosine is appended after the 18 entries (one column per angle, in this order). "
        "Unlike a wrapped angle, nearby headings then always have nearby inputs, including at "
        "the wrap (a heading of pi is both pi and -pi wrapped); entries must be in state_indices",
    )
    vision: VisionKind = Field(
        default="cnn", description="small CNN from scratch, or ImageNet EfficientNet-Lite0"
    )
    cnn_widths: tuple[int, ...] = Field(
        default=(32, 48, 96, 128, 192), description="SmallCNN stem + stage widths (stride 2 each)"
    )
    text_dim: int = Field(default=384, description="frozen sentence embedding width (all-MiniLM-L6-v2)")
    d_model: int = Field(default=192, ge=16, description="transformer width")
    n_heads: int = Field(default=4, ge=1)
    enc_layers: int = Field(default=2, ge=0, description="self-attention layers over image/text/state tokens")
    dec_layers: int = Field(
        default=2, ge=1, description="action-query decoder layers (cross-attend the context)"
    )
    dropout: float = Field(default=0.1, ge=0.0, lt=1.0)
    chunk_size: int = Field(default=10, ge=1, description="actions per chunk (10 Hz steps)")
    head: str = Field(
        default="tokens",
        description="a registered action head (heads.HEADS): tokens (256 bins, CE) | flow | l1",
    )
    n_bins: int = Field(
        default=256, ge=2, description="tokens head: uniform bins over the normalised [-1, 1]"
    )
    flow_steps: int = Field(default=5, ge=1, description="flow head: Euler steps at inference")
    control_hz: float = Field(
        default=float(CONTROL_HZ), gt=0, description="rate the chunk rows are meant for"
    )
    seed: int = Field(default=0, ge=0, description="seed of the inference noise (flow head)")
    goal_weight: float = Field(
        default=0.0,
        ge=0.0,
        description="weight of the auxiliary goal loss (0: no goal token): a goal token joins the "
        "context and regresses where the demonstration's gripper acts in this skill segment "
        "(the end-effector position, base frame, at the first gripper flip: the grasp point of a "
        "pick, the release point of a place); arm models with an encoder only",
    )

    keypoints: int = Field(
        default=0,
        ge=0,
        description="spatial soft-argmax keypoints per camera (robomimic style; 0: none), read "
        "from the instruction-conditioned stride-4 and stride-8 maps of the small CNN; each joins "
        "the context as a token made from its (x, y) image coordinates, finer than the grid cells",
    )

    goal_source: Literal["token", "keypoints"] = Field(
        default="token",
        description="what the goal head reads: 'token', a learned goal token after the encoder; "
        "'keypoints', only keypoint 0 of every camera and the end-effector position (a bottleneck "
        "that makes that keypoint follow the named object), its goal then joining the context",
    )

    keypoint_readout: Literal["mean", "peak"] = Field(
        default="mean",
        description="how a keypoint's heatmap becomes (x, y): 'mean', the soft-argmax over every cell; "
        "'peak', the soft-argmax over the 3x3 cells around the heatmap's maximum (a spread or "
        "two-peaked heatmap then reads as its strongest object, not a point between objects)",
    )

    goal_features: bool = Field(
        default=False,
        description="the goal head also reads the stride-8 features under keypoint 0 of every camera: "
        "what the object stands on, which one image point alone cannot tell (an RGB pixel fixes a "
        "ray, not how far along it the object is; needs goal_source='keypoints')",
    )

    goal_relative: bool = Field(
        default=False,
        description="the goal token also reads the goal minus the end-effector position "
        "(standardised): the vector the arm must travel (needs goal_source='keypoints')",
    )

    position_targets: bool = Field(
        default=False,
        description="the arm's xyz rows of a chunk are where the commanded end effector should be "
        "after each step, relative to where it is commanded when the chunk is predicted (running sums of the "
        "demonstration's per-step deltas), not per-step deltas: a lateral correction then shows "
        "in every row, not only the one step that makes it, and temporal ensembling averages "
        "positions, not velocities, so old chunks cannot push the hand past where new ones stop it "
        "(Diffusion Policy and UMI found position targets beat velocities with chunks); the learned "
        "skills turn them back into steps from the arm's commanded setpoint (arm models only)",
    )

    goal_frame: bool = Field(
        default=False,
        description="with position_targets, in a grasp (a call that starts with an empty hand) the "
        "arm's xyz rows are relative to the goal in the goal token (where the gripper will close), "
        "not to the setpoint when the chunk is predicted: the approach is then the same few numbers "
        "in every scene (close at about zero), so how precisely the hand reaches a measured goal "
        "(the depth goal) no longer depends on the decoder turning the goal token into a "
        "displacement; the learned skills add the goal the policy used. A place's goal is the goal "
        "head's guess, so its rows stay relative to the setpoint "
        "(needs position_targets and goal_source='keypoints')",
    )

    depth_goal: DepthGoal | None = Field(
        default=None,
        description="at inference, the goal token gets head keypoint 0 unprojected through the head "
        "depth camera (:mod:`skills.vla.depth_goal`) instead of the goal head's guess, once the two "
        "agree; the policy then also reads head_depth (needs goal_source='keypoints' and a head camera)",
    )

    pointer: PointerConfig | None = Field(
        default=None,
        description="a separate object pointer (:mod:`skills.vla.pointer`) seeds the depth goal in place "
        "of head keypoint 0 and decides when to trust it (needs depth_goal)",
    )

    @model_validator(mode="after")
    def _check(self) -> VLAConfig:
        if self.head not in HEADS:
            raise ValueError(f"unknown action head {self.head!r}; known: {', '.join(HEADS.names())}")
        unknown = [k for k in self.action_keys if k not in ACTION_GROUPS]
        if unknown:
            raise ValueError(f"unknown action groups {unknown}; known: {sorted(ACTION_GROUPS)}")
        unknown = [c for c in self.cameras if c not in CAMERA_OBS_KEYS]
        if unknown:
            raise ValueError(f"unknown cameras {unknown}; known: {sorted(CAMERA_OBS_KEYS)}")
        for camera, (top, left, side) in self.crops.items():
            if camera not in self.cameras:
                raise ValueError(f"crop for camera {camera!r}, which the model does not read {self.cameras}")
            if not (0.0 < side <= 1.0 and 0.0 <= top <= 1.0 - side and 0.0 <= left <= 1.0 - side):
                raise ValueError(
                    f"crop {camera}=({top}, {left}, {side}) must lie inside the frame: "
                    "0 < side <= 1, 0 <= top, left <= 1 - side"
                )
        if any(not 0 <= i < STATE_DIM for i in (*self.state_indices, *self.wrap_angles, *self.sincos_angles)):
            raise ValueError(
                f"state_indices, wrap_angles and sincos_angles must lie in [0, {STATE_DIM}), "
                f"got {self.state_indices}, {self.wrap_angles} and {self.sincos_angles}"
            )
        if set(self.sincos_angles) & set(self.wrap_angles) or len(set(self.sincos_angles)) != len(
            self.sincos_angles
        ):
            raise ValueError(
                f"sincos_angles {self.sincos_angles} must be distinct and not also in wrap_angles "
                f"{self.wrap_angles}"
            )
        if not set(self.sincos_angles) <= set(self.state_indices):
            raise ValueError(
                f"sincos_angles {self.sincos_angles} must be entries the model reads (state_indices)"
            )
        if self.goal_weight > 0 and (ARM_KEY not in self.action_keys or self.enc_layers == 0):
            raise ValueError(
                "goal_weight > 0 needs an arm model (its goal is where the gripper acts) "
                f"with enc_layers >= 1, got action_keys={self.action_keys}, enc_layers={self.enc_layers}"
            )
        if self.keypoints and (self.vision != "cnn" or len(self.cnn_widths) < 3):
            raise ValueError(
                "keypoints need the small CNN with a stem and at least two stages (stride-4 and "
                f"stride-8 maps), got vision={self.vision!r}, cnn_widths={self.cnn_widths}"
            )
        if self.goal_source == "keypoints" and not (self.use_goal and self.keypoints and self.use_state):
            raise ValueError(
                "goal_source='keypoints' needs goal_weight > 0, keypoints >= 1 and use_state, got "
                f"goal_weight={self.goal_weight}, keypoints={self.keypoints}, use_state={self.use_state}"
            )
        if self.goal_relative and self.goal_source != "keypoints":
            raise ValueError("goal_relative needs goal_source='keypoints' (its goal enters the context)")
        if self.goal_features and self.goal_source != "keypoints":
            raise ValueError("goal_features needs goal_source='keypoints' (features under keypoint 0)")
        if self.position_targets and self.action_keys != (ARM_KEY,):
            raise ValueError(f"position_targets needs an arm-only model, got action_keys={self.action_keys}")
        if self.goal_frame and not (self.position_targets and self.goal_source == "keypoints"):
            raise ValueError(
                "goal_frame needs position_targets and goal_source='keypoints' (targets relative to the "
                f"goal token's goal), got position_targets={self.position_targets}, "
                f"goal_source={self.goal_source!r}"
            )
        if self.depth_goal is not None and not (self.goal_source == "keypoints" and "head" in self.cameras):
            raise ValueError(
                "depth_goal needs goal_source='keypoints' and the head camera, "
                f"got goal_source={self.goal_source!r}, cameras={self.cameras}"
            )
        if self.pointer is not None and self.depth_goal is None:
            raise ValueError("pointer needs depth_goal (the pointer's pixel seeds the depth goal)")
        if self.pointer is not None and self.crops.get("head") not in (None, self.pointer.crop):
            raise ValueError(
                f"pointer crop {self.pointer.crop} differs from the head crop {self.crops['head']}"
            )
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}")
        return self

    def prepare_state(self, states: np.ndarray) -> np.ndarray:
        """``(..., 18)`` scene states -> ``(..., state_width)`` network states (before standardising).

        The :attr:`wrap_angles` entries are wrapped to ``[-pi, pi)``; each :attr:`sincos_angles`
        entry becomes its sine and its cosine is appended (columns ``18, 19, ...``). Applied to
        the training frames (before the statistics) and to every observation.
        """
        if not self.wrap_angles and not self.sincos_angles:
            return states
        out = np.array(states, dtype=np.float32, copy=True)
        if self.wrap_angles:
            idx = list(self.wrap_angles)
            out[..., idx] = (out[..., idx] + np.pi) % (2 * np.pi) - np.pi
        if self.sincos_angles:
            angles = out[..., list(self.sincos_angles)]
            out[..., list(self.sincos_angles)] = np.sin(angles)
            out = np.concatenate([out, np.cos(angles)], axis=-1)
        return out

    @property
    def state_width(self) -> int:
        """Width of a prepared state: the 18 scene entries plus one cosine per :attr:`sincos_angles`."""
        return STATE_DIM + len(self.sincos_angles)

    @property
    def state_columns(self) -> tuple[int, ...]:
        """Columns of a prepared state the network reads: :attr:`state_indices`, then the cosines."""
        return self.state_indices + tuple(range(STATE_DIM, self.state_width))

    @property
    def use_goal(self) -> bool:
        """Whether the network has the auxiliary goal token and head (``goal_weight > 0``)."""
        return self.goal_weight > 0

    @property
    def action_dim(self) -> int:
        """Width of one chunk row: the action groups' widths summed."""
        return sum(ACTION_GROUPS[k][1] for k in self.action_keys)

    @property
    def action_columns(self) -> list[int]:
        """Indices of this model's action dims inside the dataset's 10-D ``action`` column."""
        return [off + i for k in self.action_keys for off, n in [ACTION_GROUPS[k]] for i in range(n)]

    @property
    def obs_keys(self) -> tuple[str, ...]:
        """Scene observation keys read (cameras, ``"head_depth"`` with a depth goal, then ``"state"``
        if used)."""
        return (
            tuple(CAMERA_OBS_KEYS[c] for c in self.cameras)
            + (("head_depth",) if self.depth_goal is not None else ())
            + (("state",) if self.use_state else ())
        )


_CPU_SIZED = dict(image_size=64, cnn_widths=(16, 32, 64, 128), d_model=128, enc_layers=2, dec_layers=1)
"""The shipped size: 64 px, a 4-stage CNN (4x4 grid per camera) and a 128-wide transformer,
about 1.4 M parameters. It trains at about 3 steps/s at batch 64 on one core of a 2-core CPU
(the earlier 96 px, 192-wide default: 1.4 steps/s on both cores) and predicts a chunk in about 5 ms."""

PRESETS: Registry = Registry("preset")
"""VLA presets by family name: the shipped ``manipulation`` and ``navigation``, and any a package adds
(``PRESETS.add(name, VLAConfig(...))``, advertised under the entry-point group ``agentrt.presets``).
Each family's skills (``VLAConfig.skills``) are what one checkpoint of it drives."""
_SHIPPED = {
    "manipulation": VLAConfig(
        name="manipulation",
        skills=("pick", "place"),
        action_keys=(ARM_KEY,),
        cameras=("head", "wrist"),
        state_indices=tuple(range(15)),  # joints, gripper width, EE pose in the base frame; no world pose
        **_CPU_SIZED,
    ),
    "navigation": VLAConfig(
        name="navigation",
        skills=("navigate_to",),
        action_keys=(BASE_KEY,),
        cameras=("head",),
        sincos_angles=(17,),  # base_yaw: the scene integrates it unwrapped
        **_CPU_SIZED,
    ),
}
for _name, _config in _SHIPPED.items():
    PRESETS.add(_name, _config)


def preset(name: str, **overrides: object) -> VLAConfig:
    """``PRESETS[name]`` with ``overrides`` applied and validated again.

    Raises:
        RegistryError: unknown preset (a KeyError; the message lists the known ones).
        pydantic.ValidationError: an override is invalid.
    """
    return VLAConfig.model_validate({**PRESETS.get(name).model_dump(), **overrides})
