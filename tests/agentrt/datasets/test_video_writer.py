"""The run-video writer: size taken from the first frame, odd sizes padded, bad frames refused."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from agentrt.datasets.video import VideoWriter, count_frames


def test_odd_sized_frames_are_padded_and_every_frame_is_written(tmp_path: Path) -> None:
    path = tmp_path / "run" / "video.mp4"
    rng = np.random.default_rng(0)
    with VideoWriter(path, fps=10) as video:
        for _ in range(7):
            video.write(rng.integers(0, 255, (33, 47, 3), dtype=np.uint8))
    assert video.frames == 7 and count_frames(path) == 7
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.height, stream.width) == (34, 48)


def test_a_frame_of_another_size_or_type_is_refused(tmp_path: Path) -> None:
    video = VideoWriter(tmp_path / "v.mp4")
    video.write(np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(ValueError, match="differs from the first frame"):
        video.write(np.zeros((18, 16, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8 RGB"):
        video.write(np.zeros((16, 16, 3), np.float32))
    assert video.close() == 1


def test_no_frames_means_no_file(tmp_path: Path) -> None:
    assert VideoWriter(tmp_path / "none.mp4").close() == 0
    assert not (tmp_path / "none.mp4").exists()
