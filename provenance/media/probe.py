"""Probe a media file through PyAV (FFmpeg's libraries), without ffprobe."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CorruptMediaError, InvalidArgumentError, MediaNotFoundError, UnsupportedMediaError
from .tools import require_av

__all__ = ["MediaInfo", "check_media_path", "probe"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MediaInfo:
    """What FFmpeg's demuxer says about a file.

    Attributes
    ----------
    path : str
    format_name : str
        FFmpeg demuxer name(s), e.g. ``"mov,mp4,m4a,3gp,3g2,mj2"``.
    duration_s : float or None
        Container duration [s].
    width, height : int or None
        Coded size of the first video stream [px], before rotation.
    rotation_deg : int
        Display rotation [deg] in ffprobe's sign convention (e.g. -90), 0 when none.
    video_codec : str or None
        FFmpeg codec name of the first video stream.
    frame_rate : float or None
        Average frame rate [frames/s].
    has_video : bool
    tags : dict
        Container-level tags as FFmpeg reports them.
    stream_tags : dict
        Tags of the first video stream.
    """

    path: str
    format_name: str
    duration_s: float | None
    width: int | None
    height: int | None
    rotation_deg: int
    video_codec: str | None
    frame_rate: float | None
    has_video: bool
    tags: dict[str, str] = field(default_factory=dict)
    stream_tags: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return dict(self.__dict__)


def check_media_path(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` after checking it names a readable file.

    Raises
    ------
    InvalidArgumentError
        When ``path`` is not a str or path-like.
    MediaNotFoundError
        When there is no regular file at ``path``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgumentError(f"expected a file path (str or os.PathLike), got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise MediaNotFoundError(f"no such file: {str(p)!r}", path=str(p))
    if not p.is_file():
        raise MediaNotFoundError(f"not a regular file: {str(p)!r}", path=str(p))
    if p.stat().st_size == 0:
        raise CorruptMediaError(f"file is empty (0 bytes): {str(p)!r}", path=str(p))
    return p


def open_container(path: str | os.PathLike[str]):
    """Open ``path`` with PyAV, mapping its failures onto provenance errors."""
    av = require_av()
    p = check_media_path(path)
    try:
        return av.open(str(p), metadata_errors="replace")
    except av.error.InvalidDataError as exc:
        raise UnsupportedMediaError(
            f"not a media file FFmpeg can read: {p.name!r} (expected a video such as mp4, mov, mkv, avi)",
            path=str(p), stderr=str(exc),
        ) from exc
    except (av.error.FFmpegError, OSError) as exc:
        raise CorruptMediaError(f"cannot open {p.name!r}", path=str(p), stderr=str(exc)) from exc


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Describe the container and first video stream of a file.

    Parameters
    ----------
    path
        Media file.

    Returns
    -------
    MediaInfo

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError, CorruptMediaError
    """
    av = require_av()
    with open_container(path) as container:
        duration_s = None if container.duration is None else container.duration / 1_000_000
        tags = {str(k): str(v) for k, v in container.metadata.items()}
        videos = list(container.streams.video)
        if not videos:
            return MediaInfo(str(path), container.format.name, duration_s, None, None, 0, None, None,
                             False, tags, {})
        stream = videos[0]
        ctx = stream.codec_context
        rate = stream.average_rate or stream.guessed_rate
        rotation = 0
        try:
            # The display matrix is exposed on decoded frames only.
            for frame in container.decode(stream):
                rotation = int(round(getattr(frame, "rotation", 0) or 0))
                break
        except (av.error.FFmpegError, StopIteration):
            log.debug("could not decode a first frame of %s to read its rotation", path)
        if duration_s is None and stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        return MediaInfo(
            path=str(path),
            format_name=container.format.name,
            duration_s=duration_s,
            width=ctx.width or None,
            height=ctx.height or None,
            rotation_deg=rotation,
            video_codec=ctx.name,
            frame_rate=float(rate) if rate else None,
            has_video=True,
            tags=tags,
            stream_tags={str(k): str(v) for k, v in stream.metadata.items()},
        )
