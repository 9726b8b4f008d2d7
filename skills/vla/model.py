"""``VLAModel``: FiLM-conditioned vision, a transformer over image/text/state tokens, an action head.

Inputs (one batch, all float32):

- ``images``: ``(B, K, 3, S, S)`` in ``[0, 1]``, the ``K = len(config.cameras)`` cameras
  in config order, each resized to ``S = config.image_size``;
- ``text``: ``(B, 384)`` frozen all-MiniLM-L6-v2 embedding of the instruction;
- ``state``: ``(B, config.state_width)`` standardised proprioception (18 entries, plus a cosine
  per ``config.sincos_angles``); the model reads ``config.state_columns`` of it (nothing unless
  ``config.use_state``).

One shared vision trunk encodes every camera (FiLM on the text after each block); its
grid cells become tokens with a learned (camera, cell) position embedding, joined by a
text token and a state token (and, with ``config.keypoints``, one token per spatial
soft-argmax keypoint per camera, :class:`~skills.vla.vision.SpatialKeypoints`);
``enc_layers`` of self-attention mix them into a context.
``chunk_size`` action queries cross-attend that context through ``dec_layers`` decoder
layers, and the head (:mod:`skills.vla.heads`) turns them into a normalised chunk
``(B, chunk_size, action_dim)``. The context is computed once per observation, so the
flow head's Euler steps only re-run the small decoder.

With ``config.goal_weight > 0`` a learned goal token joins the context (last) and a small
MLP reads it out as the standardised end-effector position where the skill's gripper will
act (the grasp point of a pick; :func:`skills.vla.data.gripper_goals`). Its regression loss,
weighted by ``goal_weight``, is auxiliary: it asks the vision to find the object the
instruction names, and the action decoder attends to the token like any other. With
``config.goal_source == "keypoints"`` the MLP reads only keypoint 0 of every camera and the
standardised end-effector position, before the encoder, so those keypoints must find the
named object; the predicted goal then enters the context as the goal token (with
``config.goal_relative``, together with the goal minus the end-effector position: the vector
the arm must travel). Training may hand that token the demonstration's goal instead
(teacher forcing, :meth:`VLAModel.loss`'s ``goal_teacher``), so that the action decoder learns
to go where the token says; a diagnostic may hand it the true goal (:meth:`VLAModel.predict`).
``config.keypoint_readout == "peak"`` reads each keypoint around its heatmap's maximum
(:meth:`SpatialKeypoints.peak_xy`) rather than as the mean over all cells.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from skills.vla.config import EE_POS, VLAConfig
from skills.vla.heads import ActionHead, build_head
from skills.vla.pointer import ObjectPointer
from skills.vla.vision import SpatialKeypoints, build_vision, cell_cross_entropy, vision_grid

GoalFn = Callable[[torch.Tensor, torch.Tensor], "torch.Tensor | None"]
"""``(keypoint 0 of every camera (B, K, 2) in [-1, 1], predicted standardised goal (B, 3))`` -> a
standardised goal ``(B, 3)`` for the goal token, or ``None`` to keep the prediction."""


class VLAModel(nn.Module):
    """See the module docstring; ``pretrained`` loads ImageNet weights into an EfficientNet trunk."""

    def __init__(self, config: VLAConfig, pretrained: bool = False) -> None:
        super().__init__()
        self.config = c = config
        self.vision = build_vision(c.vision, c.cnn_widths, c.text_dim, pretrained)
        grid = vision_grid(c.vision, len(c.cnn_widths), c.image_size)
        self.n_image_tokens = len(c.cameras) * grid * grid
        self.image_proj = nn.Linear(self.vision.out_dim, c.d_model)
        self.image_pos = nn.Parameter(torch.randn(self.n_image_tokens, c.d_model) * 0.02)
        self.text_proj = nn.Linear(c.text_dim, c.d_model)
        self.state_proj = nn.Linear(len(c.state_columns), c.d_model) if c.use_state else None
        self.register_buffer(
            "state_indices", torch.tensor(c.state_columns, dtype=torch.long), persistent=False
        )
        self.kind_emb = nn.Parameter(torch.randn(3, c.d_model) * 0.02)  # image, text, state
        if c.keypoints:
            self.keypoints = SpatialKeypoints(c.cnn_widths[1], c.cnn_widths[2], c.keypoints)
            self.keypoint_proj = nn.Linear(2, c.d_model)
            self.keypoint_pos = nn.Parameter(torch.randn(len(c.cameras) * c.keypoints, c.d_model) * 0.02)
        if c.use_goal:
            self.goal_token = nn.Parameter(torch.randn(c.d_model) * 0.02)
            reads = c.d_model if c.goal_source == "token" else 2 * len(c.cameras) + 3
            if c.goal_features:
                reads += len(c.cameras) * c.cnn_widths[2]
            self.goal_head = nn.Sequential(nn.Linear(reads, c.d_model), nn.GELU(), nn.Linear(c.d_model, 3))
            if c.goal_source == "keypoints":
                self.goal_in = nn.Linear(3, c.d_model)
            if c.goal_relative:
                self.goal_rel_in = nn.Linear(3, c.d_model)
        layer = dict(d_model=c.d_model, nhead=c.n_heads, dim_feedforward=4 * c.d_model, dropout=c.dropout,
                     batch_first=True, norm_first=True)  # fmt: skip
        self.encoder = (
            nn.TransformerEncoder(
                nn.TransformerEncoderLayer(**layer), c.enc_layers, enable_nested_tensor=False
            )
            if c.enc_layers
            else None
        )
        self.context_norm = nn.LayerNorm(c.d_model)
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(**layer), c.dec_layers)
        self.decoder_norm = nn.LayerNorm(c.d_model)
        self.head: ActionHead = build_head(c)
        self.pointer = ObjectPointer(c.pointer) if c.pointer is not None else None

    def encode(
        self,
        images: torch.Tensor,
        text: torch.Tensor,
        state: torch.Tensor,
        goal: torch.Tensor | None = None,
        goal_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Context tokens ``(B, L, d_model)``: image cells, keypoints (``K * config.keypoints``), text,
        state (if used), goal (if used, last). See :meth:`_encode` for ``goal`` and ``goal_mask``."""
        return self._encode(images, text, state, goal, goal_mask)[0]

    def _encode(
        self,
        images: torch.Tensor,
        text: torch.Tensor,
        state: torch.Tensor,
        goal: torch.Tensor | None = None,
        goal_mask: torch.Tensor | None = None,
        goal_fn: GoalFn | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None, torch.Tensor | None]:
        """The context, the standardised goal ``(B, 3)`` the goal head predicts (with a goal head),
        the keypoint logits ``(B, K, keypoints, H * W)`` over the stride-4 cells (with keypoints) and
        the standardised goal ``(B, 3)`` the goal token was given (``goal_source == "keypoints"``).

        With ``goal_source == "keypoints"``, a standardised ``goal`` ``(B, 3)`` replaces the
        prediction in the context's goal token (in the rows where ``goal_mask`` ``(B,)`` is true;
        all rows without a mask): teacher forcing in training, and a given goal in diagnostics.
        Without a ``goal``, ``goal_fn(keypoints, predicted)`` may supply one from keypoint 0 of
        every camera ``(B, K, 2)`` and the prediction (or return ``None``: keep the prediction).
        The returned goal is still the head's prediction."""
        c = self.config
        b = images.shape[0]
        if goal is not None and c.goal_source != "keypoints":
            raise ValueError(f"model {c.name!r} cannot be given a goal: its goal is not an input")
        feats, logits, coarse = self._see(images, text)
        xy = None
        if logits is not None:
            side = math.isqrt(logits.shape[-1])
            read = self.keypoints.peak_xy if c.keypoint_readout == "peak" else self.keypoints.expected_xy
            xy = read(logits.flatten(1, 2), side, side)  # (B, K*keypoints, 2)
        img = self.image_proj(feats).reshape(b, -1, c.d_model) + self.image_pos + self.kind_emb[0]
        tokens = [img]
        if xy is not None:
            tokens.append(self.keypoint_proj(xy) + self.keypoint_pos)
        tokens.append((self.text_proj(text) + self.kind_emb[1])[:, None])
        if self.state_proj is not None:
            picked = state.index_select(1, self.state_indices)
            tokens.append((self.state_proj(picked) + self.kind_emb[2])[:, None])
        predicted = given = None
        if c.use_goal and c.goal_source == "keypoints":
            assert xy is not None
            # keypoint 0 of every camera (and where the hand is) must say where the gripper will act
            ee = state[:, EE_POS]
            first = xy[:, :: c.keypoints]  # (B, K, 2)
            reads = [first.flatten(1), ee]
            if c.goal_features:
                assert coarse is not None
                under = F.grid_sample(
                    coarse, first.reshape(-1, 1, 1, 2), align_corners=False
                )  # (B*K, C8, 1, 1)
                reads.append(under.reshape(b, -1))
            predicted = self.goal_head(torch.cat(reads, dim=1))
            given = predicted
            if goal is None and goal_fn is not None:
                goal = goal_fn(first, predicted)
            if goal is not None:
                given = goal if goal_mask is None else torch.where(goal_mask[:, None], goal, predicted)
            token = self.goal_token + self.goal_in(given)
            if c.goal_relative:
                token = token + self.goal_rel_in(given - ee)
            tokens.append(token[:, None])
        elif c.use_goal:
            tokens.append(self.goal_token.expand(b, 1, -1))
        x = torch.cat(tokens, dim=1)
        if self.encoder is not None:
            x = self.encoder(x)
        context = self.context_norm(x)
        if c.use_goal and c.goal_source == "token":
            predicted = self.goal_head(context[:, -1])
        return context, predicted, logits, given

    def _see(
        self, images: torch.Tensor, text: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """Every camera through the trunk: grid features ``(B*K, cells, C)`` and, with keypoints, their
        logits ``(B, K, keypoints, H * W)`` over the stride-4 cells (row-major) and the stride-8 map
        ``(B*K, C8, H/2, W/2)`` they were read from."""
        b, k = images.shape[:2]
        cond = text.repeat_interleave(k, dim=0)
        if not self.config.keypoints:
            return self.vision(images.flatten(0, 1), cond), None, None
        maps = self.vision.feature_maps(images.flatten(0, 1), cond)
        logits = self.keypoints.logits(maps[1], maps[2]).reshape(b, k, self.config.keypoints, -1)
        return maps[-1].flatten(2).transpose(1, 2), logits, maps[2]

    def _decoder(self, context: torch.Tensor):
        def decode(queries: torch.Tensor) -> torch.Tensor:
            return self.decoder_norm(self.decoder(queries, context))

        return decode

    def loss(
        self,
        images: torch.Tensor,
        text: torch.Tensor,
        state: torch.Tensor,
        target: torch.Tensor,
        valid: torch.Tensor,
        goal: torch.Tensor | None = None,
        goal_valid: torch.Tensor | None = None,
        goal_pixel: torch.Tensor | None = None,
        goal_pixel_valid: torch.Tensor | None = None,
        pixel_weight: float = 0.0,
        goal_teacher: float = 0.0,
        goal_noise: torch.Tensor | float = 0.0,
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """Training loss for normalised ``target`` ``(B, T, A)`` with ``valid`` ``(B, T)`` rows.

        With a goal token and a standardised ``goal`` ``(B, 3)`` (``goal_valid`` ``(B,)``), adds
        ``goal_weight`` times its smooth-L1 error (mean over valid rows), reported as ``goal_l1``.
        With keypoints and ``goal_pixel`` ``(B, 2)`` (where the goal appears in the head camera's
        crop, ``[-1, 1]``; ``goal_pixel_valid`` ``(B,)``), adds ``pixel_weight`` times the cross-entropy
        of head keypoint 0's logits against the cell holding it (``goal_px_ce``): a dense label
        that makes that keypoint find the named object (as Transporter / CLIPort do for picks).
        With ``goal_teacher > 0`` (``goal_source == "keypoints"``), that share of the rows with a
        valid goal hand the action decoder the demonstration's goal plus Gaussian noise of
        standard deviation ``goal_noise`` (standardised units; scalar or ``(3,)``) instead of the
        prediction, so the decoder learns to go where the goal token says.
        """
        given, mask = None, None
        if goal_teacher and goal is not None and self.config.goal_source == "keypoints":
            mask = torch.rand(goal.shape[0], device=goal.device) < goal_teacher
            if goal_valid is not None:
                mask &= goal_valid.bool()
            noise = torch.as_tensor(goal_noise, dtype=goal.dtype, device=goal.device)
            given = goal + torch.randn_like(goal) * noise
        context, predicted, logits, _ = self._encode(images, text, state, given, mask)
        loss, info = self.head.loss(self._decoder(context), target, valid)
        if predicted is not None and goal is not None:
            err = F.smooth_l1_loss(predicted, goal, reduction="none").mean(-1)
            mask = torch.ones_like(err) if goal_valid is None else goal_valid.to(err.dtype)
            goal_loss = (err * mask).sum() / mask.sum().clamp_min(1.0)
            loss = loss + self.config.goal_weight * goal_loss
            info = {**info, "goal_l1": float(goal_loss.detach())}
        if pixel_weight and logits is not None and goal_pixel is not None:
            ce = cell_cross_entropy(logits[:, self.config.cameras.index("head"), 0], goal_pixel)
            mask = torch.ones_like(ce) if goal_pixel_valid is None else goal_pixel_valid.to(ce.dtype)
            pixel_loss = (ce * mask).sum() / mask.sum().clamp_min(1.0)
            loss = loss + pixel_weight * pixel_loss
            info = {**info, "goal_px_ce": float(pixel_loss.detach())}
        return loss, info

    def grounding_loss(self, images: torch.Tensor, text: torch.Tensor, xy: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of keypoint 0 on single head-camera crops ``(B, 3, S, S)`` in ``[0, 1]`` against
        the cell of ``xy`` ``(B, 2)`` (``[-1, 1]``): co-training on labelled crops of many more scenes
        than the demonstrations show (:mod:`skills.vla.grounding_crops`), so that finding the
        object the instruction ``text`` ``(B, 384)`` names is learned, not memorised per scene."""
        if not self.config.keypoints:
            raise ValueError(f"model {self.config.name!r} has no keypoints to ground")
        logits = self._see(images[:, None], text)[1]
        assert logits is not None
        return cell_cross_entropy(logits[:, 0, 0], xy).mean()

    @torch.no_grad()
    def keypoint_logits(self, images: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """``(B, K, keypoints, H * W)`` keypoint logits over each camera's stride-4 cells (row-major)."""
        if not self.config.keypoints:
            raise ValueError(f"model {self.config.name!r} has no keypoints")
        logits = self._see(images, text)[1]
        assert logits is not None
        return logits

    @torch.no_grad()
    def predict_goal(self, images: torch.Tensor, text: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """Standardised goal ``(B, 3)``: where the gripper will act (needs ``goal_weight > 0``)."""
        if not self.config.use_goal:
            raise ValueError(f"model {self.config.name!r} has no goal head (goal_weight is 0)")
        goal = self._encode(images, text, state)[1]
        assert goal is not None
        return goal

    @torch.no_grad()
    def predict(
        self,
        images: torch.Tensor,
        text: torch.Tensor,
        state: torch.Tensor,
        generator: torch.Generator | None = None,
        goal: torch.Tensor | None = None,
        goal_fn: GoalFn | None = None,
    ) -> torch.Tensor:
        """Normalised chunk ``(B, chunk_size, action_dim)`` in ``[-1, 1]``; a standardised ``goal``
        ``(B, 3)``, or the one ``goal_fn`` returns (see :meth:`_encode`), replaces the goal head's
        (``goal_source == "keypoints"``)."""
        return self.predict_with_goal(images, text, state, generator, goal, goal_fn)[0]

    @torch.no_grad()
    def predict_with_goal(
        self,
        images: torch.Tensor,
        text: torch.Tensor,
        state: torch.Tensor,
        generator: torch.Generator | None = None,
        goal: torch.Tensor | None = None,
        goal_fn: GoalFn | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """:meth:`predict`, and the standardised goal ``(B, 3)`` in the goal token (``None`` unless
        ``goal_source == "keypoints"``): what ``config.goal_frame`` chunks are relative to."""
        if goal_fn is not None and self.config.goal_source != "keypoints":
            raise ValueError(f"model {self.config.name!r} cannot be given a goal: its goal is not an input")
        context, _, _, given = self._encode(images, text, state, goal, goal_fn=goal_fn)
        return self.head.sample(self._decoder(context), images.shape[0], generator), given
