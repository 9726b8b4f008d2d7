"""H.264 video with PyAV: encode an episode or a run, count, decode a time range, concatenate.

:class:`EpisodeVideoEncoder` is the one encoder: the dataset writer uses it for a camera of an
episode of known size, :class:`VideoWriter` for a run's video whose size is known at the first
frame. Frame ``i`` of an episode that starts at ``from_timestamp`` in its file is presented at
``from_timestamp + i / fps``; this is how lerobot finds frames in shared files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from agentrt.datasets.errors import DatasetError


@dataclass(frozen=True)
class VideoOptions:
    """libx264 settings; ``gop`` bounds how far a random read must decode."""

    crf: int = 18
    """Constant rate factor: 0 lossless, 18 visually lossless, 23 libx264's default."""
    gop: int = 10
    """Frames between keyframes (1 s at 10 Hz)."""
    preset: str = "veryfast"


class EpisodeVideoEncoder:
    """Streams ``(H, W, 3)`` uint8 RGB frames of one episode to an MP4 file at ``fps``."""

    def __init__(self, path: Path, height: int, width: int, fps: int, options: VideoOptions) -> None:
        self.path = path
        self.frames = 0
        self._container = av.open(str(path), mode="w")
        self._stream = self._container.add_stream("libx264", rate=fps)
        self._stream.height, self._stream.width = height, width
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {
            "crf": str(options.crf),
            "g": str(options.gop),
            "preset": options.preset,
            "bf": "0",  # no B-frames: decode order = display order, files concatenate by remuxing
        }

    def write(self, image: np.ndarray) -> None:
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> int:
        """Flush the encoder and close the file; returns the frames handed to the encoder."""
        if self._container is not None:
            try:
                for packet in self._stream.encode():
                    self._container.mux(packet)
            finally:
                self._container.close()
                self._container = None
        return self.frames

    def abort(self) -> None:
        """Close without caring about the file (it is about to be deleted)."""
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # noqa: BLE001 - the file is garbage either way
                pass
            self._container = None


class VideoWriter:
    """Streams RGB frames ``(H, W, 3) uint8`` to an MP4 file at ``fps`` (``agentrt run --video``).

    The encoder opens at the first frame, with that frame's size; odd sizes are padded to
    even, as H.264 in yuv420p requires. Frames are encoded as they arrive (memory stays flat
    on long runs). :meth:`close` flushes and returns the number of frames written.
    """

    def __init__(self, path: str | Path, fps: int = 10, options: VideoOptions | None = None) -> None:
        self.path = Path(path)
        self.fps = fps
        self.options = options or VideoOptions(crf=20)
        self._encoder: EpisodeVideoEncoder | None = None
        self._size: tuple[int, int] | None = None

    @property
    def frames(self) -> int:
        return self._encoder.frames if self._encoder is not None else 0

    def write(self, frame: np.ndarray) -> None:
        """Append one frame, ``(H, W, 3) uint8`` RGB; every frame must have the first one's size."""
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB frame, got {frame.shape} {frame.dtype}")
        frame = _pad_even(frame)
        if self._encoder is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            height, width = frame.shape[:2]
            self._encoder = EpisodeVideoEncoder(self.path, height, width, self.fps, self.options)
            self._size = (height, width)
        elif frame.shape[:2] != self._size:
            raise ValueError(f"frame size {frame.shape[:2]} differs from the first frame's {self._size}")
        self._encoder.write(frame)

    def close(self) -> int:
        """Flush and close; returns the number of frames written (0 if none: no file)."""
        if self._encoder is not None:
            self._encoder.close()
        return self.frames

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pad_even(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return frame
    return np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")


def count_frames(path: str | Path) -> int:
    """Decode ``path`` and count its video frames."""
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def frame_times(path: Path) -> list[float]:
    """Decode every frame of ``path``; return their presentation times in seconds.

    Raises:
        DatasetError: the file is missing or cannot be decoded.
    """
    try:
        with av.open(str(path)) as container:
            return [float(frame.time) for frame in container.decode(video=0)]
    except (OSError, av.error.FFmpegError) as exc:
        raise DatasetError(f"cannot decode {path}: {exc}") from exc


def count_in_range(times: list[float], from_ts: float, to_ts: float, fps: int) -> int:
    """How many of ``times`` fall in ``[from_ts, to_ts)`` (half a frame of slack)."""
    half = 0.5 / fps
    return sum(1 for t in times if from_ts - half <= t < to_ts - half)


def decode_range(path: Path, from_ts: float, to_ts: float, fps: int) -> np.ndarray:
    """Frames of ``path`` presented in ``[from_ts, to_ts)`` as ``(N, H, W, 3)`` uint8.

    Seeks to the keyframe before ``from_ts`` and decodes forward, so a short episode in a
    long shared file costs about one GOP more than the episode itself.
    """
    half = 0.5 / fps
    frames = []
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if from_ts > half:
                container.seek(int(max(from_ts - half, 0) / stream.time_base), stream=stream, backward=True)
            for frame in container.decode(stream):
                t = float(frame.time)
                if t >= to_ts - half:
                    break
                if t >= from_ts - half:
                    frames.append(frame.to_ndarray(format="rgb24"))
    except (OSError, av.error.FFmpegError) as exc:
        raise DatasetError(f"cannot decode {path}: {exc}") from exc
    if not frames:
        raise DatasetError(f"{path} has no frames in [{from_ts}, {to_ts})")
    return np.stack(frames)


def concat_videos(sources: list[tuple[Path, float]], out: Path) -> list[float]:
    """Concatenate ``(path, duration_s)`` MP4s into ``out`` without re-encoding.

    Packets are remuxed with their timestamps shifted by the durations before them, so
    source ``k`` starts at ``sum(durations[:k])``. Returns those start times. All sources
    must share codec, size and pixel format (they do when one writer made them).
    """
    starts, offset, last_dts = [], 0.0, -(2**62)
    with av.open(str(out), mode="w") as output:
        out_stream = None
        for path, duration in sources:
            with av.open(str(path)) as source:
                in_stream = source.streams.video[0]
                if out_stream is None:
                    out_stream = output.add_stream_from_template(in_stream)
                shift = int(round(offset / in_stream.time_base))
                for packet in source.demux(in_stream):
                    if packet.dts is None:  # the demuxer's end-of-stream marker
                        continue
                    packet.pts += shift
                    packet.dts = max(packet.dts + shift, last_dts + 1)  # B-frame leads stay monotonic
                    last_dts = packet.dts
                    packet.stream = out_stream
                    output.mux(packet)
            starts.append(offset)
            offset += duration
    return starts
