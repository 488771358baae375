"""Probe a media file through PyAV (FFmpeg's libraries), without ffprobe."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MediaTooLargeError
from . import _av
from .source import MediaFile, _check_path, media_errors, open_media
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
    """Return ``path`` as a :class:`~pathlib.Path` after checking it names a non-empty regular file.

    Only ``os.stat`` is used: FIFOs, devices and sockets are refused without being opened.

    Raises
    ------
    InvalidArgumentError
        When ``path`` is not a str or path-like.
    MediaNotFoundError
        When there is no regular file at ``path``.
    CorruptMediaError
        When the file is empty.
    """
    return _check_path(path)


def probe(source: str | os.PathLike[str] | MediaFile) -> MediaInfo:
    """Describe the container and first video stream of a file.

    Parameters
    ----------
    source
        Media file, or an open :class:`~provenance.media.source.MediaFile`.

    Returns
    -------
    MediaInfo

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError, CorruptMediaError, MediaTooLargeError
    """
    av = require_av()
    with open_media(source) as media, media_errors(media, "probe"), media.container() as container:
        path = str(media.path)
        duration_s = None if container.duration is None else container.duration / 1_000_000
        tags = _av.tags(container)
        videos = list(container.streams.video)
        if not videos:
            return MediaInfo(path, container.format.name, duration_s, None, None, 0, None, None,
                             False, tags, {})
        stream = videos[0]
        ctx = stream.codec_context
        rate = stream.average_rate or stream.guessed_rate
        rotation = 0
        try:
            _av.bound_frame_pixels(ctx, media)
            # The display matrix is exposed on decoded frames only (PyAV >= 13).
            for frame in container.decode(stream):
                rotation = int(round(_av.rotation(frame, stream)))
                break
        except (av.error.FFmpegError, MediaTooLargeError):
            log.debug("could not decode a first frame of %s to read its rotation", path)
        if duration_s is None and stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        return MediaInfo(
            path=path,
            format_name=container.format.name,
            duration_s=duration_s,
            width=ctx.width or None,
            height=ctx.height or None,
            rotation_deg=rotation,
            video_codec=ctx.name,
            frame_rate=float(rate) if rate else None,
            has_video=True,
            tags=tags,
            stream_tags=_av.tags(stream),
        )
