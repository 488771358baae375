"""Stored frames of indexed footage: thumbnails and local features, which frames, checks, one decode.

:meth:`~provenance.index.FootageIndex.add` hashes the frames of one decode and keeps a few of
them (about one per :data:`THUMBNAIL_EVERY_S` seconds, at most :data:`MAX_THUMBNAILS_PER_ITEM`)
twice: as JPEG thumbnails (longer side :data:`THUMBNAIL_MAX_SIDE` px), so reports can show the
known frame beside a matching query frame, and as local features
(:func:`provenance.hashing.features.local_features`), so matching can verify a candidate
geometrically (:mod:`provenance.matching.verify`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..hashing import Fingerprint
from ..media.source import MediaFile

__all__ = ["MAX_THUMBNAILS_PER_ITEM", "MAX_THUMBNAIL_BYTES", "THUMBNAIL_EVERY_S", "THUMBNAIL_MAX_SIDE",
           "check_features", "check_thumbnails", "fingerprint_with_thumbnails", "frame_features", "frame_thumbnails",
           "thumbnail_frame_indices", "time_value"]


#: About one stored thumbnail per this many seconds of footage (:meth:`FootageIndex.add`).
THUMBNAIL_EVERY_S = 2.0
#: Most thumbnails stored per footage item.
MAX_THUMBNAILS_PER_ITEM = 32
#: Longer side of stored thumbnails [px].
THUMBNAIL_MAX_SIDE = 160
#: Largest JPEG accepted as a stored thumbnail [bytes] (a 160 px thumbnail is ~4-8 kB).
MAX_THUMBNAIL_BYTES = 64_000


def time_value(time_s: Any) -> float:
    """A finite media time [s] given as a number; refuses anything else."""
    if isinstance(time_s, bool) or not isinstance(time_s, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"time_s must be a number of seconds (got {type(time_s).__name__})")
    t = float(time_s)
    if not np.isfinite(t):
        raise InvalidArgumentError(f"time_s must be finite (got {time_s!r})")
    return t


def _timed_rows(rows: Any, what: str, check: Callable[[float, bytes], None]) -> list[tuple[float, bytes]]:
    """Validated ``(time_s, bytes)`` rows in time order: a sequence of at most
    :data:`MAX_THUMBNAILS_PER_ITEM` pairs at distinct finite times, each accepted by ``check``."""
    if rows is None:
        return []
    if isinstance(rows, (str, bytes, bytearray, dict)):
        raise InvalidArgumentError(f"{what} must be a sequence of (time_s, bytes) pairs")
    try:
        items = list(rows)
    except TypeError as exc:
        raise InvalidArgumentError(f"{what} must be a sequence of (time_s, bytes) pairs") from exc
    if len(items) > MAX_THUMBNAILS_PER_ITEM:
        raise InvalidArgumentError(f"at most {MAX_THUMBNAILS_PER_ITEM} {what} per footage item (got {len(items)})")
    out: list[tuple[float, bytes]] = []
    for item in items:
        try:
            t, data = item
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"{what} must hold (time_s, bytes) pairs (got {type(item).__name__})") from exc
        t = time_value(t)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgumentError(f"{what} must be bytes (got {type(data).__name__})")
        data = bytes(data)
        check(t, data)
        out.append((t, data))
    out.sort(key=lambda p: p[0])
    for a, b in zip(out, out[1:]):
        if a[0] == b[0]:
            raise InvalidArgumentError(f"two {what} at the same time {a[0]:.3f} s")
    return out


def check_thumbnails(thumbnails: Any) -> list[tuple[float, bytes]]:
    """Validated ``(time_s, jpeg)`` pairs in time order; refuses anything a store should not keep.

    Raises
    ------
    InvalidArgumentError
        Not a sequence of pairs, too many, not JPEG, too large, or two at the same time.
    """
    from ..media.thumbnails import JPEG_MAGIC

    def check(t: float, data: bytes) -> None:
        if not data.startswith(JPEG_MAGIC):
            raise InvalidArgumentError(f"the thumbnail at {t:.3f} s is not a JPEG")
        if len(data) > MAX_THUMBNAIL_BYTES:
            raise InvalidArgumentError(
                f"the thumbnail at {t:.3f} s has {len(data)} bytes; at most {MAX_THUMBNAIL_BYTES} "
                "(make it with provenance.media.thumbnails.make_thumbnail)")

    return _timed_rows(thumbnails, "thumbnails", check)


def check_features(features: Any) -> list[tuple[float, bytes]]:
    """Validated ``(time_s, LocalFeatures.to_bytes())`` rows in time order.

    Raises
    ------
    InvalidArgumentError
        Not a sequence of pairs, too many, bytes that do not decode as local features, or two
        at the same time.
    """
    from ..hashing.features import LocalFeatures

    def check(t: float, data: bytes) -> None:
        LocalFeatures.from_bytes(data)  # refuses anything that would not decode when read back

    return _timed_rows(features, "feature rows", check)


def thumbnail_frame_indices(times_s: Sequence[float], *, every_s: float = THUMBNAIL_EVERY_S,
                            max_count: int = MAX_THUMBNAILS_PER_ITEM) -> list[int]:
    """Indices of the frames (times in ascending order) to keep as thumbnails.

    About one per ``every_s`` seconds, evenly spread from the first frame to the last, at
    most ``max_count``; one frame (the middle one) for a clip shorter than ``every_s``.
    """
    t = np.asarray(times_s, dtype=np.float64)
    if t.size == 0 or max_count < 1:
        return []
    span = float(t[-1] - t[0])
    n = int(min(max_count, t.size, max(1, np.floor(span / every_s + 1e-9) + 1)))
    targets = [t[0] + span / 2] if n == 1 else np.linspace(t[0], t[-1], n)
    out: list[int] = []
    for target in targets:
        i = int(np.argmin(np.abs(t - target)))
        if i not in out:
            out.append(i)
    return sorted(out)


def frame_thumbnails(frames: Sequence[tuple[Any, ...]], *, every_s: float = THUMBNAIL_EVERY_S,
                     max_count: int = MAX_THUMBNAILS_PER_ITEM,
                     max_side: int = THUMBNAIL_MAX_SIDE) -> list[tuple[float, bytes]]:
    """``(time_s, jpeg)`` thumbnails of decoded frames, as :meth:`FootageIndex.add` stores them.

    Parameters
    ----------
    frames : sequence of (time_s, image, ...)
        Decoded frames in time order, e.g. from :func:`provenance.frames.select_frames`.
    every_s, max_count, max_side
        Spacing [s], most thumbnails kept, longer side [px].
    """
    from ..media.thumbnails import make_thumbnail

    idx = thumbnail_frame_indices([float(f[0]) for f in frames], every_s=every_s, max_count=max_count)
    return [(float(frames[i][0]), make_thumbnail(frames[i][1], max_side)) for i in idx]


def frame_features(frames: Sequence[tuple[Any, ...]], *, every_s: float = THUMBNAIL_EVERY_S,
                   max_count: int = MAX_THUMBNAILS_PER_ITEM) -> list[tuple[float, bytes]]:
    """``(time_s, LocalFeatures.to_bytes())`` of decoded reference frames, as :meth:`FootageIndex.add`
    stores them.

    Parameters
    ----------
    frames : sequence of (time_s, image, ...) or (time_s, image, reason, detail)
        Decoded frames in time order, uncropped (an inset or a screen in a query is matched
        against the whole picture). Frames that carry a larger greyscale ``detail`` picture
        (``fingerprint_frames(path, variants=False)`` decodes one about every 2 s) are described
        on it; without any, the frames :func:`frame_thumbnails` keeps are described as they are.
    every_s, max_count
        Spacing [s] and most rows kept when no frame carries a detail picture.
    """
    from ..hashing.features import local_features

    detailed = [(float(f[0]), f[3]) for f in frames if len(f) > 3 and f[3] is not None][:max_count]
    if detailed:
        return [(t, local_features(d).to_bytes()) for t, d in detailed]
    idx = thumbnail_frame_indices([float(f[0]) for f in frames], every_s=every_s, max_count=max_count)
    return [(float(frames[i][0]), local_features(frames[i][1]).to_bytes()) for i in idx]


def fingerprint_with_thumbnails(
    path: str | os.PathLike[str] | MediaFile,
) -> tuple[Fingerprint, list[tuple[float, bytes]], list[tuple[float, bytes]]]:
    """Reference fingerprint of a file (as ``fingerprint(path, variants=False, fps=INDEX_FPS)``),
    its thumbnails (:func:`frame_thumbnails`) and the local features of the same frames
    (:func:`frame_features`), from one decode. A file without a frame to hash is refused
    (``UnsupportedMediaError``), so no empty record is ever stored."""
    from ..hashing.fingerprinting import INDEX_FPS, fingerprint_frames

    fp, frames = fingerprint_frames(path, variants=False, fps=INDEX_FPS)
    return fp, frame_thumbnails(frames), frame_features(frames)
