"""``ObjectPointer``: which head-camera pixel shows the object an instruction names.

The manipulation model's own keypoint 0 chooses the wrong object in about a fifth of held-out
picks: its vision sees the whole crop at once and learns the training scenes' layouts rather
than what "the green apple" looks like (``docs/vla-experiments.md``, "Grounding is memorised per
scene"). The pointer is a separate, deliberately *local* network: a fully convolutional stack
whose receptive field (:attr:`PointerConfig.receptive_field_px`, 15 px, about 15 cm at the
counter) covers one object and its rim but never the scene's layout, so it can only answer from
what an object looks like. It reads the head crop at the camera's full resolution (no resize),
four channels per pixel: RGB and the pixel's height in the base frame from the head depth
camera (the depth goal's calibrated camera; tells a sphere from a box, a can from a bowl).
Every layer is FiLM-conditioned on the frozen MiniLM instruction embedding (RT-1's
conditioning). Out come one logit per pixel and one *not visible* logit (from the
instruction and the pooled features): a softmax over all pixels plus that option. Trained with
a multiple-instance loss: minus the log of the probability on the named object's pixels (or on
*not visible* when the crop does not show it), from rendered head views with masks
(``agentrt train pointer``), so any pixel of the object may carry the mass.

At run time (:class:`skills.vla.policy.VLAPolicy` with ``config.pointer``) the best pixel seeds
the depth goal's segmentation in place of keypoint 0, and the goal is trusted once the pointer's
*not visible* probability is below :attr:`PointerConfig.max_null` (the tucked arm hides the object
at the start of some picks; the pointer then says so and the policy asks again on the next
chunk). Written here rather than taken from a library: it is twelve lines of convolutions, and
the detection libraries that would ground language (OWL-ViT, GroundingDINO) need hub weights
and a GPU.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field
from torch import nn

from skills.vla.camera import PinholeCamera
from skills.vla.vision import crop_window


class PointerConfig(BaseModel):
    """Shape of an :class:`ObjectPointer` and how far to trust it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    crop: tuple[float, float, float] = Field(
        description="head crop (top, left, side) as fractions of the frame, read at full resolution"
    )
    channels: int = Field(default=16, ge=4, le=256)
    dilations: tuple[int, ...] = Field(
        default=(1, 1, 2, 2, 1), min_length=1, description="3x3 conv dilations"
    )
    text_dim: int = 384
    z_offset_m: float = Field(default=0.55, description="height channel: (z - offset) / scale, base frame")
    z_scale_m: float = Field(default=0.25, gt=0.0)
    places: bool = Field(
        default=False,
        description="also trained on place instructions (the middle of the named receptacle): a place's "
        "goal then takes its x, y from the pointer's pixel and its height from the goal head",
    )
    max_null: float = Field(
        default=0.5, gt=0.0, le=1.0, description="trust the pointer when P(not visible) is below this"
    )

    @property
    def receptive_field_px(self) -> int:
        """Side (px) of the window of input pixels one output pixel depends on."""
        return 1 + 2 * sum(self.dilations)


class ObjectPointer(nn.Module):
    """See the module docstring. ``forward(inputs (B, 4, H, W), text (B, 384))`` ->
    ``(pixel logits (B, H * W), not-visible logit (B,))``."""

    def __init__(self, config: PointerConfig) -> None:
        super().__init__()
        self.config = c = config
        widths = [4, *[c.channels] * len(c.dilations)]
        self.convs = nn.ModuleList(
            nn.Conv2d(widths[i], widths[i + 1], 3, padding=d, dilation=d) for i, d in enumerate(c.dilations)
        )
        self.norms = nn.ModuleList(nn.GroupNorm(4, c.channels) for _ in c.dilations)
        self.film = nn.Sequential(
            nn.Linear(c.text_dim, 128), nn.GELU(), nn.Linear(128, 2 * c.channels * len(c.dilations))
        )
        self.out = nn.Conv2d(c.channels, 1, 1)
        self.null = nn.Sequential(nn.Linear(2 * c.channels, 64), nn.GELU(), nn.Linear(64, 1))

    def forward(self, inputs: torch.Tensor, text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        film = self.film(text).view(len(text), len(self.convs), 2, -1, 1, 1)
        x = inputs
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms, strict=True)):
            x = F.gelu(norm(conv(x)) * (1 + film[:, i, 0]) + film[:, i, 1])
        pixels = self.out(x).flatten(1)
        pooled = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
        return pixels, self.null(pooled)[:, 0]

    @torch.inference_mode()
    def point(
        self, rgb: np.ndarray, depth: np.ndarray, camera: PinholeCamera, text: torch.Tensor
    ) -> tuple[np.ndarray, float]:
        """For whole head frames ``rgb`` ``(H, W, 3)`` uint8 and ``depth`` ``(H, W[, 1])`` (m) and an
        instruction embedding ``text`` ``(384,)``: the best pixel as ``(x, y)`` ``(2,)`` in ``[-1, 1]``
        over the crop (:func:`skills.vla.camera.crop_coordinates`' convention) and P(not visible)."""
        h, w = rgb.shape[:2]
        window = crop_window(h, w, self.config.crop)
        d = np.asarray(depth, np.float32).reshape(h, w)
        x = torch.from_numpy(window_inputs(rgb[window], d[window], camera, self.config, (h, w)))
        pixels, null = self(x[None], text[None])
        p_null = float(torch.softmax(torch.cat([pixels[0], null]), 0)[-1])
        rows, cols = d[window].shape
        row, col = divmod(int(pixels[0].argmax()), cols)
        return np.array([(col + 0.5) / cols * 2 - 1, (row + 0.5) / rows * 2 - 1], np.float32), p_null


def window_inputs(
    rgb: np.ndarray,
    depth: np.ndarray,
    camera: PinholeCamera,
    config: PointerConfig,
    frame: tuple[int, int],
) -> np.ndarray:
    """``(4, S, S)`` float32: RGB in ``[0, 1]`` and the standardised base-frame height of each pixel of
    the crop window (``rgb`` ``(S, S, 3)`` uint8, ``depth`` ``(S, S)`` m) that ``config.crop`` cuts
    (:func:`skills.vla.vision.crop_window`) out of a ``frame`` ``(H, W)``."""
    frame_h, frame_w = frame
    window = crop_window(frame_h, frame_w, config.crop)
    z = camera.unproject_window(depth, frame, *window)[..., 2]
    height = ((z - config.z_offset_m) / config.z_scale_m).astype(np.float32)
    colour = np.asarray(rgb, np.float32).transpose(2, 0, 1) / 255.0
    return np.concatenate([colour, height[None]], axis=0)


def pointer_loss(
    pixels: torch.Tensor, null: torch.Tensor, masks: torch.Tensor, visible: torch.Tensor
) -> torch.Tensor:
    """Multiple-instance cross-entropy: ``-log P(the named object's pixels)``, or ``-log P(not
    visible)`` where ``visible`` ``(B,)`` is false. ``pixels`` ``(B, H * W)``, ``null`` ``(B,)``,
    ``masks`` ``(B, H * W)`` bool (the object's pixels; ignored where not visible)."""
    everything = torch.logsumexp(torch.cat([pixels, null[:, None]], dim=1), dim=1)
    on_object = torch.logsumexp(pixels.masked_fill(~masks, float("-inf")), dim=1)
    target = torch.where(visible, on_object, null)
    return (everything - target).mean()


def _batch(
    camera: PinholeCamera,
    config: PointerConfig,
    data: dict[str, np.ndarray],
    pairs: np.ndarray,
    cache: dict[int, np.ndarray],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Inputs ``(B, 4, S, S)``, masks ``(B, S * S)`` and visibility ``(B,)`` of generated ``pairs``."""
    views = data["view"][pairs]
    for v in np.unique(views):
        if v not in cache:
            frame = (int(data["frame"][0]), int(data["frame"][1]))
            cache[v] = window_inputs(data["rgb"][v], data["depth"][v], camera, config, frame)
    inputs = torch.from_numpy(np.stack([cache[v] for v in views]))
    labels = data["label"][pairs]
    masks = torch.from_numpy((data["labels"][views] == labels[:, None, None]).reshape(len(pairs), -1))
    return inputs, masks & torch.from_numpy(labels > 0)[:, None], torch.from_numpy(labels > 0)


def train_pointer(
    pointer: ObjectPointer,
    camera: PinholeCamera,
    data: dict[str, np.ndarray],
    embeddings: torch.Tensor,
    text_ids: np.ndarray,
    train: np.ndarray,
    val: np.ndarray,
    steps: int,
    batch: int = 64,
    lr: float = 2e-3,
    seed: int = 0,
    report_every: int = 500,
) -> list[dict[str, Any]]:
    """Fit ``pointer`` on the pairs ``train`` of ``data`` (``agentrt train pointer generate``'s
    arrays) with AdamW and a one-cycle schedule; ``embeddings`` ``(T, 384)`` are the instruction
    embeddings indexed by ``text_ids`` ``(P,)``. Every ``report_every`` steps prints and records
    :func:`evaluate_pointer` on ``val`` (an empty ``val`` skips it)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.AdamW(pointer.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.1)
    cache: dict[int, np.ndarray] = {}
    history: list[dict[str, Any]] = []
    start = time.perf_counter()
    pointer.train()
    for step in range(1, steps + 1):
        pairs = rng.choice(train, size=min(batch, len(train)), replace=False)
        inputs, masks, visible = _batch(camera, pointer.config, data, pairs, cache)
        pixels, null = pointer(inputs, embeddings[text_ids[pairs]])
        loss = pointer_loss(pixels, null, masks, visible)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        if report_every and (step % report_every == 0 or step == steps):
            row: dict[str, Any] = {"step": step, "loss": round(float(loss.detach()), 4)}
            row["seconds"] = round(time.perf_counter() - start)
            if len(val):
                row.update(evaluate_pointer(pointer, camera, data, embeddings, text_ids, val))
            history.append(row)
            print(row, flush=True)
    pointer.eval()
    return history


@torch.no_grad()
def evaluate_pointer(
    pointer: ObjectPointer,
    camera: PinholeCamera,
    data: dict[str, np.ndarray],
    embeddings: torch.Tensor,
    text_ids: np.ndarray,
    pairs: np.ndarray,
) -> dict[str, float]:
    """On ``pairs`` of ``data``: ``on_object`` (share of the visible ones whose best pixel lies on the
    named object), ``trusted_on_object`` (of the visible ones the pointer trusts, see
    :attr:`PointerConfig.max_null`, the share on the object), ``trusted`` (share of visible ones
    trusted) and ``null_right`` (share of the not-visible ones it does not trust)."""
    was_training = pointer.training
    pointer.eval()
    hits, trusted, null_right = [], [], []
    cache: dict[int, np.ndarray] = {}
    for lo in range(0, len(pairs), 256):
        chunk = pairs[lo : lo + 256]
        inputs, masks, visible = _batch(camera, pointer.config, data, chunk, cache)
        pixels, null = pointer(inputs, embeddings[text_ids[chunk]])
        p_null = torch.softmax(torch.cat([pixels, null[:, None]], dim=1), dim=1)[:, -1]
        on = masks.gather(1, pixels.argmax(1, keepdim=True))[:, 0]
        ok = p_null < pointer.config.max_null
        hits.append(on[visible])
        trusted.append(ok[visible])
        null_right.append(~ok[~visible])
    pointer.train(was_training)
    h, t, n = (torch.cat(x) for x in (hits, trusted, null_right))
    return {
        "on_object": round(float(h.float().mean()), 4) if len(h) else float("nan"),
        "trusted_on_object": round(float(h[t].float().mean()), 4) if int(t.sum()) else float("nan"),
        "trusted": round(float(t.float().mean()), 4) if len(t) else float("nan"),
        "null_right": round(float(n.float().mean()), 4) if len(n) else float("nan"),
    }
