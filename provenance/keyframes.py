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

from .errors import InvalidArgumentError
from .media.decode import DEFAULT_MAX_SIDE, is_still, iter_video_frames, read_still, video_layout

__all__ = [
    "DEFAULT_MAX_FRAMES",
    "DEFAULT_MAX_GAP_S",
    "Borders",
    "Keyframe",
    "crop_frame",
    "detect_borders",
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

# Border detection tuning (grey levels 0-255 on the decoded, downscaled frames).
_FLAT_STD = 3.0          # a row whose std across the frame is below this is a flat bar
_FLAT_DRIFT = 2.0        # ... and whose mean level varies over time by less than this
_FLAT_SHARE = 0.8        # ... in at least this share of the frames
_BLUR_RATIO = 0.12       # a row whose detail is below this share of the centre's is blurred fill
_SYM_BLUR_RATIO = 0.30   # ... the looser level used when the fill is symmetric (a reframe)
_GAP = 0.03              # a border run may cross thin foreign bands (a progress bar) up to this share
_SYMMETRY_TOL = 0.10     # blurred fill on two opposite sides equal within this share: a reframe
_LOOSE_MIN = 0.03        # a blur/static band is only trusted when it adds this share to the flat bar
_STATIC_STD = 1.0        # a row whose pixels do not move over time (std below this) is an overlay
_MOTION_MIN = 6.0        # ... provided the centre of the clip moves at least this much
_MAX_BORDER = 0.45       # at most this share of the height (width) per side
_MAX_BORDER_FRAMES = 24  # borders are judged on at most this many frames, evenly spread
_MIN_BORDER = 0.02       # bands thinner than this share are ignored
_STANDARD_ASPECTS = (16 / 9, 4 / 3, 1.0, 3 / 4, 9 / 16)
_ASPECT_TOL = 0.04       # relative tolerance on the aspect left after cutting blur/static bands
_EDGE_MIN = 3.0          # a picture edge: the whole row (column) steps by at least this many levels
_EDGE_RATIO = 4.0        # ... and by this many times the steps of the rows (columns) around it
_EDGE_FILL_DETAIL = 0.5  # ... with fill outside it carrying at most this share of the picture's detail
_EDGE_MAX_INNER = 3      # ... and at most this many straight edges inside the picture

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


@dataclass(frozen=True)
class Borders:
    """Pixels to cut from each side of a frame [px].

    Attributes
    ----------
    top, bottom, left, right : int
    kind : str
        What was found: ``"none"`` or a ``+``-joined set of ``"flat"``, ``"blur"``,
        ``"static"``.
    """

    top: int = 0
    bottom: int = 0
    left: int = 0
    right: int = 0
    kind: str = "none"

    @property
    def any(self) -> bool:
        """True when at least one side is cut."""
        return bool(self.top or self.bottom or self.left or self.right)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return dict(self.__dict__)


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
    if fps is not None:
        step = max(1.0 / fps, end / max(1, max_frames))
        return np.arange(0.0, max(end - 1e-6, 0.0) + 1e-9, step)
    bounds = np.concatenate([[0.0], keys[(keys > 0) & (keys < end)], [end]])
    out: list[np.ndarray] = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        if b - a > 1.5 * max_gap_s:
            pts = a + max_gap_s * np.arange(1, int(np.floor((b - a) / max_gap_s)) + 1)
            out.append(pts[pts < b - 0.25 * max_gap_s])
    if keys.size == 0 or keys[0] > 0.5 * max_gap_s:
        out.append(np.array([0.0]))
    grid = np.unique(np.concatenate(out)) if out else np.zeros(0)
    budget = max(0, max_frames - keys.size)
    if grid.size > budget:
        grid = grid[np.linspace(0, grid.size - 1, budget).round().astype(int)] if budget else grid[:0]
    return grid


def _grey(image: np.ndarray) -> np.ndarray:
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 3:
        img = img[..., 0] * 0.299 + img[..., 1] * 0.587 + img[..., 2] * 0.114
    return img


def _edge_run(flags: np.ndarray, limit: int) -> int:
    """Length of the run of True at the start of ``flags``, capped at ``limit``."""
    n = 0
    while n < min(limit, flags.size) and flags[n]:
        n += 1
    return n


def _close_gaps(flags: np.ndarray, gap: int) -> np.ndarray:
    """Fill runs of False no longer than ``gap`` that lie between two True values."""
    out = flags.copy()
    idx = np.flatnonzero(flags)
    if idx.size >= 2:
        for a, b in zip(idx[:-1], idx[1:]):
            if 1 < b - a <= gap + 1:
                out[a + 1:b] = True
    return out


def detect_borders(images: Sequence[np.ndarray]) -> Borders:
    """Find bars, blurred fill and static overlay bands around the picture of a clip.

    A row (column) counts as border when, in most frames, it is flat (grey std below a few
    levels: letterbox or pillarbox bars of any colour), or carries far less detail than the
    centre of the picture (a blurred-fill background), or, in a clip whose centre moves, it
    never changes (a static overlay such as a player's UI bars). The border on each side is
    the unbroken run of such rows from the edge inwards, if it is at least 2% and at most 45%
    of the frame.

    Parameters
    ----------
    images : sequence of ndarray of uint8, shape (H, W, 3) or (H, W)
        Frames of one clip, all the same size (at most 24, evenly spread, are examined).

    Returns
    -------
    Borders
        Pixels to cut per side, in the frames' own pixels.
    """
    if len(images) == 0:
        return Borders()
    shape = np.asarray(images[0]).shape[:2]
    if any(np.asarray(im).shape[:2] != shape for im in images):
        raise InvalidArgumentError("detect_borders needs frames of one size")
    h, w = shape
    if h < 16 or w < 16:
        return Borders()
    if len(images) > _MAX_BORDER_FRAMES:  # evenly spread frames say as much as all of them
        images = [images[i] for i in np.linspace(0, len(images) - 1, _MAX_BORDER_FRAMES).round().astype(int)]
    stack = np.stack([_grey(im) for im in images])  # (n, h, w)
    gy = np.abs(np.diff(stack, axis=1))
    gx = np.abs(np.diff(stack, axis=2))
    detail = np.zeros_like(stack)
    detail[:, :-1, :] += gy
    detail[:, :, :-1] += gx
    ch0, ch1, cw0, cw1 = h * 3 // 8, h * 5 // 8, w * 3 // 8, w * 5 // 8
    centre_detail = float(np.median(detail[:, ch0:ch1, cw0:cw1].mean(axis=(1, 2))))
    n = stack.shape[0]
    temporal = stack.std(axis=0) if n >= 3 else None
    moving = temporal is not None and float(temporal[ch0:ch1, cw0:cw1].mean()) >= _MOTION_MIN
    def side(axis: int, reverse: bool) -> dict[str, int]:
        """Border run from one edge per criterion set; axis 1: rows, axis 2: columns."""
        length = h if axis == 1 else w
        other = 2 if axis == 1 else 1
        # Use the central 80% of the other dimension so a neighbouring band does not count.
        osz = w if axis == 1 else h
        lo, hi = osz // 10, osz - osz // 10
        sl = (slice(None), slice(None), slice(lo, hi)) if axis == 1 else (slice(None), slice(lo, hi), slice(None))
        sub = stack[sl]
        dsub = detail[sl]
        flat = (sub.std(axis=other) < _FLAT_STD).mean(axis=0) >= _FLAT_SHARE
        if n >= 3:  # bars keep their level over time; a smooth sky or wall drifts
            flat &= sub.mean(axis=other).std(axis=0) < _FLAT_DRIFT
        row_detail = np.median(dsub.mean(axis=other), axis=0)
        blur = row_detail < _BLUR_RATIO * max(centre_detail, 1e-3)
        sym_blur = row_detail < _SYM_BLUR_RATIO * max(centre_detail, 1e-3)
        static = np.zeros(length, dtype=bool)
        if moving and temporal is not None:
            tsub = temporal[sl[1:]]
            static = tsub.mean(axis=other - 1) < _STATIC_STD
        if reverse:
            flat, blur, static, sym_blur = flat[::-1], blur[::-1], static[::-1], sym_blur[::-1]
        limit = int(_MAX_BORDER * length)
        minimum = max(2, int(np.ceil(_MIN_BORDER * length)))
        gap = max(2, int(round(_GAP * length)))
        out = {}
        for name, flags in (("flat", flat), ("blur", flat | blur), ("all", flat | blur | static)):
            run = _edge_run(_close_gaps(flags, gap), limit)
            out[name] = run if run >= minimum else 0
        run = _edge_run(_close_gaps(flat | sym_blur, gap), limit)
        out["blur_only"] = run if run >= minimum and sym_blur[:run].mean() > 0.5 else 0
        return out

    sides = [side(1, False), side(1, True), side(2, False), side(2, True)]

    def edge_cut(axis: int) -> int:
        """Symmetric fill cut on one axis from the picture's own straight edges (0: none).

        Blurred fill made from a low-detail picture (sky, a plain wall) is not less detailed
        than the picture's centre, so the detail test misses it; the boundary between fill and
        picture is still a straight line across the whole frame, at the same distance from both
        edges, that every column (row) crosses with a step.
        """
        length = h if axis == 1 else w
        other = 2 if axis == 1 else 1
        osz = w if axis == 1 else h
        lo, hi = osz // 10, osz - osz // 10
        sub = stack[:, :, lo:hi] if axis == 1 else stack[:, lo:hi, :]
        # step[i]: typical jump between line i and i + 1, median over the other axis and frames
        step = np.median(np.median(np.abs(np.diff(sub, axis=axis)), axis=other), axis=0)
        lines = np.median(detail.mean(axis=other), axis=0)
        limit, minimum = int(_MAX_BORDER * length), max(2, int(np.ceil(_MIN_BORDER * length)))

        def edge_strength(i: int) -> float:
            """How many times line i's step exceeds its surroundings' (0: not a local peak)."""
            if step[i] < step[max(0, i - 1):i + 2].max():
                return 0.0
            around = np.r_[step[max(0, i - 8):max(0, i - 1)], step[i + 2:i + 9]]
            base = float(np.median(around)) if around.size else 0.0
            return float(step[i]) / (_EDGE_RATIO * base + 1.0)

        # Only fill on the long sides of the frame (a landscape picture in a portrait frame or
        # the reverse), and a picture with few straight edges of its own (a horizon, a car's
        # bonnet): low-bitrate block artefacts put straight steps on a regular grid, which is
        # no picture boundary.
        if length <= osz:
            return 0
        strength = np.array([edge_strength(i) for i in range(length - 1)])
        strong = np.flatnonzero((strength >= 1.0) & (step >= _EDGE_MIN))
        tol = max(2, int(round(0.01 * length)))
        for cut in range(minimum, limit + 1):
            for far in range(max(minimum, cut - tol), min(limit, cut + tol) + 1):
                a, b = cut - 1, length - far - 1
                # one edge strong, its mirror at least a clear local peak (fill made from a
                # plain wall may meet the picture's wall with a small step)
                if not ((a in strong and strength[b] >= 1.0) or (b in strong and strength[a] >= 1.0)):
                    continue
                inner = length - cut - far
                if inner > osz or inner < length // 8 or ((strong > a + 2) & (strong < b - 2)).sum() > _EDGE_MAX_INNER:
                    continue
                fill = np.r_[lines[:cut], lines[length - far:]]
                if float(np.median(fill)) <= _EDGE_FILL_DETAIL * float(np.median(lines[cut:length - far])):
                    return min(cut, far)
        return 0

    def valid(c: list[int]) -> bool:
        return h - c[0] - c[1] >= h // 8 and w - c[2] - c[3] >= w // 8

    def standard(c: list[int]) -> bool:
        ch, cw = h - c[0] - c[1], w - c[2] - c[3]
        aspect = cw / max(ch, 1)
        return any(abs(aspect / a - 1.0) <= _ASPECT_TOL for a in _STANDARD_ASPECTS)

    strict = [s["flat"] for s in sides]
    sizes = [h, h, w, w]
    chosen = strict if valid(strict) else [0, 0, 0, 0]
    kinds: set[str] = {"flat"} if any(chosen) else set()
    # A clean pair of straight edges, symmetric on the long sides, is the most specific cue of
    # a reframe or of bars; it wins over flat, detail and stillness runs, which flat or still
    # picture content next to the fill (a clear sky, a car's bonnet) can lengthen.
    long_side = 0 if h > w else 2
    edge = edge_cut(1 if long_side == 0 else 2)
    framed = list(strict)
    framed[long_side] = framed[long_side + 1] = edge
    if edge and valid(framed):
        top, bottom, left, right = framed
        return Borders(top, bottom, left, right, "blur+flat")
    # Blurred fill and static overlays are only trusted when what remains has a standard
    # picture shape, or when blurred fill sits symmetrically on two opposite sides (a 9:16
    # reframe, whose zoomed picture need not have a standard shape): natural smooth or still
    # areas (sky, walls, the still half of a fixed camera's view) must not be cut. A band that
    # adds less than 5% to the flat bar is not trusted either.
    for key, names in (("all", {"flat", "blur", "static"}), ("blur", {"flat", "blur"})):
        loose = [s[key] if s[key] - s["flat"] >= _LOOSE_MIN * size else s["flat"]
                 for s, size in zip(sides, sizes)]
        if loose != strict and valid(loose) and standard(loose):
            chosen, kinds = loose, names
            break
    else:
        sym = list(strict)
        for a, b in ((0, 1), (2, 3)):
            ra = max(sides[a]["blur_only"], sides[a]["all"])
            rb = max(sides[b]["blur_only"], sides[b]["all"])
            cut = min(ra, rb)
            # the picture left between the fill has the other orientation (a landscape clip
            # in a portrait frame, or a portrait clip in a landscape one)
            other = (w / max(h - 2 * cut, 1) >= 1.0) if a == 0 else ((w - 2 * cut) / h <= 1.0)
            if ((sides[a]["blur_only"] or sides[b]["blur_only"]) and ra and rb and other
                    and abs(ra - rb) <= _SYMMETRY_TOL * sizes[a]):
                # a centred picture: the fill is equal on both sides (a caption band on the
                # fill may lengthen one run; smooth picture content may too): take the shorter
                sym[a] = sym[b] = max(cut, strict[a], strict[b])
        if sym != strict and valid(sym):
            chosen, kinds = sym, {"flat", "blur"}
    top, bottom, left, right = chosen
    kind = "+".join(sorted(kinds)) if (top or bottom or left or right) else "none"
    return Borders(top, bottom, left, right, kind)


def crop_frame(image: np.ndarray, borders: Borders) -> np.ndarray:
    """Cut ``borders`` off ``image`` (a view, no copy)."""
    h, w = image.shape[:2]
    return image[borders.top:h - borders.bottom, borders.left:w - borders.right]


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
    g = _grey(image)
    if g.size == 0 or float(g.std()) < _MIN_STD:
        return False
    detail = float(np.abs(np.diff(g, axis=0)).mean() + np.abs(np.diff(g, axis=1)).mean())
    return detail >= _MIN_DETAIL


def extract_keyframes(
    path: str | os.PathLike[str],
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
        Video file, or a still image (treated as a one-frame clip at 0 s).
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
    for t, img, reason in frames:
        img = np.ascontiguousarray(crop_frame(img, borders)) if borders.any else img
        out.append(Keyframe(float(t), img, reason))
    return out


def select_frames(
    path: str | os.PathLike[str],
    *,
    fps: float | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    max_frames: int = DEFAULT_MAX_FRAMES,
    max_side: int = DEFAULT_MAX_SIDE,
    crop_borders: bool = True,
    drop_uninformative: bool = True,
) -> tuple[list[tuple[float, np.ndarray, str]], Borders, float | None]:
    """Decode the chosen frames of a clip, uncropped, with the clip's borders.

    Same parameters as :func:`extract_keyframes`.

    Returns
    -------
    frames : list of (time_s, image, reason)
        Uncropped frames in time order.
    borders : Borders
        Borders detected over the clip (``Borders()`` when ``crop_borders`` is False).
    duration_s : float or None
        Clip duration [s] (None for a still).
    """
    if max_frames < 1:
        raise InvalidArgumentError(f"max_frames must be >= 1 (got {max_frames})")
    raw: list[tuple[float, np.ndarray, str]] = []
    duration: float | None = None
    if is_still(path):
        still = read_still(path, max_side=max_side)
        raw.append((0.0, still.image, "still"))
    else:
        layout = video_layout(path)
        duration = layout.duration_s
        if not max_gap_s > 0:
            raise InvalidArgumentError(f"max_gap_s must be > 0 s (got {max_gap_s})")
        gap = max_gap_s
        if duration is not None and duration > 0:
            # Short clips get a denser grid so they still yield about 8 frames.
            gap = min(max_gap_s, max(duration / _MIN_FRAMES_SHORT, 0.125))
        grid = plan_grid_times(layout.keyframe_times_s, layout.duration_s, fps=fps,
                               max_gap_s=gap, max_frames=max_frames)
        keyframes_only = fps is None and grid.size == 0 and layout.keyframe_times_s.size > 0
        frames = iter_video_frames(path, keyframes_only=keyframes_only, times_s=grid,
                                   include_keyframes=True, max_side=max_side, max_frames=max_frames)
        for fr in frames:
            raw.append((fr.time_s, fr.image, "keyframe" if fr.key_frame else "grid"))
        # A keyframe-only decode that found nothing (decoder without keyframe flags): grid.
        if not raw and keyframes_only:
            grid = plan_grid_times([], layout.duration_s, fps=1.0 / gap, max_frames=max_frames)
            for fr in iter_video_frames(path, times_s=grid, include_keyframes=False,
                                        max_side=max_side, max_frames=max_frames):
                raw.append((fr.time_s, fr.image, "grid"))
    # Drop near-duplicate times (a keyframe that is also a grid point).
    raw.sort(key=lambda r: r[0])
    dedup: list[tuple[float, np.ndarray, str]] = []
    for item in raw:
        if dedup and abs(item[0] - dedup[-1][0]) < 1e-3:
            continue
        dedup.append(item)
    borders = Borders()
    if crop_borders and dedup:
        sample = [r[1] for r in dedup if float(_grey(r[1]).std()) >= 3.0] or [r[1] for r in dedup]
        borders = detect_borders(sample)
        if borders.any:
            log.debug("%s: cropping borders %s", path, borders)
    if drop_uninformative:
        dedup = [r for r in dedup if is_informative(crop_frame(r[1], borders))]
    return dedup, borders, duration
