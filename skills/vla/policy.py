"""``VLAPolicy``: a trained :class:`VLAModel` with its normalisation, as a :class:`ChunkPolicy`.

``predict_chunk(obs, instruction)`` reads ``obs`` (scene observation dict, see
:mod:`skills.vla.protocol`), resizes each camera image to ``config.image_size``,
standardises the state, embeds the instruction with the frozen MiniLM (once per distinct
instruction), runs the model and un-normalises: a ``(chunk_size, action_dim)`` float32
chunk in env units whose row ``i`` is meant for the ``i``-th step at ``control_hz`` (10 Hz).
The policy itself is stateless between calls (temporal ensembling happens at execution,
in :mod:`skills.vla.ensemble`) but for one thing: with ``config.depth_goal`` it keeps the first
goal it trusted (:mod:`skills.vla.depth_goal`) for the rest of the instruction, since the object
does not move until the gripper closes on it and the arm may hide it later. ``reset()`` (at
the start of every skill call) forgets that goal and re-seeds the flow head's noise, so the
same observations after a reset give the same chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np
import torch

from skills.vla.camera import PinholeCamera
from skills.vla.config import CAMERA_OBS_KEYS, VLAConfig
from skills.vla.model import GoalFn, VLAModel
from skills.vla.normalize import Normalizer, NormStats
from skills.vla.vision import resize_images


class InstructionEncoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray:
        """``(N, 384)`` float32 embeddings."""


class VLAPolicy:
    """See the module docstring. Build with :func:`skills.vla.artifact.load_policy` or from training.

    Beside :class:`~skills.vla.protocol.ChunkPolicy` it satisfies the optional protocols of
    :mod:`skills.vla.protocol`: ``PositionTargeting``, ``GraspAware`` and ``PlaceSpotAware``.
    """

    def __init__(
        self,
        model: VLAModel,
        stats: NormStats,
        text_encoder: InstructionEncoder | None = None,
        provenance: Mapping[str, object] | None = None,
    ) -> None:
        self.model = model.eval()
        self.config: VLAConfig = model.config
        self.stats = stats
        self.normalizer = Normalizer(stats)
        self.provenance = dict(provenance or {})
        self.chunk_size = self.config.chunk_size
        self.action_keys = tuple(self.config.action_keys)
        self.obs_keys = self.config.obs_keys
        self.control_hz = float(self.config.control_hz)
        self._text_encoder = text_encoder
        self._text_cache: dict[str, torch.Tensor] = {}
        self._generator = torch.Generator().manual_seed(self.config.seed)
        self.goal: np.ndarray | None = None
        """A goal ``(3,)`` (m, base frame) that replaces the goal head's prediction in the context
        (``goal_source == "keypoints"`` models): a diagnostic that separates finding the object
        from reaching it (the removed experiment ``pick_failures --oracle-goal``, docs/experiments.md).
        ``None``: the model's own."""
        self.grasping = True
        """Whether the current call starts with an empty hand (a pick). The depth goal is a grasp
        point, so a call that starts holding something (a place) keeps the goal head's goal, unless
        the pointer was trained on places (``PointerConfig.places``): then the goal's x, y come from
        the pointer's pixel on the receptacle and its height from the goal head. The learned skills
        set it at the start of every call."""
        self.depth_goal: tuple[str, np.ndarray] | None = None
        """With ``config.depth_goal``: the instruction and the goal ``(3,)`` (m, base frame) found
        by depth and trusted, kept until :meth:`reset`; ``None`` while none was."""
        self.pointer_seen: tuple[np.ndarray, float] | None = None
        """With ``config.pointer``: its last answer, the best pixel ``(2,)`` (``[-1, 1]`` over the head
        crop) and P(not visible); ``None`` before it ran in this call (a diagnostic)."""
        self.last_goal: np.ndarray | None = None
        """The goal ``(3,)`` (m, base frame) in the goal token of the last chunk (models with
        ``goal_source == "keypoints"``): the origin of ``config.goal_frame`` chunks."""
        self.place_spot: Callable[[np.ndarray], np.ndarray | None] | None = None
        """Where the held object may go down, set by the skill (:mod:`skills.vla.free_space`): maps the
        goal head's ``(x, y)`` (m, base frame) to the spot to use instead (itself where that has
        room) or ``None`` (keep it). While set, a call holding something (a place) takes its goal's
        x, y from it and the height from the goal head. Cleared by :meth:`reset`."""
        self.grasp_within: Callable[[np.ndarray], bool] | None = None
        """Whether a grasp point ``(3,)`` (m, base frame) lies where the object can be, set by the skill
        (the place it lies in, from the map: :attr:`skills.learned.pick.LearnedPick.on_place`). While
        set, a depth goal outside it is not kept: the pointer's pixel or the keypoint fell on
        something else (the arm, usually) and the next chunk looks again. Cleared by :meth:`reset`."""
        self.grasp_yaw: float | None = None
        """With ``depth_goal.align_yaw``: the yaw (rad, base frame) of the long axis of the top of the
        object the depth goal was found on, kept with it until :meth:`reset`; ``None`` if round or
        not found."""

    @property
    def position_targets(self) -> bool:
        """Whether the arm rows' xyz are positions relative to the setpoint, not steps (the learned
        arm skills turn them into steps; ``VLAConfig.position_targets``)."""
        return self.config.position_targets

    @property
    def goal_frame(self) -> bool:
        """Whether those positions are relative to :attr:`last_goal` rather than to the setpoint
        (``VLAConfig.goal_frame``)."""
        return self.config.goal_frame

    @property
    def depth_camera(self) -> PinholeCamera | None:
        """The head camera of ``config.depth_goal`` (the calibrated depth camera), else ``None``
        (:class:`skills.vla.protocol.PlaceSpotAware`)."""
        finder = self.config.depth_goal
        return None if finder is None else finder.camera

    def reset(self) -> None:
        """Re-seed the inference noise and forget the depth goal."""
        self._generator.manual_seed(self.config.seed)
        self.depth_goal = None
        self.pointer_seen = None
        self.last_goal = None
        self.grasp_yaw = None
        self.place_spot = None
        self.grasp_within = None

    def embed(self, instruction: str) -> torch.Tensor:
        """``(384,)`` embedding of ``instruction``, computed once per distinct text."""
        cached = self._text_cache.get(instruction)
        if cached is None:
            if self._text_encoder is None:
                from skills.vla.text import load_text_encoder

                self._text_encoder = load_text_encoder()
            cached = torch.as_tensor(
                np.asarray(self._text_encoder.encode([instruction]))[0], dtype=torch.float32
            )
            self._text_cache[instruction] = cached
        return cached

    def inputs(self, obs: Mapping[str, np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
        """``images`` ``(1, K, 3, S, S)`` float32 in ``[0, 1]`` and standardised ``state``
        ``(1, config.state_width)``."""
        cams = []
        for camera in self.config.cameras:
            key = CAMERA_OBS_KEYS[camera]
            if key not in obs:
                raise KeyError(f"observation has no {key!r} (policy reads {self.obs_keys})")
            frame = torch.from_numpy(np.ascontiguousarray(obs[key], dtype=np.uint8))[None]
            cams.append(resize_images(frame, self.config.image_size, self.config.crops.get(camera))[0])
        images = torch.stack(cams)[None].float().div_(255.0)
        raw_state = obs.get("state") if self.config.use_state else None
        if self.config.use_state and raw_state is None:
            raise KeyError(f"observation has no 'state' (policy reads {self.obs_keys})")
        state = (
            torch.zeros(1, self.config.state_width)
            if raw_state is None
            else torch.as_tensor(self.config.prepare_state(np.asarray(raw_state, np.float32)))[None]
        )
        return images, self.normalizer.state(state)

    @torch.inference_mode()
    def predict_chunk(self, obs: Mapping[str, np.ndarray], instruction: str) -> np.ndarray:
        """``(chunk_size, action_dim)`` float32 actions in env units for ``instruction``."""
        images, state = self.inputs(obs)
        goal, goal_fn = None, None
        if self.goal is not None:
            goal = self._standard_goal(self.goal)
        elif self.place_spot is not None and not self.grasping and self.config.goal_source == "keypoints":
            goal_fn = self._over_spot(self.place_spot)
        elif self.config.depth_goal is not None and (self.grasping or self._points_at_places):
            goal, goal_fn = self._depth_goal(obs, instruction)
        normalized, given = self.model.predict_with_goal(
            images, self.embed(instruction)[None], state, self._generator, goal, goal_fn
        )
        self.last_goal = (
            None if given is None else self.normalizer.ungoal(given[0]).numpy().astype(np.float32)
        )
        return self.normalizer.unaction(normalized[0]).numpy().astype(np.float32)

    @property
    def _points_at_places(self) -> bool:
        pointer = self.model.pointer
        return pointer is not None and pointer.config.places

    def _over_spot(self, spot: Callable[[np.ndarray], np.ndarray | None]) -> GoalFn:
        """A ``goal_fn`` moving the goal head's goal to ``spot`` of its x, y, at the goal head's height."""

        def over_spot(keypoints: torch.Tensor, predicted: torch.Tensor) -> torch.Tensor:
            goal = self.normalizer.ungoal(predicted[0]).numpy().astype(np.float32)
            moved = spot(goal[:2].copy())
            if moved is not None:
                goal[:2] = moved
            return self._standard_goal(goal)

        return over_spot

    def _plausible(self, grasp: np.ndarray) -> bool:
        """Whether a depth goal ``(3,)`` (m, base frame) may be kept (:attr:`grasp_within`)."""
        return self.grasp_within is None or bool(self.grasp_within(np.asarray(grasp, np.float64)))

    def _standard_goal(self, goal: np.ndarray) -> torch.Tensor:
        return self.normalizer.goal(torch.as_tensor(goal, dtype=torch.float32))[None]

    def _depth_goal(
        self, obs: Mapping[str, np.ndarray], instruction: str
    ) -> tuple[torch.Tensor | None, GoalFn | None]:
        """The goal kept for ``instruction``, or a ``goal_fn`` that finds it by depth under head
        keypoint 0 and keeps it if the goal head agrees (see :mod:`skills.vla.depth_goal`). With
        ``config.pointer`` the pointer's best pixel seeds the depth goal instead, kept once the pointer
        sees the named object (:mod:`skills.vla.pointer`); until then the goal head's guess."""
        if self.depth_goal is not None and self.depth_goal[0] == instruction:
            return self._standard_goal(self.depth_goal[1]), None
        if "head_depth" not in obs:
            raise KeyError(f"observation has no 'head_depth' (policy reads {self.obs_keys})")
        finder = self.config.depth_goal
        assert finder is not None
        depth = np.asarray(obs["head_depth"], np.float32)
        head = self.config.cameras.index("head")
        crop = self.config.crops.get("head")
        pointer = self.model.pointer
        if pointer is not None:
            if "head_rgb" not in obs:
                raise KeyError(f"observation has no 'head_rgb' (policy reads {self.obs_keys})")
            xy, p_null = pointer.point(
                np.asarray(obs["head_rgb"], np.uint8), depth, finder.camera, self.embed(instruction)
            )
            self.pointer_seen = (xy, p_null)
            if p_null >= pointer.config.max_null:  # not in view yet: the goal head's guess this chunk
                return None, None
            if not self.grasping:
                # a place: where over the receptacle from the pointer, how high from the goal head
                surface = finder.surface(xy, depth, crop)

                def over_receptacle(keypoints: torch.Tensor, predicted: torch.Tensor) -> torch.Tensor:
                    height = float(self.normalizer.ungoal(predicted[0]).numpy()[2])
                    found = np.array([surface[0], surface[1], height])
                    self.depth_goal = (instruction, found)
                    return self._standard_goal(found)

                return None, over_receptacle
            found, yaw = finder.locate_grasp(xy, depth, crop)
            if not self._plausible(found):  # not on the place: the goal head's guess this chunk
                return None, None
            self.depth_goal, self.grasp_yaw = (instruction, found), yaw
            return self._standard_goal(found), None

        def from_depth(keypoints: torch.Tensor, predicted: torch.Tensor) -> torch.Tensor | None:
            found, yaw = finder.locate_grasp(keypoints[0, head].numpy(), depth, crop)
            if not finder.trust(found, self.normalizer.ungoal(predicted[0]).numpy()):
                return None
            if not self._plausible(found):
                return None
            self.depth_goal = (instruction, found)
            self.grasp_yaw = yaw
            return self._standard_goal(found)

        return None, from_depth
