"""Choosing the frames of a clip that are worth hashing (pure functions over arrays).

The pipeline is

1. :func:`plan_grid_times`: codec keyframes are free to decode but move when a clip is
   re-encoded, so they are combined with a time grid: either a fixed grid (``fps``) or only
   the grid points that fill gaps between keyframes longer than ``max_gap_s``;
2. :func:`detect_borders` / :func:`crop_frame`: letterbox and pillarbox bars (flat rows or
   columns of any colour), blurred-fill backgrounds (9:16 reframes) and static overlay bands
   (player UI of a screen recording) are found once per clip and cut away;
3. :func:`is_informative`: black, flat and faded frames are dropped.

:func:`extract_keyframes` runs the three over a file; decoding lives in
:mod:`provenance.media.decode`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, UnsupportedMediaError
from ..media.decode import DEFAULT_MAX_SIDE, iter_video_frames, read_still, video_layout
from ..media.imageops import rgb_to_grey
from ..media.source import MediaFile, open_media
from .borders import Borders, crop_frame, detect_borders, grey

__all__ = [
    "DEFAULT_MAX_FRAMES",
    "DEFAULT_MAX_GAP_S",
    "Keyframe",
    "extract_keyframes",
    "is_informative",
    "plan_grid_times",
    "select_frames",
]

log = logging.getLogger(__name__)

#: Largest gap between chosen frames [s] before grid frames are added (default selection).
DEFAULT_MAX_GAP_S = 1.0
#: Upper bound on frames taken from one file.
DEFAULT_MAX_FRAMES = 1200

_MIN_FRAMES_SHORT = 8      # frames wanted from a clip shorter than 8 * max_gap_s

# Frame informativeness.
_MIN_STD = 8.0           # grey std below this: flat, black or deep in a fade
_MIN_DETAIL = 1.0        # mean absolute gradient below this: no structure to hash


@dataclass(frozen=True)
class Keyframe:
    """A frame chosen for hashing.

    Attributes
    ----------
    time_s : float
        Presentation time [s] from the container's timestamps.
    image : ndarray of uint8, shape (H, W, 3)
        RGB pixels, rotated for display, downscaled, borders removed.
    reason : str
        Why the frame was chosen: ``"keyframe"`` (codec keyframe), ``"grid"`` (time grid) or
        ``"still"`` (a still image).
    """

    time_s: float
    image: np.ndarray
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (the pixels are left out)."""
        return {"time_s": self.time_s, "shape": list(self.image.shape), "reason": self.reason}

    def __repr__(self) -> str:
        h, w = self.image.shape[:2]
        return f"Keyframe(t={self.time_s:.3f} s, {w}x{h}, {self.reason})"


def plan_grid_times(
    keyframe_times_s: Sequence[float] | np.ndarray,
    duration_s: float | None,
    *,
    fps: float | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    max_frames: int = DEFAULT_MAX_FRAMES,
) -> np.ndarray:
    """Grid times [s] to decode in addition to the codec keyframes.

    Parameters
    ----------
    keyframe_times_s : sequence of float
        Times of codec keyframes [s].
    duration_s : float or None
        Clip duration [s]; without it the last keyframe bounds the grid.
    fps : float, optional
        A fixed grid of ``fps`` frames per second over the whole clip. When None, only gaps
        between keyframes (and the clip ends) longer than ``1.5 * max_gap_s`` are filled, with
        points ``max_gap_s`` apart.
    max_gap_s : float
        Largest tolerated gap [s] in the default mode.
    max_frames : int
        Grid and keyframes together are thinned to at most this many points.

    Returns
    -------
    ndarray of float64
        Sorted grid times [s] (empty when the keyframes are dense enough).
    """
    if fps is not None and not fps > 0:
        raise InvalidArgumentError(f"fps must be > 0 frames/s or None (got {fps})")
    if not max_gap_s > 0:
        raise InvalidArgumentError(f"max_gap_s must be > 0 s (got {max_gap_s})")
    keys = np.unique(np.asarray(keyframe_times_s, dtype=np.float64))
    end = duration_s if duration_s is not None else (float(keys[-1]) if keys.size else 0.0)
    end = max(float(end), 0.0)
    if not np.isfinite(end):
        raise InvalidArgumentError(f"duration_s must be finite (got {duration_s})")
    if fps is not None:
        step = max(1.0 / fps, end / max(1, max_frames))
        return np.arange(0.0, max(end - 1e-6, 0.0) + 1e-9, step)
    bounds = np.concatenate([[0.0], keys[(keys > 0) & (keys < end)], [end]])
    out: list[np.ndarray] = []
    cap = max_frames + 1  # a gap never needs more points than the final thinning keeps
    for a, b in zip(bounds[:-1], bounds[1:]):
        if b - a > 1.5 * max_gap_s:
            n = int(min(np.floor((b - a) / max_gap_s), 4 * cap))
            if n > cap:  # a very long gap (hours of claimed duration): evenly spaced points instead
                pts = np.linspace(a + max_gap_s, b - 0.25 * max_gap_s, cap)
            else:
                pts = a + max_gap_s * np.arange(1, n + 1)
            out.append(pts[pts < b - 0.25 * max_gap_s])
    if keys.size == 0 or keys[0] > 0.5 * max_gap_s:
        out.append(np.array([0.0]))
    grid = np.unique(np.concatenate(out)) if out else np.zeros(0)
    budget = max(0, max_frames - keys.size)
    if grid.size > budget:
        grid = grid[np.linspace(0, grid.size - 1, budget).round().astype(int)] if budget else grid[:0]
    return grid


def is_informative(image: np.ndarray) -> bool:
    """False for black, flat or faded frames that carry nothing to hash.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (H, W)

    Returns
    -------
    bool
        True when the grey-level std is at least 8 and the picture has some structure.
    """
    g = grey(image)
    if g.size == 0 or float(g.std()) < _MIN_STD:
        return False
    detail = float(np.abs(np.diff(g, axis=0)).mean() + np.abs(np.diff(g, axis=1)).mean())
    return detail >= _MIN_DETAIL


def extract_keyframes(
    path: str | os.PathLike[str] | MediaFile,
    *,
    fps: float | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    max_frames: int = DEFAULT_MAX_FRAMES,
    max_side: int = DEFAULT_MAX_SIDE,
    crop_borders: bool = True,
    drop_uninformative: bool = True,
) -> list[Keyframe]:
    """Choose, decode and clean the frames of a clip worth hashing.

    Parameters
    ----------
    path
        Video file, or a still image (JPEG, PNG, GIF, BMP, WebP, TIFF by magic bytes; a
        one-frame clip at 0 s), or an open :class:`~provenance.media.MediaFile` (its budgets
        apply).
    fps : float, optional
        Decode a fixed time grid of ``fps`` frames per second plus the codec keyframes
        (decodes every frame; use for indexing reference footage). By default (None) only
        codec keyframes are decoded, with grid frames ``max_gap_s`` apart filling longer
        gaps: for a phone clip with a 1 s GOP this is keyframe-only decoding, the cheapest
        there is.
    max_gap_s : float
        Largest gap [s] between chosen frames in the default mode.
    max_frames : int
        Upper bound on frames decoded and returned.
    max_side : int
        Longer side of the returned images before cropping [px].
    crop_borders : bool
        Detect and remove bars, blurred fill and static overlay bands (once per clip).
    drop_uninformative : bool
        Drop black, flat and faded frames.

    Returns
    -------
    list of Keyframe
        In time order. May be empty when every frame is uninformative.

    Raises
    ------
    MediaNotFoundError, UnsupportedMediaError, CorruptMediaError, InvalidArgumentError

    Examples
    --------
    >>> frames = extract_keyframes("clip.mp4")  # doctest: +SKIP
    >>> [round(k.time_s, 2) for k in frames][:3]  # doctest: +SKIP
    [0.0, 1.0, 2.0]
    """
    frames, borders, _ = select_frames(path, fps=fps, max_gap_s=max_gap_s, max_frames=max_frames,
                                       max_side=max_side, crop_borders=crop_borders,
                                       drop_uninformative=drop_uninformative)
    out = []
    for t, img, reason, _ in frames:
        img = np.ascontiguousarray(crop_frame(img, borders)) if borders.any else img
        out.append(Keyframe(float(t), img, reason))
    return out


def select_frames(
    path: str | os.PathLike[str] | MediaFile,
    *,
    fps: float | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    max_frames: int = DEFAULT_MAX_FRAMES,
    max_side: int = DEFAULT_MAX_SIDE,
    crop_borders: bool = True,
    drop_uninformative: bool = True,
    detail_count: int = 0,
    detail_side: int = 960,
    detail_every_s: float = 0.0,
) -> tuple[list[tuple[float, np.ndarray, str, np.ndarray | None]], Borders, float | None]:
    """Decode the chosen frames of a clip, uncropped, with the clip's borders.

    Same parameters as :func:`extract_keyframes`, and:

    detail_count : int
        Up to this many frames spread evenly over the clip (the first frame at or after the middle
        of each of ``detail_count`` equal parts) also come greyscale at ``detail_side`` (for local
        features), from the same decode.
    detail_side : int
        Longer side of those detail pictures [px] (never upscaled).
    detail_every_s : float
        When > 0, about one detail picture per this many seconds (at most ``detail_count``).

    Returns
    -------
    frames : list of (time_s, image, reason, detail)
        Uncropped frames in time order; ``detail`` is the greyscale larger picture, or None.
    borders : Borders
        Borders detected over the clip (``Borders()`` when ``crop_borders`` is False).
    duration_s : float or None
        Clip duration [s] (None for a still).
    """
    if max_frames < 1:
        raise InvalidArgumentError(f"max_frames must be >= 1 (got {max_frames})")
    if not max_gap_s > 0:
        raise InvalidArgumentError(f"max_gap_s must be > 0 s (got {max_gap_s})")
    if isinstance(detail_count, bool) or not isinstance(detail_count, int) or detail_count < 0:
        raise InvalidArgumentError(f"detail_count must be an int >= 0 (got {detail_count!r})")
    raw: list[tuple[float, np.ndarray, str, np.ndarray | None]] = []
    duration: float | None = None
    with open_media(path) as media:
        if media.heif_brand is not None:
            raise UnsupportedMediaError(
                f"{media.name!r} is a HEIF/AVIF image ({media.heif_brand}): FFmpeg decodes one tile of its grid, not "
                "the picture, so it is not fingerprinted; convert it to JPEG or PNG first", path=str(media.path))
        if media.is_still:
            still = read_still(media, max_side=max_side)
            detail = None
            if detail_count:
                large = read_still(media, max_side=detail_side).image
                detail = rgb_to_grey(large) if large.ndim == 3 else large
            raw.append((0.0, still.image, "still", detail))
        else:
            layout = video_layout(media)
            duration = layout.duration_s
            gap = max_gap_s
            if duration is not None and duration > 0:
                # Short clips get a denser grid so they still yield about 8 frames.
                gap = min(max_gap_s, max(duration / _MIN_FRAMES_SHORT, 0.125))
            grid = plan_grid_times(layout.keyframe_times_s, layout.duration_s, fps=fps,
                                   max_gap_s=gap, max_frames=max_frames)
            keyframes_only = fps is None and grid.size == 0 and layout.keyframe_times_s.size > 0
            span = duration if duration is not None and duration > 0 else 0.0
            n = detail_count
            if detail_every_s > 0:
                n = min(n, int(span // detail_every_s) + 1)
            # the middle of n equal parts of the clip: each is reached by a frame at or after it
            # (a target at the very end would wait for a frame that never comes)
            details = (np.arange(n) + 0.5) * (span / n) if n and span > 0 else np.zeros(n)
            frames = iter_video_frames(media, keyframes_only=keyframes_only, times_s=grid,
                                       include_keyframes=True, max_side=max_side, max_frames=max_frames,
                                       detail_at_s=details, detail_side=detail_side)
            for fr in frames:
                raw.append((fr.time_s, fr.image, "keyframe" if fr.key_frame else "grid", fr.detail))
            # A keyframe-only decode that found nothing (decoder without keyframe flags): grid.
            if not raw and keyframes_only:
                grid = plan_grid_times([], layout.duration_s, fps=1.0 / gap, max_frames=max_frames)
                for fr in iter_video_frames(media, times_s=grid, include_keyframes=False,
                                            max_side=max_side, max_frames=max_frames, detail_at_s=details,
                                            detail_side=detail_side):
                    raw.append((fr.time_s, fr.image, "grid", fr.detail))
    # Drop near-duplicate times (a keyframe that is also a grid point).
    raw.sort(key=lambda r: r[0])
    dedup: list[tuple[float, np.ndarray, str, np.ndarray | None]] = []
    for item in raw:
        if dedup and abs(item[0] - dedup[-1][0]) < 1e-3:
            if dedup[-1][3] is None and item[3] is not None:  # keep the detail picture of either
                dedup[-1] = (*dedup[-1][:3], item[3])
            continue
        dedup.append(item)
    borders = Borders()
    if crop_borders and dedup:
        sample = [r[1] for r in dedup if float(grey(r[1]).std()) >= 3.0] or [r[1] for r in dedup]
        borders = detect_borders(sample)
        if borders.any:
            log.debug("%s: cropping borders %s", path, borders)
    if drop_uninformative:
        dedup = [r for r in dedup if is_informative(crop_frame(r[1], borders))]
    return dedup, borders, duration
