"""Decode video frames (and stills) to small RGB arrays through PyAV.

This is the only module of the matching path that touches pixels on disk. It yields
:class:`DecodedFrame` values; choosing which frames matter (``keyframes.py``) and hashing
them (``hashing.py``) are pure functions over what it returns.

Frames are

* downscaled by FFmpeg's swscale so the longer side is at most ``max_side`` pixels
  (never upscaled), which keeps the work per frame small and bounded;
* rotated by the stream's display matrix (``frame.rotation``, ffprobe's sign convention:
  -90 means "turn clockwise for display"), as ffmpeg's autorotate does;
* timed in seconds from the container's timestamps, relative to the container's start
  time (so the first frame of an ordinary file is at 0 s).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import CorruptMediaError, InvalidArgumentError, UnsupportedMediaError
from .probe import check_media_path, open_container
from .tools import require_av

__all__ = [
    "DEFAULT_MAX_SIDE",
    "STILL_SUFFIXES",
    "DecodedFrame",
    "VideoLayout",
    "is_still",
    "iter_video_frames",
    "read_still",
    "video_layout",
]

log = logging.getLogger(__name__)

#: Longer side of decoded frames [px]; enough for border detection and 64x64 hashing.
DEFAULT_MAX_SIDE = 320

#: File suffixes decoded as still images (one-frame clips at t = 0 s).
STILL_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})

_STILL_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"BM", b"RIFF", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class DecodedFrame:
    """One decoded, rotated, downscaled frame.

    Attributes
    ----------
    time_s : float
        Presentation time [s] from the container's timestamps, relative to its start.
    image : ndarray of uint8, shape (H, W, 3)
        RGB pixels after display rotation.
    key_frame : bool
        True when the codec flagged the frame as a keyframe (intra frame).
    """

    time_s: float
    image: np.ndarray
    key_frame: bool


@dataclass(frozen=True)
class VideoLayout:
    """What demuxing (no decoding) tells about a video stream's frame timing.

    Attributes
    ----------
    keyframe_times_s : ndarray of float64
        Presentation times [s] of packets flagged as keyframes, sorted, relative to the start.
    duration_s : float or None
        Duration [s] (container, else stream, else last packet time).
    frame_rate : float or None
        Average frame rate [frames/s].
    n_packets : int
        Number of video packets.
    """

    keyframe_times_s: np.ndarray
    duration_s: float | None
    frame_rate: float | None
    n_packets: int


def is_still(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` names a still image (by suffix, else by its magic bytes)."""
    p = Path(path)
    if p.suffix.lower() in STILL_SUFFIXES:
        return True
    try:
        with open(p, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    if head.startswith(b"RIFF"):
        return head[8:12] == b"WEBP"
    return any(head.startswith(m) for m in _STILL_MAGIC)


def _target_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    w = max(2, int(round(width * scale / 2)) * 2)
    h = max(2, int(round(height * scale / 2)) * 2)
    return w, h


def _rotate(image: np.ndarray, rotation_deg: float) -> np.ndarray:
    """Apply a display rotation in ffprobe's convention (-90: turn clockwise)."""
    k = int(round((rotation_deg or 0) / 90.0)) % 4
    if k == 0:
        return image
    # np.rot90 turns counter-clockwise for positive k; ffprobe's -90 is a clockwise turn.
    return np.ascontiguousarray(np.rot90(image, k=k))


def read_still(path: str | os.PathLike[str], *, max_side: int = DEFAULT_MAX_SIDE) -> DecodedFrame:
    """Decode a still image as a one-frame clip at t = 0 s.

    EXIF orientation is applied (OpenCV's ``IMREAD_COLOR`` honours it).

    Parameters
    ----------
    path
        JPEG, PNG, BMP, WebP or TIFF file.
    max_side : int
        Longer side of the returned image [px]; larger images are downscaled.

    Returns
    -------
    DecodedFrame

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError
    """
    import cv2

    p = check_media_path(path)
    data = np.fromfile(str(p), dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None or bgr.size == 0:
        raise UnsupportedMediaError(
            f"cannot decode still image {p.name!r} (expected JPEG, PNG, BMP, WebP or TIFF)", path=str(p)
        )
    h, w = bgr.shape[:2]
    tw, th = _target_size(w, h, max_side)
    if (tw, th) != (w, h):
        bgr = cv2.resize(bgr, (tw, th), interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
    return DecodedFrame(0.0, rgb, True)


def _start_s(container, stream) -> float:
    if container.start_time is not None:
        return container.start_time / 1_000_000
    if stream.start_time is not None and stream.time_base is not None:
        return float(stream.start_time * stream.time_base)
    return 0.0


def video_layout(path: str | os.PathLike[str]) -> VideoLayout:
    """Read packet flags and timestamps of the first video stream without decoding.

    Parameters
    ----------
    path
        Video file.

    Returns
    -------
    VideoLayout

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError, CorruptMediaError
    """
    av = require_av()
    with open_container(path) as container:
        if not container.streams.video:
            raise UnsupportedMediaError(f"no video stream in {Path(path).name!r}", path=str(path))
        stream = container.streams.video[0]
        start = _start_s(container, stream)
        tb = stream.time_base
        keys: list[float] = []
        last = None
        n = 0
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                n += 1
                ts = packet.pts if packet.pts is not None else packet.dts
                if ts is None or tb is None:
                    continue
                t = float(ts * tb) - start
                last = t if last is None else max(last, t)
                if packet.is_keyframe:
                    keys.append(t)
        except av.error.FFmpegError as exc:
            if n == 0:
                raise CorruptMediaError(f"cannot demux {Path(path).name!r}", path=str(path),
                                        stderr=str(exc)) from exc
            log.warning("demuxing %s stopped early: %s", path, exc)
        rate = stream.average_rate or stream.guessed_rate
        duration = None if container.duration is None else container.duration / 1_000_000
        if duration is None and stream.duration is not None and tb is not None:
            duration = float(stream.duration * tb)
        if duration is None and last is not None:
            duration = last + (1.0 / float(rate) if rate else 0.0)
        return VideoLayout(np.unique(np.asarray(keys, dtype=np.float64)), duration,
                           float(rate) if rate else None, n)


def iter_video_frames(
    path: str | os.PathLike[str],
    *,
    keyframes_only: bool = False,
    times_s: Sequence[float] | np.ndarray | None = None,
    include_keyframes: bool = True,
    max_side: int = DEFAULT_MAX_SIDE,
    max_frames: int = 2000,
    threads: int = 0,
) -> Iterator[DecodedFrame]:
    """Decode chosen frames of the first video stream, in presentation order.

    Parameters
    ----------
    path
        Video file.
    keyframes_only : bool
        Decode codec keyframes only (``skip_frame="NONKEY"``): the cheapest mode.
    times_s : sequence of float, optional
        Grid times [s]; for each, the first frame at or after it (within half a frame) is
        yielded. Ignored when ``keyframes_only``.
    include_keyframes : bool
        Also yield every codec keyframe when decoding all frames.
    max_side : int
        Longer side of yielded images [px] (downscaled by swscale, never upscaled).
    max_frames : int
        Stop after yielding this many frames (bounds the work on long files).
    threads : int
        Decoder threads (0: FFmpeg's automatic choice).

    Yields
    ------
    DecodedFrame

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError
        When the file is missing or not a video.
    CorruptMediaError
        When decoding fails before any frame could be produced.
    """
    if max_frames < 1:
        raise InvalidArgumentError(f"max_frames must be >= 1 (got {max_frames})")
    if max_side < 16:
        raise InvalidArgumentError(f"max_side must be >= 16 px (got {max_side})")
    av = require_av()
    targets = np.sort(np.asarray([] if times_s is None else times_s, dtype=np.float64))
    with open_container(path) as container:
        if not container.streams.video:
            raise UnsupportedMediaError(f"no video stream in {Path(path).name!r}", path=str(path))
        stream = container.streams.video[0]
        ctx = stream.codec_context
        try:
            ctx.thread_count = int(threads)
            ctx.thread_type = "SLICE" if keyframes_only else "AUTO"
        except (AttributeError, ValueError, av.error.FFmpegError):  # pragma: no cover - codec specific
            pass
        if keyframes_only:
            ctx.skip_frame = "NONKEY"
        start = _start_s(container, stream)
        rate = stream.average_rate or stream.guessed_rate
        half_frame = 0.5 / float(rate) if rate else 0.02
        size: tuple[int, int] | None = None
        yielded = 0
        index = 0
        ti = 0
        try:
            for frame in container.decode(stream):
                index += 1
                if frame.time is not None:
                    t = float(frame.time) - start
                else:  # no timestamp: fall back on the nominal frame rate
                    t = (index - 1) * 2 * half_frame
                key = bool(frame.key_frame) or frame.pict_type == av.video.frame.PictureType.I
                if keyframes_only:
                    take = key  # some decoders (VP9) ignore skip_frame
                else:
                    take = include_keyframes and key
                    if ti < targets.size and t >= targets[ti] - half_frame:
                        take = True
                    while ti < targets.size and targets[ti] <= t + half_frame:
                        ti += 1
                if not take:
                    if not keyframes_only and ti >= targets.size and not include_keyframes:
                        break
                    continue
                if size is None:
                    size = _target_size(frame.width, frame.height, max_side)
                image = frame.to_ndarray(format="rgb24", width=size[0], height=size[1],
                                         interpolation="AREA")
                image = _rotate(image, getattr(frame, "rotation", 0) or 0)
                yield DecodedFrame(t, image, key)
                yielded += 1
                if yielded >= max_frames:
                    break
        except av.error.FFmpegError as exc:
            if yielded == 0:
                raise CorruptMediaError(f"cannot decode {Path(path).name!r}", path=str(path),
                                        stderr=str(exc)) from exc
            log.warning("decoding %s stopped early after %d frames: %s", path, yielded, exc)
        if yielded == 0 and index == 0:
            raise CorruptMediaError(f"no decodable video frame in {Path(path).name!r}", path=str(path))
