"""PyAV 12 through 19 behind one set of helpers (the only place that knows the differences).

What changed across the supported versions, and how each helper copes:

* ``av.open(..., metadata_errors=...)``: accepted by 12-18, removed in 19 (``TypeError``);
  :func:`open_input` tries it and falls back. Tags that still fail to decode are read by
  :func:`tags` with replacement.
* ``VideoFrame.rotation``: absent in 12 (the display matrix is ``stream.side_data
  ["DISPLAYMATRIX"]`` there, or the frame's DISPLAYMATRIX side data); :func:`rotation`.
* ``VideoFrame.pict_type``: an ``av.enum`` item in 12, a plain int / ``IntEnum`` from 13;
  ``VideoFrame.key_frame``: an int in 12, a bool later; :func:`is_key`.
* ``CodecContext.skip_frame`` and ``thread_type``: ``av.enum`` values in 12, Python enums
  later; both accept the option name as a string in every version (:func:`set_keyframes_only`,
  :func:`set_threads`).
* ``CodecContext.options``: the decoder's ``max_pixels`` bound (:func:`bound_frame_pixels`).
* A closed container of PyAV 12 frees its decoder threads only when garbage-collected
  (:data:`FREE_BY_GC`).
"""

from __future__ import annotations

import logging
import math
import struct
from typing import TYPE_CHECKING, Any

from ..errors import MediaTooLargeError
from .tools import require_av

if TYPE_CHECKING:  # pragma: no cover
    from .source import MediaFile

__all__ = ["FREE_BY_GC", "bound_frame_pixels", "is_key", "open_input", "rotation", "set_keyframes_only", "set_threads",
           "tags"]

log = logging.getLogger(__name__)

_accepts_metadata_errors: bool | None = None


def _major() -> int:
    try:
        return int(str(require_av().__version__).split(".")[0])
    except (ValueError, AttributeError):  # pragma: no cover - unknown version string
        return 0


#: PyAV 12 keeps a closed container's streams in a reference cycle: its decoder threads live
#: until the cycle is collected, so the media object collects it after every pass.
FREE_BY_GC = _major() < 13


def open_input(fileobj: Any, media: MediaFile) -> Any:
    """``av.open`` for reading over a file object, with metadata decoding errors replaced where supported."""
    global _accepts_metadata_errors
    av = require_av()
    if _accepts_metadata_errors is not False:
        try:
            c = av.open(fileobj, mode="r", metadata_errors="replace")
            _accepts_metadata_errors = True
            return c
        except TypeError as exc:
            if "metadata_errors" not in str(exc):
                raise
            _accepts_metadata_errors = False
            fileobj.seek(0)
    return av.open(fileobj, mode="r")


def tags(obj: Any) -> dict[str, str]:
    """Container or stream tags as str -> str; a tag that cannot be decoded is dropped, never fatal."""
    try:
        items = list(obj.metadata.items())
    except (UnicodeDecodeError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in items}


def is_key(frame: Any) -> bool:
    """True when a decoded frame is a keyframe (intra picture)."""
    if bool(getattr(frame, "key_frame", False)):
        return True
    pt = getattr(frame, "pict_type", None)
    if pt is None:
        return False
    name = getattr(pt, "name", None)
    if isinstance(name, str):
        return name == "I"
    try:
        return int(pt) == 1  # AV_PICTURE_TYPE_I
    except (TypeError, ValueError):
        return str(pt) == "I"


def _matrix_rotation(raw: bytes) -> float | None:
    """FFmpeg's ``av_display_rotation_get`` over a 3x3 int32 16.16 display matrix (ffprobe's sign)."""
    if len(raw) < 36:
        return None
    m = struct.unpack("<9i", raw[:36])
    s0 = math.hypot(m[0] / 65536.0, m[3] / 65536.0)
    s1 = math.hypot(m[1] / 65536.0, m[4] / 65536.0)
    if s0 == 0.0 or s1 == 0.0:
        return None
    return -math.degrees(math.atan2((m[1] / 65536.0) / s1, (m[0] / 65536.0) / s0))


def rotation(frame: Any, stream: Any = None) -> float:
    """Display rotation [deg] of a decoded frame, in ffprobe's convention (-90: turn clockwise)."""
    r = getattr(frame, "rotation", None)
    if isinstance(r, (int, float)) and math.isfinite(r):
        return float(r)
    try:  # PyAV 12: the stream's side data, else the frame's display matrix
        if stream is not None:
            sd = getattr(stream, "side_data", None)
            if isinstance(sd, dict) and isinstance(sd.get("DISPLAYMATRIX"), (int, float)):
                v = float(sd["DISPLAYMATRIX"])
                if math.isfinite(v):
                    return v
        for item in getattr(frame, "side_data", ()) or ():
            if "DISPLAYMATRIX" in str(getattr(item, "type", "")):
                v2 = _matrix_rotation(bytes(item))
                if v2 is not None:
                    return v2
    except (TypeError, ValueError, AttributeError, KeyError):
        log.debug("display matrix unreadable", exc_info=True)
    return 0.0


def set_keyframes_only(ctx: Any) -> None:
    """Ask the decoder to skip non-key frames (a hint: some decoders ignore it)."""
    try:
        ctx.skip_frame = "NONKEY"
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - version specific
        log.debug("skip_frame not settable on this PyAV", exc_info=True)


def set_threads(ctx: Any, count: int, *, slice_only: bool) -> None:
    """Decoder threading: ``count`` threads (0: FFmpeg's choice), slice threads only when asked."""
    try:
        ctx.thread_count = int(count)
        ctx.thread_type = "SLICE" if slice_only else "AUTO"
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - version specific
        log.debug("thread settings not accepted by this PyAV", exc_info=True)


def bound_frame_pixels(ctx: Any, media: MediaFile) -> None:
    """Refuse frames above the budget from the header, and bound the decoder itself.

    Raises
    ------
    MediaTooLargeError
        When the stream header already declares a larger frame.
    """
    limit = media.limits.max_frame_pixels
    w, h = int(ctx.width or 0), int(ctx.height or 0)
    if w * h > limit:
        raise MediaTooLargeError(
            f"video frames of {media.name!r} are {w}x{h} px, above the budget of {limit} px "
            "(raise MediaLimits.max_frame_pixels to decode it)", path=str(media.path))
    try:  # the decoder refuses larger frames itself (what a header says may be false)
        opts = dict(ctx.options or {})
        opts["max_pixels"] = str(limit)
        ctx.options = opts
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - version specific
        log.debug("codec options not settable on this PyAV", exc_info=True)
