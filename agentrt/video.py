"""MP4 writing with PyAV (H.264, yuv420p), checked frame for frame."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


class VideoWriter:
    """Streams RGB frames ``(H, W, 3) uint8`` to an MP4 file at ``fps``.

    Frames are encoded as they arrive (memory stays flat on long runs). Odd sizes are
    padded to even, as H.264 in yuv420p requires. :meth:`close` flushes the encoder
    and returns the number of frames written.
    """

    def __init__(self, path: str | Path, fps: int = 10) -> None:
        self.path = Path(path)
        self.fps = fps
        self.frames = 0
        self._container: av.container.OutputContainer | None = None
        self._stream = None
        self._size: tuple[int, int] | None = None

    def write(self, frame: np.ndarray) -> None:
        """Append one frame, ``(H, W, 3) uint8`` RGB; every frame must have the first one's size."""
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB frame, got {frame.shape} {frame.dtype}")
        frame = _pad_even(frame)
        if self._container is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._container = av.open(str(self.path), mode="w")
            self._stream = self._container.add_stream("libx264", rate=self.fps)
            self._stream.height, self._stream.width = frame.shape[:2]
            self._stream.pix_fmt = "yuv420p"
            self._stream.options = {"crf": "20"}
            self._size = frame.shape[:2]
        elif frame.shape[:2] != self._size:
            raise ValueError(f"frame size {frame.shape[:2]} differs from the first frame's {self._size}")
        for packet in self._stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> int:
        """Flush and close; returns the number of frames written (0 if none: no file)."""
        if self._container is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
            self._container = None
        return self.frames

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def count_frames(path: str | Path) -> int:
    """Decode ``path`` and count its video frames."""
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def _pad_even(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return frame
    return np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
