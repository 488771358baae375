"""Decode video frames to small RGB arrays through PyAV (stills through Pillow).

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

import io
import logging
import math
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import CorruptMediaError, InvalidArgumentError, MediaTooLargeError, UnsupportedMediaError
from . import _av
from .imageops import resize_area
from .source import MediaFile, MediaLimits, media_errors, open_media
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

# Pillow's plugin for each still format that media.source sniffs (no other plugin may read the bytes).
_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "bmp": "BMP", "webp": "WEBP", "tiff": "TIFF"}

#: Longer side of decoded frames [px]; enough for border detection and 64x64 hashing.
DEFAULT_MAX_SIDE = 320

#: File suffixes usual for still images. Informative only: a file is a still by its magic
#: bytes (JPEG, PNG, GIF, BMP, WebP, TIFF), whatever its name.
STILL_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff"})

Source = str | os.PathLike[str] | MediaFile


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
    detail : ndarray of uint8, shape (h, w), optional
        The same frame greyscale at a larger size (``detail_side``), for the few frames asked
        for with ``detail_at_s`` (local features need more pixels than hashes); else None.
    """

    time_s: float
    image: np.ndarray
    key_frame: bool
    detail: np.ndarray | None = None


@dataclass(frozen=True)
class VideoLayout:
    """What demuxing (no decoding) tells about a video stream's frame timing.

    Attributes
    ----------
    keyframe_times_s : ndarray of float64
        Presentation times [s] of packets flagged as keyframes, sorted, relative to the start.
    duration_s : float or None
        Duration [s]: the container's (else the stream's) claim when the demuxed timestamps
        agree with it, else the span of the demuxed timestamps (a zero, missing or garbage
        claim never sets it).
    frame_rate : float or None
        Average frame rate [frames/s].
    n_packets : int
        Number of video packets.
    claimed_duration_s : float or None
        What the container header claims [s], as given.
    demuxed_duration_s : float or None
        Last demuxed packet time plus one frame [s].
    """

    keyframe_times_s: np.ndarray
    duration_s: float | None
    frame_rate: float | None
    n_packets: int
    claimed_duration_s: float | None = None
    demuxed_duration_s: float | None = None


def is_still(source: Source) -> bool:
    """True when ``source`` is a still image, by its magic bytes (JPEG, PNG, GIF, BMP, WebP, TIFF).

    Raises
    ------
    MediaNotFoundError, CorruptMediaError
        No regular file, or an empty one.
    """
    with open_media(source) as media:
        return media.is_still


def _target_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    w = max(2, int(round(width * scale / 2)) * 2)
    h = max(2, int(round(height * scale / 2)) * 2)
    return w, h


def _times_arg(times: Sequence[float] | np.ndarray | None, name: str) -> np.ndarray:
    """Sorted finite media times [s] of an argument, or InvalidArgumentError."""
    if times is None:
        return np.zeros(0, dtype=np.float64)
    try:
        out = np.asarray(times, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"{name} must be media times in seconds ({exc})") from exc
    if out.ndim != 1 or not np.isfinite(out).all():
        raise InvalidArgumentError(f"{name} must be a flat sequence of finite media times [s]")
    return np.sort(out)


def _rotate(image: np.ndarray, rotation_deg: float) -> np.ndarray:
    """Apply a display rotation in ffprobe's convention (-90: turn clockwise)."""
    k = int(round((rotation_deg or 0) / 90.0)) % 4
    if k == 0:
        return image
    # np.rot90 turns counter-clockwise for positive k; ffprobe's -90 is a clockwise turn.
    return np.ascontiguousarray(np.rot90(image, k=k))


def read_still(source: Source, *, max_side: int = DEFAULT_MAX_SIDE) -> DecodedFrame:
    """Decode a still image as a one-frame clip at t = 0 s.

    The image's dimensions are read from its header first (JPEG SOF, PNG IHDR, GIF screen,
    BMP, WebP and TIFF headers) and checked against ``MediaLimits.max_pixels`` before any
    pixel is decoded; Pillow's own reading of the header is checked again before it decodes.
    Pillow decodes (the same pixels as OpenCV's ``imdecode`` for JPEG, PNG, GIF, BMP, WebP and
    TIFF, measured in ``tests/media/test_imageops.py``); EXIF orientation is applied, 16-bit
    samples keep their high byte, alpha is dropped. A truncated file is a
    :class:`CorruptMediaError`, never a partly grey picture.

    Parameters
    ----------
    source
        JPEG, PNG, GIF (first frame), BMP, WebP or TIFF file, or an open :class:`MediaFile`.
    max_side : int
        Longer side of the returned image [px]; larger images are downscaled.

    Returns
    -------
    DecodedFrame

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError, CorruptMediaError
    MediaTooLargeError
        When the header declares more pixels than the budget.
    """
    if max_side < 16:
        raise InvalidArgumentError(f"max_side must be >= 16 px (got {max_side})")
    with open_media(source) as media, media_errors(media, "decode"):
        p = media.path
        if media.still_format is None:
            raise UnsupportedMediaError(
                f"{p.name!r} is not a still image (expected JPEG, PNG, GIF, BMP, WebP or TIFF)", path=str(p))
        dims = media.still_size()
        if dims is None or dims[0] <= 0 or dims[1] <= 0:
            raise CorruptMediaError(f"cannot read the dimensions of {media.still_format} image {p.name!r} "
                                    "from its header", path=str(p))
        limit = media.limits.max_pixels
        if dims[0] * dims[1] > limit:
            raise MediaTooLargeError(
                f"image {p.name!r} declares {dims[0]}x{dims[1]} px, above the budget of {limit} px "
                "(raise MediaLimits.max_pixels to decode it)", path=str(p))
        # compressed data larger than 4 bytes per allowed pixel is not an image we decode
        if media.size > max(64 * 1024 * 1024, 4 * limit):
            raise MediaTooLargeError(f"image file {p.name!r} is {media.size} bytes, too large for a still",
                                     path=str(p))
        rgb = _decode_still(media.read(0, media.size), media.still_format, limit, p.name, str(p))
        h, w = rgb.shape[:2]
        tw, th = _target_size(w, h, max_side)
        if (tw, th) != (w, h):
            rgb = resize_area(rgb, (tw, th))
        return DecodedFrame(0.0, np.ascontiguousarray(rgb), True)


def _decode_still(data: bytes, fmt: str, limit: int, name: str, path: str) -> np.ndarray:
    """RGB pixels (H, W, 3) of a still image's bytes, decoded by Pillow with only the plugin
    of the sniffed format ``fmt``; ``limit`` [px] is checked on Pillow's reading of the header."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        # the pixel budget was checked before; Pillow's global bomb warning adds nothing
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[fmt]]) as img:
                if img.width * img.height > limit:
                    raise MediaTooLargeError(f"image {name!r} is {img.width}x{img.height} px, above the budget "
                                             f"of {limit} px (raise MediaLimits.max_pixels to decode it)", path=path)
                img.seek(0)  # the first frame of an animation
                img.load()  # a truncated file fails here (OSError), not with a grey tail
                pic = ImageOps.exif_transpose(img)
                if pic.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
                    # 16-bit grey: keep the high byte, as for 16-bit colour (Pillow's "L" would clip)
                    grey = (np.clip(np.asarray(pic, dtype=np.int64), 0, 65535) >> 8).astype(np.uint8)
                    return np.repeat(grey[:, :, None], 3, axis=2)
                rgb = np.asarray(pic.convert("RGB"))
        except Image.DecompressionBombError as exc:
            raise MediaTooLargeError(f"image {name!r} is too large for Pillow to decode "
                                     f"(PIL.Image.MAX_IMAGE_PIXELS)", path=path, stderr=str(exc)[:300]) from exc
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.size == 0:
        raise CorruptMediaError(f"cannot decode {fmt} image {name!r}", path=path)
    return rgb


def _start_s(container: Any, stream: Any) -> float:
    if container.start_time is not None:
        return container.start_time / 1_000_000
    if stream.start_time is not None and stream.time_base is not None:
        return float(stream.start_time * stream.time_base)
    return 0.0


def _finite_positive(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) and x > 0 else None


def _video_stream(container: Any, media: MediaFile) -> Any:
    if not container.streams.video:
        raise UnsupportedMediaError(f"no video stream in {media.name!r}", path=str(media.path))
    return container.streams.video[0]


def video_layout(source: Source, *, limits: MediaLimits | None = None) -> VideoLayout:
    """Read packet flags and timestamps of the first video stream without decoding.

    Parameters
    ----------
    source
        Video file, or an open :class:`MediaFile`.
    limits : MediaLimits, optional
        Budgets when ``source`` is a path (an open MediaFile carries its own).

    Returns
    -------
    VideoLayout

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError, CorruptMediaError
    MediaTooLargeError
        More packets than ``MediaLimits.max_packets``, or demuxed timestamps beyond
        ``MediaLimits.max_duration_s``.
    """
    av = require_av()
    with open_media(source, limits=limits) as media, media_errors(media, "demux"), media.container() as container:
        budget = media.limits
        stream = _video_stream(container, media)
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
                if n > budget.max_packets:
                    raise MediaTooLargeError(
                        f"{media.name!r} has more than {budget.max_packets} video packets "
                        "(raise MediaLimits.max_packets to read it)", path=str(media.path))
                ts = packet.pts if packet.pts is not None else packet.dts
                if ts is None or tb is None:
                    continue
                t = float(ts * tb) - start
                if not math.isfinite(t):
                    continue
                if t > budget.max_duration_s:
                    raise MediaTooLargeError(
                        f"{media.name!r} has video packets at {t:.0f} s, beyond the budget of "
                        f"{budget.max_duration_s:.0f} s (raise MediaLimits.max_duration_s to read it)",
                        path=str(media.path))
                last = t if last is None else max(last, t)
                if packet.is_keyframe:
                    keys.append(t)
        except av.error.FFmpegError as exc:
            if n == 0:
                raise CorruptMediaError(f"cannot demux {media.name!r}", path=str(media.path),
                                        stderr=str(exc)) from exc
            log.warning("demuxing %s stopped early: %s", media.path, exc)
        rate = stream.average_rate or stream.guessed_rate
        fr = float(rate) if rate else None
        fr = fr if fr is not None and math.isfinite(fr) and 0 < fr < 10_000 else None
        claimed = None if container.duration is None else container.duration / 1_000_000
        if _finite_positive(claimed) is None and stream.duration is not None and tb is not None:
            claimed = float(stream.duration * tb)
        demuxed = None if last is None else max(last, 0.0) + (1.0 / fr if fr else 0.0)
        duration = _choose_duration(_finite_positive(claimed), demuxed, budget.max_duration_s)
        return VideoLayout(np.unique(np.asarray(keys, dtype=np.float64)), duration, fr, n,
                           claimed_duration_s=claimed, demuxed_duration_s=demuxed)


def _choose_duration(claimed: float | None, demuxed: float | None, max_duration_s: float) -> float | None:
    """The claim when the demuxed timestamps agree with it (within 1 s or 10 %), else what was demuxed."""
    if demuxed is None:
        return claimed if claimed is not None and claimed <= max_duration_s else None
    if claimed is not None and abs(claimed - demuxed) <= max(1.0, 0.1 * demuxed):
        return claimed
    return demuxed


def _decode(container: Any, stream: Any, wanted: np.ndarray | None, start: float,
            tolerance_s: float) -> Iterator[Any]:
    """Decoded frames of ``stream``; with ``wanted`` only from keyframe packets near those times [s]."""
    if wanted is None:
        yield from container.decode(stream)
        return
    if wanted.size == 0:
        return
    tb = stream.time_base
    last = float(wanted[-1])
    for packet in container.demux(stream):
        if packet.size == 0:
            continue
        t = float(packet.pts * tb) - start if packet.pts is not None and tb is not None else None
        if t is not None:
            if not packet.is_keyframe:
                continue
            near = np.abs(wanted - t) <= tolerance_s
            if not near.any():
                if t > last + 1.0:
                    break
                continue
        yield from packet.decode()
    yield from stream.codec_context.decode(None)  # frames the decoder still holds (reordering delay)


def iter_video_frames(
    source: Source,
    *,
    keyframes_only: bool = False,
    times_s: Sequence[float] | np.ndarray | None = None,
    include_keyframes: bool = True,
    max_side: int = DEFAULT_MAX_SIDE,
    max_frames: int = 2000,
    threads: int = 0,
    limits: MediaLimits | None = None,
    keyframes_at_s: Sequence[float] | np.ndarray | None = None,
    detail_at_s: Sequence[float] | np.ndarray | None = None,
    detail_side: int = 960,
) -> Iterator[DecodedFrame]:
    """Decode chosen frames of the first video stream, in presentation order.

    Parameters
    ----------
    source
        Video file, or an open :class:`MediaFile`.
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
    limits : MediaLimits, optional
        Budgets when ``source`` is a path (an open MediaFile carries its own).
    keyframes_at_s : sequence of float, optional
        With ``keyframes_only``: decode only the keyframes at these media times [s] (as listed by
        :func:`video_layout`), skipping the others' packets unread by the decoder, so sampling a
        few frames of a long clip costs a few keyframe decodes.
    detail_at_s : sequence of float, optional
        Media times [s]: the first yielded frame at or after each also carries
        :attr:`DecodedFrame.detail`, greyscale with its longer side ``detail_side`` (never
        upscaled), from the same decoded picture.
    detail_side : int
        Longer side of the detail pictures [px].

    Yields
    ------
    DecodedFrame

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError
        When the file is missing or not a video.
    CorruptMediaError
        When decoding fails before any frame could be produced.
    MediaTooLargeError
        Frames larger than ``MediaLimits.max_frame_pixels``, more decoded frames than
        ``max_decoded_frames``, or decoded timestamps beyond ``max_duration_s``.
    """
    if max_frames < 1:
        raise InvalidArgumentError(f"max_frames must be >= 1 (got {max_frames})")
    if max_side < 16:
        raise InvalidArgumentError(f"max_side must be >= 16 px (got {max_side})")
    if keyframes_at_s is not None and not keyframes_only:
        raise InvalidArgumentError("keyframes_at_s needs keyframes_only=True (it picks among the keyframes)")
    wanted = None if keyframes_at_s is None else _times_arg(keyframes_at_s, "keyframes_at_s")
    details = _times_arg(detail_at_s, "detail_at_s")
    if details.size and (isinstance(detail_side, bool) or not isinstance(detail_side, int) or detail_side < 16):
        raise InvalidArgumentError(f"detail_side must be an int >= 16 px (got {detail_side!r})")
    av = require_av()
    targets = np.sort(np.asarray([] if times_s is None else times_s, dtype=np.float64))
    with open_media(source, limits=limits) as media, media_errors(media, "decode"), \
            media.container() as container:
        budget = media.limits
        stream = _video_stream(container, media)
        ctx = stream.codec_context
        _av.set_threads(ctx, threads, slice_only=keyframes_only)
        if keyframes_only:
            _av.set_keyframes_only(ctx)
        _av.bound_frame_pixels(ctx, media)
        start = _start_s(container, stream)
        rate = stream.average_rate or stream.guessed_rate
        half_frame = 0.5 / float(rate) if rate else 0.02
        if not (math.isfinite(half_frame) and half_frame > 0):
            half_frame = 0.02
        size: tuple[int, int] | None = None
        dsize: tuple[int, int] | None = None
        yielded = 0
        index = 0
        ti = di = 0
        try:
            for frame in _decode(container, stream, wanted, start, half_frame):
                index += 1
                if index > budget.max_decoded_frames:
                    raise MediaTooLargeError(
                        f"{media.name!r} has more than {budget.max_decoded_frames} frames to decode "
                        "(raise MediaLimits.max_decoded_frames to read it)", path=str(media.path))
                if frame.width * frame.height > budget.max_frame_pixels:
                    raise MediaTooLargeError(
                        f"a frame of {media.name!r} is {frame.width}x{frame.height} px, above the budget of "
                        f"{budget.max_frame_pixels} px", path=str(media.path))
                t = float(frame.time) - start if frame.time is not None else math.nan
                if not math.isfinite(t):  # no timestamp: fall back on the nominal frame rate
                    t = (index - 1) * 2 * half_frame
                if t > budget.max_duration_s:
                    raise MediaTooLargeError(
                        f"{media.name!r} has frames at {t:.0f} s, beyond the budget of {budget.max_duration_s:.0f} s "
                        "(raise MediaLimits.max_duration_s to read it)", path=str(media.path))
                key = _av.is_key(frame)
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
                if frame.width < 1 or frame.height < 1:
                    continue
                if size is None:
                    size = _target_size(frame.width, frame.height, max_side)
                image = frame.to_ndarray(format="rgb24", width=size[0], height=size[1],
                                         interpolation="AREA")
                rotation = _av.rotation(frame, stream)
                image = _rotate(image, rotation)
                detail = None
                if di < details.size and details[di] <= t + half_frame:  # the first frame at or after it
                    while di < details.size and details[di] <= t + half_frame:
                        di += 1
                    if dsize is None:
                        dsize = _target_size(frame.width, frame.height, detail_side)
                    detail = _rotate(frame.to_ndarray(format="gray", width=dsize[0], height=dsize[1],
                                                      interpolation="AREA"), rotation)
                yield DecodedFrame(t, image, key, detail)
                yielded += 1
                if yielded >= max_frames:
                    break
        except av.error.FFmpegError as exc:
            if yielded == 0:
                raise CorruptMediaError(f"cannot decode {media.name!r}", path=str(media.path),
                                        stderr=str(exc)) from exc
            log.warning("decoding %s stopped early after %d frames: %s", media.path, yielded, exc)
        if yielded == 0 and index == 0:
            raise CorruptMediaError(f"no decodable video frame in {media.name!r}", path=str(media.path))
